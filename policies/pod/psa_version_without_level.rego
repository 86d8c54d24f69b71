# METADATA
# title: Pod Security version label without its level label
# description: >-
#   A pod-security.kubernetes.io/<mode>-version label only pins the version of the checks
#   of that mode's level. Without the pod-security.kubernetes.io/<mode> label it pins the
#   version of the cluster's default level, which is privileged (and privileged has no
#   checks to version) unless the API server's AdmissionConfiguration sets another: the
#   label usually means the level label was forgotten or misspelt. A warn-version label
#   is not reported when the namespace's enforce level sets the warn level (a valid
#   enforce label stricter than privileged and no warn label), since upstream then checks
#   warnings at the enforce level and the warn-version label's version.
# scope: package
# custom:
#   id: RF-POD-033
#   severity: low
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Add the level label the version belongs to (for example
#     pod-security.kubernetes.io/enforce=baseline beside enforce-version=v1.30), or remove
#     the version label.
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
#   parameters: []
package ringfence.rules.pod.psa_version_without_level

import data.ringfence.lib.core
import data.ringfence.lib.psa

deny contains {"msg": msg, "field": field} if {
	core.kind == "Namespace"
	core.group == ""
	some key, _ in core.labels
	mode := psa.version_mode[key]
	not psa.has_label(core.labels, psa.level_label[mode])
	not versions_inherited_warn(mode)
	field := sprintf("metadata.labels[\"%s\"]", [key])
	msg := sprintf(
		"%s: label %s is set without %s, so it only pins the version of the cluster's default %s level (privileged, which has no versions, unless the API server's AdmissionConfiguration sets another)",
		[core.display, key, psa.level_label[mode], mode],
	)
}

# versions_inherited_warn is true for warn when upstream takes the warn level from the
# enforce label (with the cluster's default warn level, privileged).
versions_inherited_warn(mode) if {
	mode == "warn"
	psa.warn_inherits_enforce(core.labels, psa.cluster_defaults.warn.level)
}
