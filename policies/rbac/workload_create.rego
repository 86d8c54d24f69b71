# METADATA
# title: Role creates pods or workloads
# description: >-
#   create on pods, or on a kind whose controller creates pods from a template
#   (replicationcontrollers in the core group, deployments, statefulsets, daemonsets and
#   replicasets in apps, jobs and cronjobs in batch), runs any pod spec the namespace's
#   admission allows: with any service account of the namespace, mounting any of its
#   secrets and config maps, and, where Pod Security admission does not forbid it,
#   privileged or with host namespaces and host paths, which leads to the node. podtemplates
#   are not reported: no built-in controller runs them. Nor is the extensions group,
#   which has served no workload kinds since Kubernetes 1.16, nor update and patch of
#   existing workloads. A rule restricted with resourceNames grants no create at all:
#   create requests carry no object name to match. Matching follows the RBAC authorizer
#   ("*" in apiGroups, resources and verbs). Aggregated ClusterRoles are skipped; the
#   ClusterRoles they aggregate are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-007
#   severity: medium
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Grant create on pods and workloads only to deployers and controllers that need it,
#     in the namespaces they deploy to (a Role, or a RoleBinding to a ClusterRole), and
#     enforce the restricted Pod Security level there so that the pods they create
#     cannot reach the node.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.4: Minimize access to create pods"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
#   parameters: []
package ringfence.rules.rbac.workload_create

import data.ringfence.lib.rbac

# workload_resources maps each resource that runs pods to its API group.
workload_resources := {
	"pods": "",
	"replicationcontrollers": "",
	"deployments": "apps",
	"statefulsets": "apps",
	"daemonsets": "apps",
	"replicasets": "apps",
	"jobs": "batch",
	"cronjobs": "batch",
}

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches a workload resource to the
# resources it matches, for rbac.matching.
resource_entries := {
	"pods": ["pods"],
	"replicationcontrollers": ["replicationcontrollers"],
	"deployments": ["deployments"],
	"statefulsets": ["statefulsets"],
	"daemonsets": ["daemonsets"],
	"replicasets": ["replicasets"],
	"jobs": ["jobs"],
	"cronjobs": ["cronjobs"],
	"*": ["cronjobs", "daemonsets", "deployments", "jobs", "pods", "replicasets", "replicationcontrollers", "statefulsets"],
}

grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	some [i, resource] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, workload_resources[resource])
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, {"create"}))
}
