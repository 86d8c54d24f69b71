# METADATA
# title: Wildcard in a Role or ClusterRole rule
# description: >-
#   A "*" in a rule's verbs, resources, apiGroups or nonResourceURLs grants every verb,
#   resource, API group or non-resource endpoint, including ones that custom resources,
#   extension API servers and later Kubernetes versions add, so the role grants far more
#   than anyone reviewed. nonResourceURLs "*" is reported too: it opens every
#   non-resource endpoint (/metrics, /debug/pprof, /logs and whatever comes later).
#   Narrower wildcards ("*/scale", "/healthz/*") are not reported. Aggregated
#   ClusterRoles (with an aggregationRule) are skipped: the controller replaces their
#   rules with those of the ClusterRoles they select, which are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-003
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     List the verbs, resources, API groups and non-resource URLs the role's subjects
#     actually use instead of "*".
#   references:
#     - "CIS Kubernetes Benchmark 5.1.3: Minimize wildcard use in Roles and ClusterRoles"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   parameters: []
package ringfence.rules.rbac.wildcard_rules

import data.ringfence.lib.core
import data.ringfence.lib.rbac

# wildcard_fields maps each rule field to what "*" in it matches, for the message.
wildcard_fields := {
	"verbs": "verb",
	"resources": "resource",
	"apiGroups": "API group",
	"nonResourceURLs": "non-resource URL",
}

deny contains {"msg": msg, "field": field} if {
	rbac.is_role
	some i, rule in rbac.rules
	some attr, what in wildcard_fields
	"*" in rule[attr]
	is_array(rule[attr])
	field := sprintf("rules[%d].%s", [i, attr])
	msg := sprintf("%s: %s contains \"*\", which matches every %s", [core.display, field, what])
}
