# METADATA
# title: Role grants escalate, bind or impersonate
# description: >-
#   escalate on roles or clusterroles (rbac.authorization.k8s.io) lets a subject write
#   roles with permissions it does not hold, bind lets it bind roles whose permissions it
#   does not hold, and impersonate on users, groups or serviceaccounts (core group) or on
#   uids and userextras/<key> (authentication.k8s.io) lets it act as anyone it may
#   impersonate: each sidesteps the API server's protection against privilege
#   escalation. Matching follows the RBAC authorizer ("*", "*/<key>" for user extras; a
#   plain userextras grants no key). resourceNames does not exempt a rule: the names it
#   lists are the roles that may be bound or escalated and the identities that may be
#   impersonated, and those may be the most privileged ones (cluster-admin,
#   system:masters). A Role's rules apply only in its namespace, so in a Role only
#   escalate on roles, bind on roles and clusterroles (RoleBindings in that namespace)
#   and impersonate on serviceaccounts count; the rest are cluster-scoped requests only
#   a ClusterRole grants. Aggregated ClusterRoles are skipped; the ClusterRoles they
#   aggregate are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-005
#   severity: critical
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Remove escalate, bind and impersonate from roles that do not need them. Grant bind
#     only on the roles a delegating administrator hands out, with resourceNames, and
#     impersonate only on the identities a proxy must act as; exempt such reviewed roles
#     with the ringfence.dev/exempt annotation.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#bind-verb
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#impersonate-verb
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
#     - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation
#   parameters: []
package ringfence.rules.rbac.escalation_verbs

import data.ringfence.lib.rbac

# targets maps each resource to its API group, the verbs that matter on it, and those of
# them a Role grants (the rest are checked as cluster-scoped requests).
targets := {
	"roles": {"group": "rbac.authorization.k8s.io", "verbs": {"escalate", "bind"}, "role_verbs": {"escalate", "bind"}},
	"clusterroles": {"group": "rbac.authorization.k8s.io", "verbs": {"escalate", "bind"}, "role_verbs": {"bind"}},
	"users": {"group": "", "verbs": {"impersonate"}, "role_verbs": set()},
	"groups": {"group": "", "verbs": {"impersonate"}, "role_verbs": set()},
	"serviceaccounts": {"group": "", "verbs": {"impersonate"}, "role_verbs": {"impersonate"}},
	"uids": {"group": "authentication.k8s.io", "verbs": {"impersonate"}, "role_verbs": set()},
}

deny contains f if {
	rbac.is_role
	relevant
	some f in rbac.findings(grants)
}

# relevant is true when the role lists a resource that grants can match, so that roles
# that cannot grant any of them are skipped at once.
relevant if {
	rbac.resources_listed & object.keys(resource_entries) != set()
} else if {
	rbac.cluster_role
	some r in rbac.resources_listed
	extra_resource(r)
}

# resource_entries maps each resources entry that matches one of the targets to the
# resources it matches, for rbac.matching.
resource_entries := {
	"roles": ["roles"],
	"clusterroles": ["clusterroles"],
	"users": ["users"],
	"groups": ["groups"],
	"serviceaccounts": ["serviceaccounts"],
	"uids": ["uids"],
	"*": ["clusterroles", "groups", "roles", "serviceaccounts", "uids", "users"],
}

grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	some [i, resource] in rbac.matching(resource_entries)
	t := targets[resource]
	rule := rbac.rules[i]
	rbac.group_matches(rule, t.group)
	verbs := rbac.verb_labels(rule, wanted(t))
}

# User extras are the subresources of userextras, one per extra key, and cluster-scoped.
grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	rbac.cluster_role
	some i, rule in rbac.rules
	rbac.group_matches(rule, "authentication.k8s.io")
	some resource in {extra_resource(r) | some r in rbac.array_field(rule, "resources")}
	verbs := rbac.verb_labels(rule, {"impersonate"})
}

wanted(t) := t.verbs if rbac.cluster_role

else := t.role_verbs

# extra_resource names the user extras a resources entry matches: "*" every key
# ("userextras/*"), "userextras/<key>" and "*/<key>" that key; undefined otherwise.
extra_resource(r) := "userextras/*" if {
	r == "*"
} else := r if {
	is_string(r)
	startswith(r, "userextras/")
	r != "userextras/"
} else := concat("", ["userextras/", substring(r, 2, -1)]) if {
	is_string(r)
	startswith(r, "*/")
	r != "*/"
}
