# METADATA
# title: ingress-nginx controller image older than its security fixes
# description: >-
#   ingress-nginx controllers before v1.11.5 and v1.12.1 are open to IngressNightmare
#   (CVE-2025-1974: anyone who can reach the admission webhook on the pod network runs
#   code in the controller, which can read every Secret of the cluster) and its sibling
#   configuration injections CVE-2025-1097, CVE-2025-1098, CVE-2025-24513 and
#   CVE-2025-24514. Later advisories fixed further injections only in newer lines:
#   CVE-2025-15566 (v1.12.5, v1.13.1), CVE-2026-1580 and CVE-2026-24512 (v1.13.7,
#   v1.14.3) and CVE-2026-3288 (v1.14.4, v1.15.0), so every release line before v1.14 is
#   vulnerable whatever its patch number. Init, regular and ephemeral containers of every
#   workload kind running registry.k8s.io/ingress-nginx/controller or controller-chroot
#   (also from k8s.gcr.io) or the retired quay.io/kubernetes-ingress-controller/nginx-ingress-controller
#   are checked by tag (v1.12.0, 1.12.0, v1.12.0@sha256:...; pre-releases count as older
#   than their release). Images referenced by digest only, or with tags that are not
#   versions, are not reported: the version cannot be read from the reference.
# scope: package
# custom:
#   id: RF-PATCH-002
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Pod}
#     - {apiVersion: v1, kind: PodTemplate}
#     - {apiVersion: v1, kind: ReplicationController}
#     - {apiVersion: apps/v1, kind: Deployment}
#     - {apiVersion: apps/v1, kind: StatefulSet}
#     - {apiVersion: apps/v1, kind: DaemonSet}
#     - {apiVersion: apps/v1, kind: ReplicaSet}
#     - {apiVersion: extensions/v1beta1, kind: Deployment}
#     - {apiVersion: extensions/v1beta1, kind: DaemonSet}
#     - {apiVersion: extensions/v1beta1, kind: ReplicaSet}
#     - {apiVersion: batch/v1, kind: Job}
#     - {apiVersion: batch/v1, kind: CronJob}
#   remediation: >-
#     Upgrade the controller to v1.14.4, v1.15.0 or later (with the Helm chart, a chart
#     version that ships it). Until then, restrict who may create or update Ingresses,
#     keep the admission webhook reachable only from the API server (a NetworkPolicy on
#     the controller's webhook port), or disable the validating webhook as the advisories
#     describe.
#   references:
#     - "CVE-2025-1974: ingress-nginx admission controller RCE escalation (IngressNightmare): https://github.com/kubernetes/kubernetes/issues/131009"
#     - "CVE-2025-1097: configuration injection via unsanitized auth-tls-match-cn annotation: https://github.com/kubernetes/kubernetes/issues/131007"
#     - "CVE-2025-1098: configuration injection via unsanitized mirror annotations: https://github.com/kubernetes/kubernetes/issues/131008"
#     - "CVE-2025-24513: auth secret file path traversal: https://github.com/kubernetes/kubernetes/issues/131005"
#     - "CVE-2025-24514: configuration injection via unsanitized auth-url annotation: https://github.com/kubernetes/kubernetes/issues/131006"
#     - "CVE-2025-15566: auth-proxy-set-headers nginx configuration injection: https://github.com/kubernetes/kubernetes/issues/136789"
#     - "CVE-2026-1580: auth-method nginx configuration injection: https://github.com/kubernetes/kubernetes/issues/136677"
#     - "CVE-2026-24512: rules.http.paths.path nginx configuration injection: https://github.com/kubernetes/kubernetes/issues/136678"
#     - "CVE-2026-3288: rewrite-target nginx configuration injection: https://github.com/kubernetes/kubernetes/issues/137560"
#     - https://kubernetes.io/blog/2025/03/24/ingress-nginx-cve-2025-1974/
#     - https://kubernetes.github.io/ingress-nginx/deploy/upgrade/
#   parameters: []
package ringfence.rules.patching.ingress_nginx_vulnerable

