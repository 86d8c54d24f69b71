# METADATA
# title: ringfence RBAC library
# description: >-
#   The rules of a Role or ClusterRole and what each of them grants, matched the way the
#   Kubernetes RBAC authorizer matches a request: API group, resource and subresource,
#   verb and resourceNames. Every value is safe on objects of any shape.
# scope: package
package ringfence.lib.rbac

import data.ringfence.lib.core

# is_role is true for a Role or ClusterRole of rbac.authorization.k8s.io; kinds of the
# same name in other API groups are something else.
is_role if {
	core.kind_in({"Role", "ClusterRole"})
	core.group == "rbac.authorization.k8s.io"
}

# aggregated is true for a ClusterRole with an aggregationRule: the aggregation
# controller replaces its rules with those of the ClusterRoles the rule selects, so what
# is written in its rules does not count; the selected ClusterRoles are checked
# themselves. (aggregationRule means nothing on a Role.)
aggregated if {
	is_role
	core.kind == "ClusterRole"
	is_object(core.resource.aggregationRule)
}

# cluster_role is true for a ClusterRole that is not aggregated. Only a ClusterRole bound
# by a ClusterRoleBinding reaches cluster-scoped resources (nodes, persistentvolumes,
# clusterroles, users, ...): the authorizer checks a request without a namespace against
# ClusterRoleBindings alone, so such grants in a Role are dead.
cluster_role if {
	is_role
	not aggregated
	core.kind == "ClusterRole"
}

# rules maps the index of every rule of a Role or ClusterRole that is not aggregated to
# the rule. Entries that are not objects are skipped, and indexes count them. It is
# computed whole, once for the object.
rules := {i: rule |
	is_role
	not aggregated
	is_array(core.resource.rules)
	some i, rule in core.resource.rules
	is_object(rule)
}

# rule_resources maps each index of rules to the set of the entries of that rule's
# resources (empty when resources is not an array).
rule_resources := {i: {r | some r in array_field(rule, "resources")} | some i, rule in rules}

# resources_listed holds every entry of the resources of every rule in rules: a rule
# grants something on a resource only if this set holds the resource, "*" or, for a
# subresource, "*/<subresource>".
resources_listed := {r |
	some rule in rules
	listed := rule.resources
	is_array(listed)
	some r in listed
}

# matching finds the rules whose resources match the resources a check looks for, as
# the authorizer matches them (see resource_matches). entries maps each resources entry
# that matches one of those resources to the resources it matches: the resource itself,
# "*" (every resource) and "*/<sub>" (the subresource sub of every resource), such as
# {"pods/exec": ["pods/exec"], "*/exec": ["pods/exec"], "*": ["pods/exec"]}. The result
# holds [i, resource] for every rule index i that matches resource. Checks test first
# that rbac.resources_listed & object.keys(entries) is not empty, which rejects most
# roles at once.
matching(entries) := {[i, resource] |
	keys := object.keys(entries)
	some i, listed in rule_resources
	some entry in (listed & keys)
	some resource in entries[entry]
}

# array_field is obj[key] when it is an array, else [] (missing, null, a string, ...).
array_field(obj, key) := obj[key] if is_array(obj[key])

else := []

# The predicates below are false rather than undefined when they do not hold: OPA keeps
# the results of a function call for the rest of the evaluation only when they are
# defined, and checks call them many times with the same arguments.

# group_matches is true when the rule's apiGroups hold group ("" for the core group) or "*".
default group_matches(_, _) := false

group_matches(rule, group) if {
	some g in array_field(rule, "apiGroups")
	g in {group, "*"}
}

# resource_matches is true when the rule's resources match resource ("pods", or
# "pods/exec" for a subresource) as the authorizer matches them: "*" matches every
# resource and subresource, an entry matches itself exactly, and "*/sub" matches the
# subresource sub of every resource. A plain resource does not match its subresources
# ("pods" grants nothing on "pods/exec"), and "pods/*" is no wildcard.
default resource_matches(_, _) := false

resource_matches(rule, resource) if {
	some r in array_field(rule, "resources")
	r in {resource, "*"}
}

resource_matches(rule, resource) if {
	i := indexof(resource, "/")
	i > 0
	sub := substring(resource, i + 1, -1)
	sub != ""
	concat("", ["*/", sub]) in array_field(rule, "resources")
}

# verb_matches is true when the rule's verbs hold verb or "*". Verbs are case-sensitive.
default verb_matches(_, _) := false

verb_matches(rule, verb) if {
	some v in array_field(rule, "verbs")
	v in {verb, "*"}
}

# verb_labels is the set of the rule's verbs that grant one of verbs (a set), as a
# message names them: the verbs themselves, and "*" written "\"*\"". Empty when the
# rule grants none of them (or verbs is empty).
verb_labels(rule, verbs) := {v |
	some v in array_field(rule, "verbs")
	v != "*"
	verbs[v]
} | wildcard_label(rule, verbs)

# wildcard_label is {"\"*\""} when the rule's verbs hold "*" and verbs is not empty.
wildcard_label(rule, verbs) := {"\"*\""} if {
	"*" in array_field(rule, "verbs")
	count(verbs) > 0
} else := set()

# restricted_by_name is true when resourceNames limits the rule to named objects: a
# non-empty list of non-empty strings. The authorizer matches a request's name against
# the list, and a request without a name (create, deletecollection, a plain list or
# watch) has the name "": an empty entry matches those, so a list holding one restricts
# nothing; a missing, null or empty list restricts nothing either.
default restricted_by_name(_) := false

restricted_by_name(rule) if {
	names := rule.resourceNames
	is_array(names)
	count(names) > 0
	every n in names {
		is_string(n)
		n != ""
	}
}

# restricts_named is true when resourceNames is a non-empty list: a request for a named
# object (get, update, patch, delete of one object, and every subresource request, which
# names its parent) then passes only for a listed name; an empty entry matches none of
# them.
default restricts_named(_) := false

restricts_named(rule) if {
	is_array(rule.resourceNames)
	count(rule.resourceNames) > 0
}

# resource_names is the set of the strings in the rule's resourceNames.
resource_names(rule) := {n | some n in array_field(rule, "resourceNames"); is_string(n)}

# unnamed_verbs are the verbs whose requests on a resource (not a subresource) carry no
# object name: create (the name is only in the request body) and deletecollection. A
# rule restricted by name never grants them.
unnamed_verbs := {"create", "deletecollection"}

# name_verbs is the part of verbs (requested on a resource, not a subresource) that the
# rule's resourceNames let through: all of them, or all but unnamed_verbs when the rule
# is restricted by name.
name_verbs(rule, verbs) := verbs - unnamed_verbs if restricted_by_name(rule)

else := verbs

# findings turns grants, a set of {"index": i, "resource": "pods/exec", "verbs": labels}
# (labels as verb_labels gives them), into findings: one per rule index and set of
# verbs, naming every resource that rule grants those verbs on, with field "rules[i]":
# "Role shop/debug: rules[0] grants create, get on pods/attach, pods/exec".
findings(grants) := {f |
	some [index, verbs] in {[g.index, g.verbs] | some g in grants; count(g.verbs) > 0}
	resources := {g.resource | some g in grants; g.index == index; g.verbs == verbs}
	field := sprintf("rules[%d]", [index])
	msg := sprintf("%s: %s grants %s on %s", [
		core.display, field,
		concat(", ", sort(verbs)), concat(", ", sort(resources)),
	])
	f := {"msg": msg, "field": field}
}
