# METADATA
# title: Role creates PersistentVolumes
# description: >-
#   create on persistentvolumes (core group) lets a subject define a volume backed by any
#   storage, a hostPath on the node included; a pod that may only use
#   persistentVolumeClaims then mounts it through a claim, which Pod Security admission
#   allows even at the restricted level, and reads or writes the node's filesystem.
#   Matching follows the RBAC authorizer ("*" in apiGroups, resources and verbs). A rule
#   restricted with resourceNames grants no create: create requests carry no object name
#   to match. persistentvolumes are cluster-scoped, so only ClusterRoles grant them.
#   Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate are checked
#   themselves.
# scope: package
# custom:
#   id: RF-RBAC-011
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Leave PersistentVolume creation to administrators and storage provisioners; users
#     should request storage with PersistentVolumeClaims and StorageClasses.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.9: Minimize access to create persistent volumes"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation
#     - https://kubernetes.io/docs/concepts/storage/persistent-volumes/
#   parameters: []
package ringfence.rules.rbac.persistent_volume_create

import data.ringfence.lib.rbac

deny contains f if {
	rbac.is_role
	rbac.cluster_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches persistentvolumes to the resources
# it matches, for rbac.matching.
resource_entries := {
	"persistentvolumes": ["persistentvolumes"],
	"*": ["persistentvolumes"],
}

grants contains {"index": i, "resource": "persistentvolumes", "verbs": verbs} if {
	rbac.cluster_role
	some [i, _] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "")
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, {"create"}))
}
