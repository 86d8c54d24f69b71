# METADATA
# title: Binding to anonymous, unauthenticated or all authenticated users
# description: >-
#   A RoleBinding or ClusterRoleBinding whose subjects include the User system:anonymous
#   or the Group system:unauthenticated grants its role to every request the API server
#   does not authenticate (when anonymous authentication is on, as it is by default),
#   that is to anyone who can reach the API server. The Group system:authenticated is
#   hardly narrower: it holds every user with any valid credential and every service
#   account of every namespace, so one compromised pod, or on some managed platforms any
#   account of the cloud provider, gets the role. Kubernetes' own bootstrap bindings give
#   these groups only the discovery and self-review roles listed in allowed_role_refs,
#   which are not reported; any other role bound to one of these subjects is, one finding
#   per such subject. That includes system:discovery and system:basic-user bound to
#   system:unauthenticated, which clusters upgraded from before Kubernetes 1.14 still
#   carry. The severity is critical for all three subjects: for anonymous and
#   unauthenticated requests the role is public, and for system:authenticated it reaches
#   every workload's credentials, whatever the role grants. A binding whose roleRef is
#   not a kind and a name is rejected by the API server and not reported.
# scope: package
# custom:
#   id: RF-RBAC-016
#   severity: critical
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}
#   remediation: >-
#     Bind the role to the users, groups or service accounts that need it instead of to
#     system:anonymous, system:unauthenticated or system:authenticated, and turn off
#     anonymous authentication (--anonymous-auth=false, or an AuthenticationConfiguration
#     that allows it only for the health endpoints) where nothing needs it. Add a binding
#     that genuinely must stay to allowed_role_refs.
#   references:
#     - "CIS Kubernetes Benchmark 1.2.1: Ensure that the --anonymous-auth argument is set to false"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization"
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
#     - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   parameters:
#     - name: allowed_role_refs
#       type: array
#       items: string
#       default:
#         - "Group:system:authenticated=ClusterRole:system:basic-user"
#         - "Group:system:authenticated=ClusterRole:system:discovery"
#         - "Group:system:authenticated=ClusterRole:system:public-info-viewer"
#         - "Group:system:unauthenticated=ClusterRole:system:public-info-viewer"
#       description: >-
#         the roles each of these subjects may be bound to, written
#         Subject=RoleKind:role-name, with the subject as User:system:anonymous,
#         Group:system:unauthenticated or Group:system:authenticated and the roleRef's
#         kind (ClusterRole or Role) and name; the defaults are the bindings Kubernetes
#         creates itself
package ringfence.rules.rbac.public_subjects

import data.ringfence.lib.core

# public_subjects maps the subjects this rule looks for, by kind and name, to what the
# message says about them.
public_subjects := {
	"User": {"system:anonymous": "the user of every unauthenticated request"},
	"Group": {
		"system:unauthenticated": "the group of every unauthenticated request",
		"system:authenticated": "the group of every authenticated user and service account",
	},
}

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"ClusterRoleBinding", "RoleBinding"})
	core.group == "rbac.authorization.k8s.io"
	is_array(core.resource.subjects)
	some i, s in core.resource.subjects
	who := public_subjects[s.kind][s.name]
	ref := role_ref
	subject := concat(":", [s.kind, s.name])
	not allowed_role_refs[concat("=", [subject, ref.key])]
	field := sprintf("subjects[%d]", [i])
	msg := sprintf("%s: binds %s to %s %s, %s", [core.display, ref.display, s.kind, s.name, who])
}

# role_ref is the bound role as allowed_role_refs writes it ("ClusterRole:view") and as
# the message shows it ("ClusterRole view"); undefined when the roleRef is not an object
# with a string kind and name.
role_ref := {"key": concat(":", [ref.kind, ref.name]), "display": concat(" ", [ref.kind, ref.name])} if {
	ref := core.resource.roleRef
	is_string(ref.kind)
	is_string(ref.name)
}

allowed_role_refs contains a if {
	allowed := core.parameter(rego.metadata.chain(), "allowed_role_refs")
	is_array(allowed)
	some a in allowed
	is_string(a)
}