import data.ringfence.lib.core
import data.ringfence.lib.image

# repositories are the ingress-nginx controller images, with their registry.
repositories := {
	"registry.k8s.io/ingress-nginx/controller",
	"registry.k8s.io/ingress-nginx/controller-chroot",
	"k8s.gcr.io/ingress-nginx/controller",
	"k8s.gcr.io/ingress-nginx/controller-chroot",
	"quay.io/kubernetes-ingress-controller/nginx-ingress-controller",
}

# cves lists the advisories in the order they were published, each with the first fixed
# patch release of every line that got a fix (minor -> patch). Lines older than the
# oldest fixed line never got the fix; lines newer than the newest were released with it.
cves := [
	{"id": "CVE-2025-1974", "fixed": {11: 5, 12: 1}},
	{"id": "CVE-2025-1097", "fixed": {11: 5, 12: 1}},
	{"id": "CVE-2025-1098", "fixed": {11: 5, 12: 1}},
	{"id": "CVE-2025-24513", "fixed": {11: 5, 12: 1}},
	{"id": "CVE-2025-24514", "fixed": {11: 5, 12: 1}},
	{"id": "CVE-2025-15566", "fixed": {12: 5, 13: 1}},
	{"id": "CVE-2026-1580", "fixed": {13: 7, 14: 3}},
	{"id": "CVE-2026-24512", "fixed": {13: 7, 14: 3}},
	{"id": "CVE-2026-3288", "fixed": {14: 4, 15: 0}},
]

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	ref := c.container.image
	is_string(ref)

	# Every controller repository has "ingress" in its path, which a well-formed
	# reference writes in lower case: a cheap test that skips every other image.
	contains(ref, "ingress")
	image.well_formed(ref)
	lower(image.repository(ref)) in repositories
	v := version(image.tag(ref))
	missing := [cve.id | some cve in cves; affected(cve, v)]
	count(missing) > 0
	field := sprintf("%s.image", [c.path])
	msg := sprintf("%s: container %q image %q is an ingress-nginx controller without the fixes for %s; upgrade to %s or later", [
		core.display, c.name, ref, concat(", ", missing), concat(", ", upgrade_targets),
	])
}

# version parses a release tag (v1.12.0, 1.12.0, v1.12.0-beta.0) into its numbers; it is
# undefined for other tags (latest, a branch name, "" when there is none).
version(tag) := {"major": to_number(m[1]), "minor": to_number(m[2]), "patch": to_number(m[3]), "pre": m[4] != ""} if {
	matches := regex.find_all_string_submatch_n(`^v?([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})(-[0-9A-Za-z.-]+)?$`, tag, 1)
	count(matches) == 1
	m := matches[0]
}

affected(_, v) if v.major == 0

affected(cve, v) if {
	v.major == 1
	behind(cve.fixed, v)
}

# behind is true when version v (1.x) lacks the fix that the lines in fixed (minor ->
# first fixed patch) got. Advisories share these maps, and each is checked once.
behind(fixed, v) if v.minor < min(object.keys(fixed))

behind(fixed, v) if v.patch < fixed[v.minor]

# A pre-release of the fixed version (v1.12.1-beta.0) comes before the fix.
behind(fixed, v) if {
	v.patch == fixed[v.minor]
	v.pre
}

# upgrade_targets are the first releases with every fix, one per line that has them all:
# ["v1.14.4", "v1.15.0"].
upgrade_targets := [sprintf("v1.%d.%d", [line, patch]) |
	some line in sort(fixed_lines)
	patch := max({p | some cve in cves; p := object.get(cve.fixed, line, 0)})
]

# fixed_lines are the lines that got every fix: those from the newest of the advisories'
# oldest fixed lines on.
fixed_lines := {line |
	some cve in cves
	some line, _ in cve.fixed
	line >= first_line_with_every_fix
}

first_line_with_every_fix := max({min(object.keys(cve.fixed)) | some cve in cves})
