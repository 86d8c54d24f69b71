# METADATA
# title: Mutable image not pulled on every start
# description: >-
#   With imagePullPolicy IfNotPresent or Never, a node runs whatever image it cached
#   under a mutable tag: nodes drift apart when the tag moves, and an image cached on the
#   node is started without the registry checking the pod's pull credentials. The API
#   server defaults imagePullPolicy to Always only for the latest tag or no tag, and to
#   IfNotPresent for any other tag, so an unset policy with a version tag counts as
#   IfNotPresent. Images pinned by digest are immutable and are not reported.
# scope: package
# custom:
#   id: RF-POD-010
#   severity: low
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
#     Pin the image by digest (the preferred fix, see RF-POD-007), or set
#     imagePullPolicy to Always so every container start resolves the tag against the
#     registry and checks the pod's pull credentials.
#   references:
#     - https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
#     - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages
#     - "NSA/CISA Kubernetes Hardening Guide: Build secure container images"
#   parameters: []
package ringfence.rules.pod.image_pull_policy

import data.ringfence.lib.core
import data.ringfence.lib.image

# An explicit IfNotPresent or Never on a tag without a digest.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	policy := c.container.imagePullPolicy
	cached_policies[policy]
	ref := c.container.image
	image.well_formed(ref)

	# A well-formed reference has at most one "@", before its digest: without one, it
	# has no digest (image.digest is "").
	not contains(ref, "@")
	field := sprintf("%s.imagePullPolicy", [c.path])
	msg := sprintf("%s: container %q image %q is a mutable tag pulled with imagePullPolicy %s", [core.display, c.name, ref, policy])
}

# No policy and a tag other than latest: the API server defaults it to IfNotPresent.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	not has_policy(c.container)
	ref := c.container.image
	image.well_formed(ref)
	not contains(ref, "@")
	not image.tag(ref) in {"", "latest"}
	field := sprintf("%s.image", [c.path])
	msg := sprintf("%s: container %q image %q is a mutable tag and imagePullPolicy defaults to IfNotPresent", [core.display, c.name, ref])
}

cached_policies := {"IfNotPresent", "Never"}

# has_policy is true when the container sets imagePullPolicy (an empty string is unset).
has_policy(ctr) if {
	is_string(ctr.imagePullPolicy)
	ctr.imagePullPolicy != ""
}
