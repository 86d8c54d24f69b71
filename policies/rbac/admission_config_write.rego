# METADATA
# title: Role writes admission webhook or policy configuration
# description: >-
#   create, update, patch, delete or deletecollection on validatingwebhookconfigurations
#   or mutatingwebhookconfigurations (admissionregistration.k8s.io) lets a subject send
#   every object written to the API server, secrets included, to a webhook of its choice,
#   have it rewrite them (mutating), or remove the webhooks that enforce policy. The same
#   verbs on validatingadmissionpolicies and validatingadmissionpolicybindings, and on
#   mutatingadmissionpolicies and mutatingadmissionpolicybindings, lift or replace the
#   in-process checks and mutations those enforce. resourceNames does not exempt
#   update, patch or delete: rewriting or removing one named configuration is enough.
#   A rule restricted by name grants no create or deletecollection, whose requests carry
#   no object name. Matching follows the RBAC authorizer ("*" in apiGroups, resources and
#   verbs). These resources are cluster-scoped, so only ClusterRoles grant them.
#   Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate are checked
#   themselves.
# scope: package
# custom:
#   id: RF-RBAC-010
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Reserve write access to admission configuration for cluster administrators and
#     the installer of each admission controller. A controller that only refreshes the
#     caBundle of its own webhook configuration still needs update or patch on it; exempt
#     that reviewed role with the ringfence.dev/exempt annotation.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.12: Minimize access to webhook configuration objects"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks
#     - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
#     - https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
#   parameters: []
package ringfence.rules.rbac.admission_config_write

import data.ringfence.lib.rbac

admission_resources := {
	"validatingwebhookconfigurations",
	"mutatingwebhookconfigurations",
	"validatingadmissionpolicies",
	"validatingadmissionpolicybindings",
	"mutatingadmissionpolicies",
	"mutatingadmissionpolicybindings",
}

write_verbs := {"create", "update", "patch", "delete", "deletecollection"}

deny contains f if {
	rbac.is_role
	rbac.cluster_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches one of admission_resources
# to the resources it matches, for rbac.matching.
resource_entries := {
	"validatingwebhookconfigurations": ["validatingwebhookconfigurations"],
	"mutatingwebhookconfigurations": ["mutatingwebhookconfigurations"],
	"validatingadmissionpolicies": ["validatingadmissionpolicies"],
	"validatingadmissionpolicybindings": ["validatingadmissionpolicybindings"],
	"mutatingadmissionpolicies": ["mutatingadmissionpolicies"],
	"mutatingadmissionpolicybindings": ["mutatingadmissionpolicybindings"],
	"*": [
		"mutatingadmissionpolicies", "mutatingadmissionpolicybindings", "mutatingwebhookconfigurations",
		"validatingadmissionpolicies", "validatingadmissionpolicybindings", "validatingwebhookconfigurations",
	],
}

grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	rbac.cluster_role
	some [i, resource] in rbac.matching(resource_entries)
	rule := rbac.rules[i]
	rbac.group_matches(rule, "admissionregistration.k8s.io")
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, write_verbs))
}
