# METADATA
# title: Istio AuthorizationPolicy allows every request
# description: >-
#   An AuthorizationPolicy with action ALLOW (the default) allows a request when any of
#   its rules matches it, and a rule matches everything its from, to and when lists do not
#   narrow: a rule with none of them (rules [{}]), or with only empty lists, allows every
#   request to the workloads the policy covers, from any source, authenticated or not,
#   and once any ALLOW policy applies to a workload, Istio denies what none allows, so
#   such a rule silently undoes the other ALLOW policies' restrictions. A source whose
#   principals or namespaces hold "*" matches every authenticated workload of the mesh
#   (any peer with an mTLS identity), which is rarely what a least-privilege policy
#   means; such sources are reported too. An ALLOW policy without rules allows nothing
#   and is not reported. Both security.istio.io/v1 and v1beta1 are read.
# scope: package
# custom:
#   id: RF-MESH-003
#   severity: high
#   kinds:
#     - {apiVersion: security.istio.io/v1, kind: AuthorizationPolicy}
#     - {apiVersion: security.istio.io/v1beta1, kind: AuthorizationPolicy}
#   remediation: >-
#     Give every ALLOW rule a from source naming the principals (service accounts) or
#     namespaces that need access, and a to operation naming the ports, methods and paths
#     they use; use an ALLOW policy without rules to deny everything by default.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://istio.io/latest/docs/reference/config/security/authorization-policy/
#     - https://istio.io/latest/docs/ops/best-practices/security/#safer-authorization-policy-patterns
#     - https://istio.io/latest/docs/tasks/security/authorization/authz-http/
#   parameters: []
package ringfence.rules.mesh.authorization_allow_all

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	allow_policy
	is_array(core.resource.spec.rules)
	some i, rule in core.resource.spec.rules
	matches_everything(rule)
	field := sprintf("spec.rules[%d]", [i])
	msg := sprintf("%s: %s has no from, to or when condition, so the ALLOW policy allows every request from any source", [core.display, field])
}

deny contains {"msg": msg, "field": field} if {
	allow_policy
	is_array(core.resource.spec.rules)
	some i, rule in core.resource.spec.rules
	is_array(rule.from)
	some j, from in rule.from
	some attr in ["principals", "namespaces"]
	is_array(from.source[attr])
	"*" in from.source[attr]
	field := sprintf("spec.rules[%d].from[%d].source.%s", [i, j, attr])
	msg := sprintf("%s: %s holds \"*\", which matches every authenticated workload of the mesh", [core.display, field])
}

# allow_policy is true for an AuthorizationPolicy of security.istio.io whose action is
# ALLOW, or missing (ALLOW is the default).
allow_policy if {
	core.kind == "AuthorizationPolicy"
	core.group == "security.istio.io"
	action_allow
}

action_allow if not has_action

action_allow if core.resource.spec.action == "ALLOW"

has_action if is_string(core.resource.spec.action)

# matches_everything is true for a rule object whose from, to and when narrow nothing:
# each missing, null or an empty list.
matches_everything(rule) if {
	is_object(rule)
	every attr in ["from", "to", "when"] {
		not narrows(rule, attr)
	}
}

# narrows is true when the rule's attr holds something: a non-empty list, or a value that
# is not a list (which Istio rejects; not reported).
narrows(rule, attr) if {
	v := object.get(rule, attr, null)
	not is_null(v)
	not empty_list(v)
}

empty_list(v) if {
	is_array(v)
	count(v) == 0
}
