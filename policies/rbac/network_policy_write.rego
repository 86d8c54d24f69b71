# METADATA
# title: Role writes NetworkPolicies
# description: >-
#   create, update, patch, delete or deletecollection on networkpolicies
#   (networking.k8s.io) lets a subject lift the network segmentation of the namespaces it
#   reaches: policies only add allowed traffic, so a new one opens pods to anything, and
#   changing or deleting one removes the isolation it provides. resourceNames does not
#   exempt update, patch or delete, since the named policies are the ones in force; a
#   rule restricted by name grants no create or deletecollection, whose requests carry no
#   object name. Only networking.k8s.io counts: the extensions group has served no
#   NetworkPolicies since Kubernetes 1.16. Matching follows the RBAC authorizer ("*" in
#   apiGroups, resources and verbs). Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate are
#   checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-012
#   severity: medium
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Keep NetworkPolicies with the platform or security team that owns segmentation
#     (deployed from reviewed sources), and remove write access to them from application
#     deployers and controllers.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/
#   parameters: []
package ringfence.rules.rbac.network_policy_write

import data.ringfence.lib.rbac

write_verbs := {"create", "update", "patch", "delete", "deletecollection"}

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches networkpolicies to the resources
# it matches, for rbac.matching.
resource_entries := {
	"networkpolicies": ["networkpolicies"],
	"*": ["networkpolicies"],
}

grants contains {"index": i, "resource": "networkpolicies", "verbs": verbs} if {
	some [i, _] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "networking.k8s.io")
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, write_verbs))
}
