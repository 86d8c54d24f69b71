# METADATA
# title: Audit policy does not record sensitive changes
# description: >-
#   The API server audits a request at the level of the first rule of the audit Policy
#   that matches it, and not at all (level None) when no rule matches, so a catch-all
#   "level: None" rule, a None rule for secrets, or a policy that never mentions RBAC
#   leaves no trace of the changes an intruder makes first. The rule simulates that
#   first-match evaluation (users, userGroups, verbs, namespaces, resources with group,
#   "*", "*/sub", "res/*" and resourceNames, nonResourceURLs) for an ordinary
#   authenticated user (alice, group system:authenticated, namespace default) creating,
#   updating, patching and deleting secrets, Roles, RoleBindings, ClusterRoles,
#   ClusterRoleBindings and NetworkPolicies and opening pod exec sessions (create, and
#   get as websocket clients do), and reports each class that ends at level None, or at
#   a rule whose omitStages (with the policy's) drop every stage. Verbs are matched
#   exactly ("*" is no wildcard in audit rules). Policies the API server would refuse to
#   load (no rules, unknown levels, fields of the wrong type) are skipped.
# scope: package
# custom:
#   id: RF-LOG-001
#   severity: medium
#   kinds:
#     - {apiVersion: audit.k8s.io/v1, kind: Policy}
#     - {apiVersion: audit.k8s.io/v1beta1, kind: Policy}
#   remediation: >-
#     Log secret and RBAC changes, exec sessions and NetworkPolicy changes at least at the
#     Metadata level (Metadata for secrets, so their contents stay out of the log) in a
#     rule placed before any rule with level None that could match them, and end the
#     policy with a catch-all rule (for example "- level: Metadata").
#   references:
#     - "CIS Kubernetes Benchmark 3.2.2: Ensure that the audit policy covers key security concerns"
#     - "NSA/CISA Kubernetes Hardening Guide: Audit logging and threat detection"
#     - https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy
#     - https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Policy
#     - https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-PolicyRule
#     - https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-GroupResources
#     - https://github.com/kubernetes/apiserver/blob/master/pkg/audit/policy/checker.go
#   parameters: []
package ringfence.rules.logging.audit_sensitive_changes

import data.ringfence.lib.core

levels := {"None", "Metadata", "Request", "RequestResponse"}

stages := {"RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"}

# The requester: an ordinary authenticated user working in namespace default.
user := "alice"

user_groups := ["system:authenticated"]

write_verbs := ["create", "update", "patch", "delete"]

# classes are the sensitive requests, by class name: verbs and resources
# ({group, resource, subresource, namespaced}).
classes := {
	"secret changes": {"verbs": write_verbs, "resources": [res("", "secrets", "", true)]},
	"RBAC changes": {"verbs": write_verbs, "resources": [
		res("rbac.authorization.k8s.io", "roles", "", true),
		res("rbac.authorization.k8s.io", "rolebindings", "", true),
		res("rbac.authorization.k8s.io", "clusterroles", "", false),
		res("rbac.authorization.k8s.io", "clusterrolebindings", "", false),
	]},
	"exec sessions in pods": {"verbs": ["create", "get"], "resources": [res("", "pods", "exec", true)]},
	"NetworkPolicy changes": {"verbs": write_verbs, "resources": [res("networking.k8s.io", "networkpolicies", "", true)]},
}

res(group, resource, subresource, namespaced) := {
	"group": group, "resource": resource,
	"subresource": subresource, "namespaced": namespaced,
}

# requests are the representative requests of every class. A create of a resource names
# no object (""); other requests, and every subresource request, name one. target is what
# a request asks for apart from its verb: requests of different verbs share it, and so
# do the results of matching it against a rule.
requests contains req if {
	some class, spec in classes
	some verb in spec.verbs
	some r in spec.resources
	namespace := request_namespace(r)
	name := request_name(verb, r)
	req := {
		"class": class, "verb": verb, "group": r.group,
		"resource": r.resource, "subresource": r.subresource,
		"namespace": namespace, "name": name,
		"target": {
			"group": r.group, "resource": r.resource, "subresource": r.subresource,
			"namespace": namespace, "name": name,
		},
	}
}

