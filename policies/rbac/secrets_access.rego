# METADATA
# title: Role reads secrets
# description: >-
#   A rule that allows get, list or watch (or "*") on secrets in the core API group (by
#   resources "secrets" or "*" and apiGroups "" or "*") lets its subjects read secret
#   values: list and watch return the data of every secret, not just names, and service
#   account tokens stored in secrets lead to further privileges. A rule restricted with
#   resourceNames to named secrets is not reported: the API server then authorizes get,
#   and list or watch only with a metadata.name field selector, for those secrets alone.
#   A resourceNames entry that is empty ("") matches requests without a name, such as an
#   unrestricted list, so such rules are reported. Aggregated ClusterRoles are skipped;
#   the ClusterRoles they aggregate are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-004
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Remove get, list and watch on secrets from roles that do not need them; where a
#     workload needs particular secrets, grant get on those names only with
#     resourceNames, or mount the secrets into its pods instead of reading them through
#     the API.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.2: Minimize access to secrets"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
#   parameters: []
package ringfence.rules.rbac.secrets_access

import data.ringfence.lib.core

read_verbs := {"get", "list", "watch", "*"}

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"Role", "ClusterRole"})
	core.group == "rbac.authorization.k8s.io"
	not aggregated
	is_array(core.resource.rules)
	some i, rule in core.resource.rules
	is_object(rule)
	covers_core_group(rule)
	covers_secrets(rule)
	not restricted_by_name(rule)
	verbs := {verb_label(v) | some v in array_field(rule, "verbs"); read_verbs[v]}
	count(verbs) > 0
	field := sprintf("rules[%d]", [i])
	msg := sprintf("%s: %s grants %s on secrets", [core.display, field, concat(", ", sort(verbs))])
}

covers_core_group(rule) if {
	some g in array_field(rule, "apiGroups")
	g in {"", "*"}
}

covers_secrets(rule) if {
	some r in array_field(rule, "resources")
	r in {"secrets", "*"}
}

# restricted_by_name is true when resourceNames limits the rule to named secrets. An
# empty name matches requests that carry no name (a plain list or watch), so it does not
# restrict anything.
restricted_by_name(rule) if {
	names := rule.resourceNames
	is_array(names)
	count(names) > 0
	every n in names {
		is_string(n)
		n != ""
	}
}

array_field(obj, key) := obj[key] if is_array(obj[key])

else := []

verb_label(v) := "\"*\"" if v == "*"

else := v

# aggregated is true for a ClusterRole whose rules the aggregation controller manages.
aggregated if {
	core.kind == "ClusterRole"
	is_object(core.resource.aggregationRule)
}
