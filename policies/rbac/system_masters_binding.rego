# METADATA
# title: Binding to the system:masters group
# description: >-
#   Members of the Group system:masters bypass RBAC: the API server authorizes every
#   request they make before any RoleBinding or ClusterRoleBinding is consulted, and no
#   RBAC change can restrict or revoke that, only reissuing the credentials that carry the
#   group (usually client certificates, which cannot be revoked before they expire). A
#   binding that names system:masters as a subject therefore grants nothing its members
#   lack; at best it is redundant, and it signals that people or tools rely on the group
#   instead of on accounts RBAC can restrict. Every RoleBinding and ClusterRoleBinding
#   with a Group subject system:masters is reported, one finding per such subject,
#   except the bootstrap ClusterRoleBinding Kubernetes itself creates and reconciles: the
#   one named cluster-admin, bound to the ClusterRole cluster-admin and annotated
#   rbac.authorization.kubernetes.io/autoupdate "true" (with autoupdate "false" it is
#   reported, as the API server no longer manages it). A binding whose roleRef is not a
#   kind and a name is rejected by the API server and not reported.
# scope: package
# custom:
#   id: RF-RBAC-015
#   severity: medium
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}
#   remediation: >-
#     Remove system:masters from the binding's subjects and bind the role to a group or
#     user that RBAC can restrict. Keep system:masters for break-glass credentials that
#     are stored offline, and issue the certificates people and tools use day to day for
#     other groups.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.7: Avoid use of system:masters group"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
#   parameters: []
package ringfence.rules.rbac.system_masters_binding

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"ClusterRoleBinding", "RoleBinding"})
	core.group == "rbac.authorization.k8s.io"
	is_array(core.resource.subjects)
	some i, s in core.resource.subjects
	s.name == "system:masters"
	s.kind == "Group"
	role := role_ref
	not bootstrap_binding
	field := sprintf("subjects[%d]", [i])
	msg := sprintf(
		"%s: binds %s to Group system:masters, whose members bypass RBAC authorization",
		[core.display, role],
	)
}

# role_ref names the bound role as the message shows it ("ClusterRole view"); undefined
# when the roleRef is not an object with a string kind and name.
role_ref := sprintf("%s %s", [ref.kind, ref.name]) if {
	ref := core.resource.roleRef
	is_string(ref.kind)
	is_string(ref.name)
}

# bootstrap_binding is the ClusterRoleBinding cluster-admin that the API server creates
# and, while it is annotated autoupdate "true", reconciles at every start.
bootstrap_binding if {
	core.kind == "ClusterRoleBinding"
	core.metadata.name == "cluster-admin"
	core.resource.roleRef.kind == "ClusterRole"
	core.resource.roleRef.name == "cluster-admin"
	core.annotations["rbac.authorization.kubernetes.io/autoupdate"] == "true"
}
