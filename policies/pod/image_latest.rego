# METADATA
# title: Image tagged latest or untagged
# description: >-
#   An image with the latest tag, or with no tag (which means latest), and no digest
#   names whatever was pushed last: pods of one workload can run different code, a rollback
#   cannot return to a known version, and a compromised push is picked up silently. Init,
#   regular and ephemeral containers are checked; a digest pins the image whatever the tag.
# scope: package
# custom:
#   id: RF-POD-008
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
#     Reference a specific version tag, and preferably a digest
#     (registry.example.com/app:1.4@sha256:<digest>), never latest or a bare repository name.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Build secure container images"
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
#     - https://kubernetes.io/docs/concepts/configuration/overview/#container-images
#   parameters: []
package ringfence.rules.pod.image_latest

import data.ringfence.lib.core
import data.ringfence.lib.image

# An image with the latest tag, or with no tag at all, and no digest.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	ref := c.container.image
	image.well_formed(ref)

	# A well-formed reference has at most one "@", before its digest: without one, it
	# has no digest (image.digest is "").
	not contains(ref, "@")
	what := latest_tags[image.tag(ref)]
	field := sprintf("%s.image", [c.path])
	msg := sprintf("%s: container %q image %q %s", [core.display, c.name, ref, what])
}

# latest_tags maps the tags that pull latest to what the message says about them.
latest_tags := {
	"latest": "uses the latest tag without a digest",
	"": "has no tag and no digest, so it pulls latest",
}
