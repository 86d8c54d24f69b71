# METADATA
# title: Role mints service account tokens
# description: >-
#   create on serviceaccounts/token (core group) issues a token for any service account
#   the rule reaches, through the TokenRequest API: the subject can then act as every
#   service account of the namespace (of the cluster, for a ClusterRole bound by a
#   ClusterRoleBinding), whatever those are bound to. Matching follows the RBAC authorizer
#   ("*", "*/token"; plain serviceaccounts does not match the subresource). A rule
#   restricted with resourceNames mints tokens for the named service accounts alone and
#   is not reported. Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate
#   are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-008
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Remove create on serviceaccounts/token from roles that do not need it; a component
#     that must mint tokens for particular service accounts should list them in
#     resourceNames. Pods get their own token through a projected volume and need no such
#     permission.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.13: Minimize access to the service account token creation"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request
#     - https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
#   parameters: []
package ringfence.rules.rbac.token_request

import data.ringfence.lib.rbac

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches serviceaccounts/token to the resources
# it matches, for rbac.matching.
resource_entries := {
	"serviceaccounts/token": ["serviceaccounts/token"],
	"*/token": ["serviceaccounts/token"],
	"*": ["serviceaccounts/token"],
}

grants contains {"index": i, "resource": "serviceaccounts/token", "verbs": verbs} if {
	some [i, _] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "")
	not rbac.restricts_named(rule)
	verbs := rbac.verb_labels(rule, {"create"})
}
