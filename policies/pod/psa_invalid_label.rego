# METADATA
# title: Pod Security label the admission controller cannot read
# description: >-
#   Pod Security Admission accepts only privileged, baseline or restricted in its level
#   labels and latest or v1.N in its version labels; anything else, an empty value or a
#   different case included, is replaced without a word in the namespace: an enforce level
#   it cannot read is enforced as restricted (pods the author meant to allow are
#   rejected), an audit or warn level as privileged (nothing is audited or warned about),
#   and a version as latest. Keys under pod-security.kubernetes.io/ other than the six it
#   reads (enforce, audit, warn and their -version labels), typos such as
#   enforce-verison, are ignored, so the setting they were meant to make is missing.
# scope: package
# custom:
#   id: RF-POD-032
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Set level labels to privileged, baseline or restricted and version labels to latest
#     or v1.N (v1.30, not 1.30, v1.30.0 or v1.030), and correct or remove misspelt keys
#     under pod-security.kubernetes.io/. The API server also warns about invalid values
#     when the namespace is applied.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
#     - https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/
#   parameters: []
package ringfence.rules.pod.psa_invalid_label

import data.ringfence.lib.core
import data.ringfence.lib.psa

# What upstream does with a level label it cannot parse, per mode.
level_effect := {
	"enforce": "reads it as restricted",
	"audit": "reads it as privileged and audits nothing",
	"warn": "reads it as privileged and warns about nothing",
}

deny contains {"msg": msg, "field": field(key)} if {
	core.kind == "Namespace"
	core.group == ""
	some key, value in core.labels
	mode := psa.level_mode[key]
	not psa.valid_level(value)
	msg := sprintf(
		"%s: label %s is %s, not privileged, baseline or restricted, so Pod Security admission %s",
		[core.display, key, show(value), level_effect[mode]],
	)
}

deny contains {"msg": msg, "field": field(key)} if {
	core.kind == "Namespace"
	core.group == ""
	some key, value in core.labels
	psa.version_mode[key]
	not psa.valid_version(value)
	msg := sprintf(
		"%s: label %s is %s, not latest or v1.N, so Pod Security admission reads it as latest",
		[core.display, key, show(value)],
	)
}

deny contains {"msg": msg, "field": field(key)} if {
	core.kind == "Namespace"
	core.group == ""
	some key, value in core.labels
	is_string(key)
	startswith(lower(key), psa.label_prefix)
	not key in psa.known_labels
	msg := sprintf(
		"%s: label %s (value %s) is not one of the Pod Security admission labels (enforce, audit, warn and their -version labels under %s), so Pod Security admission ignores it",
		[core.display, key, show(value), psa.label_prefix],
	)
}

field(key) := sprintf("metadata.labels[\"%s\"]", [key])

# show quotes a label value as a manifest would write it.
show(value) := sprintf("%q", [value]) if {
	is_string(value)
} else := json.marshal(value)