request_namespace(r) := "default" if r.namespaced

else := ""

request_name(verb, r) := "" if {
	verb == "create"
	r.subresource == ""
} else := "ringfence-probe"

# --- the policy ---------------------------------------------------------------------

is_audit_policy if {
	core.kind == "Policy"
	core.api_version in {"audit.k8s.io/v1", "audit.k8s.io/v1beta1"}
}

# policy_rules are the policy's rules when the API server would load it.
policy_rules := core.resource.rules if {
	is_audit_policy
	is_array(core.resource.rules)
	count(core.resource.rules) > 0
	every rule in core.resource.rules {
		well_formed_rule(rule)
	}
	string_list(core.resource, "omitStages")
}

well_formed_rule(rule) if {
	is_object(rule)
	rule.level in levels
	every key in ["users", "userGroups", "verbs", "namespaces", "nonResourceURLs", "omitStages"] {
		string_list(rule, key)
	}
	resources_well_formed(rule)

	# Validation rejects rules for both resources and non-resource URLs.
	not both_kinds(rule)
}

both_kinds(rule) if {
	count(list(rule, "nonResourceURLs")) > 0
	count(list(rule, "resources")) + count(list(rule, "namespaces")) > 0
}

resources_well_formed(rule) if object.get(rule, "resources", null) == null

resources_well_formed(rule) if {
	is_array(rule.resources)
	every gr in rule.resources {
		is_object(gr)
		object.get(gr, "group", null) == null
		string_list(gr, "resources")
		string_list(gr, "resourceNames")
		not names_without_resources(gr)
	}
}

resources_well_formed(rule) if {
	is_array(rule.resources)
	every gr in rule.resources {
		is_object(gr)
		is_string(gr.group)
		string_list(gr, "resources")
		string_list(gr, "resourceNames")
		not names_without_resources(gr)
	}
}

# Validation rejects resourceNames without resources.
names_without_resources(gr) if {
	count(list(gr, "resourceNames")) > 0
	count(list(gr, "resources")) == 0
}

# string_list is true when obj[key] is absent, null or a list of strings.
string_list(obj, key) if object.get(obj, key, null) == null

string_list(obj, key) if {
	is_array(obj[key])
	every s in obj[key] {
		is_string(s)
	}
}

list(obj, key) := obj[key] if is_array(obj[key])

else := []

group_of(gr) := gr.group if is_string(gr.group)

else := ""

# --- first-match evaluation, as k8s.io/apiserver/pkg/audit/policy/checker.go ---------

# The checks below are false rather than undefined when they fail: OPA keeps the results
# of a function call for the rest of the evaluation only when they are defined, and
# every rule is checked against every request, whose users, verbs and targets repeat.
rule_matches(rule, req) if {
	users_match(rule)
	groups_match(rule)
	verbs_match(rule, req.verb)
	target_matches(rule, req.target)
}

default users_match(_) := false

users_match(rule) if count(list(rule, "users")) == 0

users_match(rule) if user in list(rule, "users")

default groups_match(_) := false

groups_match(rule) if count(list(rule, "userGroups")) == 0

groups_match(rule) if {
	some g in user_groups
	g in list(rule, "userGroups")
}

default verbs_match(_, _) := false

verbs_match(rule, _) if count(list(rule, "verbs")) == 0

verbs_match(rule, verb) if verb in list(rule, "verbs")

# A rule with namespaces or resources matches resource requests only; one with only
# nonResourceURLs matches no resource request; one with neither matches every request.
default target_matches(_, _) := false

target_matches(rule, req) if {
	selects_resources(rule)
	namespaces_match(rule, req)
	resources_match(rule, req)
}

target_matches(rule, _) if {
	not selects_resources(rule)
	count(list(rule, "nonResourceURLs")) == 0
}

default selects_resources(_) := false

selects_resources(rule) if count(list(rule, "namespaces")) > 0

selects_resources(rule) if count(list(rule, "resources")) > 0

