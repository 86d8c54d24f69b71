# METADATA
# title: Pod Security warn or audit level weaker than enforce
# description: >-
#   Pod Security Admission applies the enforce level to pods only; workload objects
#   (Deployments, Jobs, ...) are checked by the warn and audit levels. When a namespace's
#   explicit warn or audit label names a weaker level than its enforce label, a workload
#   whose pods enforce rejects is accepted without the warning to the client (warn) or
#   the audit annotation (audit) that would have said so, and its pods fail later with
#   only a controller event. Only explicit, valid labels count: without a warn label,
#   upstream warns at the enforce level; invalid values are RF-POD-032's.
# scope: package
# custom:
#   id: RF-POD-034
#   severity: low
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Set pod-security.kubernetes.io/warn and pod-security.kubernetes.io/audit to the
#     enforce level or a stricter one (a stricter warn level is the usual way to prepare a
#     namespace for tightening enforce), or remove the warn label so that it follows
#     enforce.
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/#workload-resources-and-pod-templates
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
#   parameters: []
package ringfence.rules.pod.psa_weaker_warn_audit

import data.ringfence.lib.core
import data.ringfence.lib.psa

# What a weaker level of each mode leaves out.
missing := {
	"audit": "an audit annotation",
	"warn": "a warning",
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Namespace"
	core.group == ""
	enforce := core.labels[psa.enforce_label]
	psa.valid_level(enforce)
	some mode, what in missing
	key := psa.level_label[mode]
	level := core.labels[key]
	psa.valid_level(level)
	psa.level_rank[level] < psa.level_rank[enforce]
	field := sprintf("metadata.labels[\"%s\"]", [key])
	msg := sprintf(
		"%s: label %s is %q, weaker than %s %q, so workloads whose pods the %s level rejects are accepted without %s",
		[core.display, key, level, psa.enforce_label, enforce, enforce, what],
	)
}
