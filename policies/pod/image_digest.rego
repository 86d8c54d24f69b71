# METADATA
# title: Image not pinned by digest
# description: >-
#   An image referenced by tag can change under the same name: whoever can push to the
#   repository (or intercept the registry) decides what runs the next time a node pulls it.
#   A digest (@sha256:...) names exactly one image. Init, regular and ephemeral containers
#   are checked; values that are not well-formed image references are left alone.
# scope: package
# custom:
#   id: RF-POD-007
#   severity: medium
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
#     Reference the image by digest, for example registry.example.com/app:1.4@sha256:<digest>
#     (the tag may stay for readers; the digest decides what is pulled), and let a tool such
#     as Renovate or Dependabot update the digest.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Build secure container images"
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
#     - https://kubernetes.io/docs/concepts/configuration/overview/#container-images
#   parameters: []
package ringfence.rules.pod.image_digest

import data.ringfence.lib.core
import data.ringfence.lib.image

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	ref := c.container.image
	image.well_formed(ref)

	# A well-formed reference has at most one "@", before its digest: without one, it
	# has no digest (image.digest is "").
	not contains(ref, "@")
	field := sprintf("%s.image", [c.path])
	msg := sprintf("%s: container %q image %q is not pinned by digest", [core.display, c.name, ref])
}