# "" in namespaces selects cluster-scoped resources.
namespaces_match(rule, _) if count(list(rule, "namespaces")) == 0

namespaces_match(rule, req) if req.namespace in list(rule, "namespaces")

resources_match(rule, _) if count(list(rule, "resources")) == 0

resources_match(rule, req) if {
	some gr in list(rule, "resources")
	group_of(gr) == req.group
	group_resources_match(gr, req)
}

# A group without resources selects every resource and subresource of the group.
group_resources_match(gr, _) if count(list(gr, "resources")) == 0

group_resources_match(gr, req) if {
	names_match(gr, req)
	some r in list(gr, "resources")
	resource_entry_matches(r, req)
}

names_match(gr, _) if count(list(gr, "resourceNames")) == 0

names_match(gr, req) if req.name in list(gr, "resourceNames")

combined(req) := concat("/", [req.resource, req.subresource]) if req.subresource != ""

else := req.resource

resource_entry_matches(r, req) if r == combined(req)

resource_entry_matches("*", _)

resource_entry_matches(r, req) if {
	req.subresource != ""
	r == concat("", ["*/", req.subresource])
}

# "pods/*" matches pods and every subresource of pods.
resource_entry_matches(r, req) if {
	endswith(r, "/*")
	trim_suffix(r, "/*") == req.resource
}

# first_match is the index of the first rule that matches req, -1 when none does.
first_match(req) := min(matching) if {
	matching := {i | some i, rule in policy_rules; rule_matches(rule, req)}
	count(matching) > 0
} else := -1

omits_every_stage(rule) if {
	omitted := {s | some s in array.concat(list(core.resource, "omitStages"), list(rule, "omitStages"))}
	count(stages - omitted) == 0
}

# unrecorded holds the requests no audit event is written for, with the index of the
# rule that decides it (-1: no rule) and why.
unrecorded contains {"req": req, "index": -1, "reason": "none"} if {
	policy_rules
	some req in requests
	first_match(req) == -1
}

unrecorded contains {"req": req, "index": i, "reason": reason} if {
	policy_rules
	some req in requests
	i := first_match(req)
	i >= 0
	reason := outcome(policy_rules[i])
}

outcome(rule) := "level" if rule.level == "None"

else := "stages" if omits_every_stage(rule)

deny contains {"msg": msg, "field": field} if {
	is_audit_policy
	some class, _ in classes
	entries := {e | some e in unrecorded; e.req.class == class}
	count(entries) > 0
	indexes := {e.index | some e in entries}
	parts := [describe(entries, i) | some i in sort(indexes - {-1})]
	tail := [describe(entries, -1) | -1 in indexes]
	field := first_field(indexes)
	msg := sprintf("%s: %s by an ordinary authenticated user are not audited: %s", [
		trim_space(core.display), class, concat("; ", array.concat(parts, tail)),
	])
}

first_field(indexes) := sprintf("rules[%d]", [min(indexes - {-1})]) if count(indexes - {-1}) > 0

else := "rules"

describe(entries, i) := sprintf("no rule matches %s, so they default to level None", [operations(entries, i)]) if i == -1

else := sprintf("rules[%d] sets level None for %s", [i, operations(entries, i)]) if {
	some e in entries
	e.index == i
	e.reason == "level"
} else := sprintf("rules[%d] omits every stage for %s", [i, operations(entries, i)])

# operations names the requests decided by rule i, grouping resources that share the
# same verbs: "create, delete on roles, rolebindings and get on pods/exec".
operations(entries, i) := concat(" and ", sort({label |
	some verbs in {verbs_of(entries, i, r) | some r in resources_of(entries, i)}
	rs := {r | some r in resources_of(entries, i); verbs_of(entries, i, r) == verbs}
	label := sprintf("%s on %s", [concat(", ", sort(verbs)), concat(", ", sort(rs))])
}))

resources_of(entries, i) := {combined(e.req) | some e in entries; e.index == i}

verbs_of(entries, i, r) := {e.req.verb | some e in entries; e.index == i; combined(e.req) == r}
