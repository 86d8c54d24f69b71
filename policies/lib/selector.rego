# METADATA
# title: ringfence label selector library
# description: >-
#   Kubernetes label selector semantics (metav1.LabelSelector): matchLabels and
#   matchExpressions are ANDed; an empty selector selects everything.
# scope: package
package ringfence.lib.selector

# matches is true when selector selects an object with labels. A selector that is not an
# object (null, a string, missing) selects nothing, as the API server would reject it.
matches(selector, labels) if {
	well_formed(selector)
	every key, value in match_labels(selector) {
		labels[key] == label_value(value)
	}
	every expr in match_expressions(selector) {
		expression_matches(expr, labels)
	}
}

# well_formed is true for an object whose matchLabels is an object and matchExpressions a
# list (either may be absent or null). The API server rejects anything else, so a
# malformed selector selects nothing rather than everything.
well_formed(selector) if {
	is_object(selector)
	type_name(object.get(selector, "matchLabels", null)) in {"object", "null"}
	type_name(object.get(selector, "matchExpressions", null)) in {"array", "null"}
}

# label_value is a matchLabels value as the API decodes it: null is the empty string.
label_value(value) := "" if value == null

else := value

# match_labels is the selector's matchLabels; null or absent is empty, as in the API.
match_labels(selector) := m if {
	m := selector.matchLabels
	is_object(m)
} else := {}

# match_expressions is the selector's matchExpressions; null or absent is empty.
match_expressions(selector) := m if {
	m := selector.matchExpressions
	is_array(m)
} else := []

expression_matches(expr, labels) if {
	expr.operator == "In"
	labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "NotIn"
	is_array(expr.values)
	not label_in(labels, expr.key, expr.values)
}

expression_matches(expr, labels) if {
	expr.operator == "Exists"
	is_string(expr.key)
	_ = labels[expr.key]
}

expression_matches(expr, labels) if {
	expr.operator == "DoesNotExist"
	is_string(expr.key)
	not has_key(labels, expr.key)
}

has_key(obj, key) if _ = obj[key]

label_in(labels, key, values) if labels[key] in values

# selects_all is true for the empty selector, which selects every object.
selects_all(selector) if {
	is_object(selector)
	object.get(selector, "matchLabels", null) in {null, {}}
	object.get(selector, "matchExpressions", null) in {null, []}
}
