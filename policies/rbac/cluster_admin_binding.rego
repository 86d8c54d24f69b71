# METADATA
# title: Binding to cluster-admin
# description: >-
#   A ClusterRoleBinding or RoleBinding whose roleRef is the ClusterRole cluster-admin
#   gives its subjects every permission on every resource (cluster-wide for a
#   ClusterRoleBinding, in the binding's namespace for a RoleBinding), including reading
#   every secret and granting themselves anything else. Bindings whose subjects are all
#   in allowed_subjects are not reported; a binding without subjects grants nothing and
#   is not reported either.
# scope: package
# custom:
#   id: RF-RBAC-002
#   severity: critical
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}
#   remediation: >-
#     Bind a ClusterRole or Role that grants only what the subjects need, scoped to a
#     namespace with a RoleBinding where possible, and reserve cluster-admin for
#     break-glass accounts; add subjects that genuinely need it to allowed_subjects.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.1: Ensure that the cluster-admin role is only used where required"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
#   parameters:
#     - name: allowed_subjects
#       type: array
#       items: string
#       default: ["Group:system:masters"]
#       description: >-
#         subjects that may be bound to cluster-admin, written Kind:name for users and
#         groups ("User:alice", "Group:system:masters") and
#         ServiceAccount:namespace:name for service accounts
package ringfence.rules.rbac.cluster_admin_binding

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"ClusterRoleBinding", "RoleBinding"})
	core.group == "rbac.authorization.k8s.io"
	core.resource.roleRef.kind == "ClusterRole"
	core.resource.roleRef.name == "cluster-admin"
	unallowed := {s.display | some s in subjects; not allowed_subjects[s.key]}
	count(unallowed) > 0
	field := "roleRef.name"
	msg := sprintf("%s: binds ClusterRole cluster-admin to %s", [core.display, concat(", ", sort(unallowed))])
}

# subjects holds each subject of the binding as the key allowed_subjects uses
# ("User:alice", "ServiceAccount:ns:name") and as the message shows it ("User/alice",
# "ServiceAccount/ns/name").
subjects contains {"key": concat(":", [s.kind, s.name]), "display": concat("/", [s.kind, s.name])} if {
	some s in subject_list
	s.kind != "ServiceAccount"
}

subjects contains {"key": concat(":", [s.kind, ns, s.name]), "display": concat("/", [s.kind, ns, s.name])} if {
	some s in subject_list
	s.kind == "ServiceAccount"
	ns := subject_namespace(s)
}

# subject_list holds the well-formed subjects: objects with a string kind and name.
subject_list contains s if {
	is_array(core.resource.subjects)
	some s in core.resource.subjects
	is_string(s.kind)
	is_string(s.name)
}

# A service account subject without a namespace means the binding's own namespace (a
# RoleBinding); the API server rejects it in a ClusterRoleBinding.
subject_namespace(s) := s.namespace if {
	is_string(s.namespace)
	s.namespace != ""
} else := core.namespace

allowed_subjects contains s if {
	allowed := core.parameter(rego.metadata.chain(), "allowed_subjects")
	is_array(allowed)
	some s in allowed
	is_string(s)
}
