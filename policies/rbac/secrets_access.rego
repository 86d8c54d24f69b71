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

import data.ringfence.lib.rbac

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches secrets to the resources
# it matches, for rbac.matching.
resource_entries := {
	"secrets": ["secrets"],
	"*": ["secrets"],
}

# grants holds, per rule, the read verbs it grants on core secrets. A rule restricted
# with resourceNames reaches the named secrets alone and is not reported.
grants contains {"index": i, "resource": "secrets", "verbs": verbs} if {
	some [i, _] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "")
	not rbac.restricted_by_name(rule)
	verbs := rbac.verb_labels(rule, {"get", "list", "watch"})
}
