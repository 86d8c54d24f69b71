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
	every key, value in object.get(selector, "matchLabels", {}) {
		object.get(labels, key, null) == value
	}
	every expr in object.get(selector, "matchExpressions", []) {
		expression_matches(expr, labels)
	}
}

expression_matches(expr, labels) if {
	expr.operator == "In"
	labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "NotIn"
	is_array(expr.values)
	not labels[expr.key] in expr.values
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

# selects_all is true for the empty selector, which selects every object.
selects_all(selector) if {
	is_object(selector)
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}
