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
	is_object(selector)
	every key, value in match_labels(selector) {
		object.get(labels, key, null) == value
	}
	every expr in match_expressions(selector) {
		expression_matches(expr, labels)
	}
}

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
	count(match_labels(selector)) == 0
	count(match_expressions(selector)) == 0
}
