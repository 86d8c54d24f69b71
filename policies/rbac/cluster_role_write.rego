# METADATA
# title: Role writes ClusterRoles
# description: >-
#   create, update or patch on clusterroles (rbac.authorization.k8s.io) lets a subject
#   label a ClusterRole rbac.authorization.k8s.io/aggregate-to-admin, -edit or -view:
#   the aggregation controller then copies its rules into the built-in admin, edit and
#   view ClusterRoles, so everyone bound to those, in every namespace, receives them
#   without any new binding; the subject can likewise rewrite the
#   system:aggregate-to-admin, -edit and -view ClusterRoles those are built from. The API
#   server still requires the writer to hold, cluster-wide, every permission it puts in a
#   ClusterRole (unless it has escalate, RF-RBAC-005), so what spreads is the writer's
#   own access. resourceNames does not exempt update or patch: any named ClusterRole the
#   subject may update can be given the label; a rule restricted by name grants no
#   create, whose requests carry no object name. Matching follows the RBAC authorizer
#   ("*" in apiGroups, resources and verbs). clusterroles are cluster-scoped, so only
#   ClusterRoles grant them. Aggregated ClusterRoles are skipped; the ClusterRoles they
#   aggregate are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-014
#   severity: medium
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Leave ClusterRoles to cluster administrators and to the installers of the
#     components that ship them, and review every ClusterRole that carries an
#     aggregate-to label.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
#   parameters: []
package ringfence.rules.rbac.cluster_role_write

import data.ringfence.lib.rbac

deny contains f if {
	rbac.is_role
	rbac.cluster_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches clusterroles to the resources
# it matches, for rbac.matching.
resource_entries := {
	"clusterroles": ["clusterroles"],
	"*": ["clusterroles"],
}

grants contains {"index": i, "resource": "clusterroles", "verbs": verbs} if {
	rbac.cluster_role
	some [i, _] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "rbac.authorization.k8s.io")
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, {"create", "update", "patch"}))
}
