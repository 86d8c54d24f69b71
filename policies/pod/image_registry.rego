# METADATA
# title: Image from a registry outside the allow-list
# description: >-
#   Images pulled from arbitrary registries bypass the scanning, signing and provenance
#   controls an organisation applies to its own. An image without a registry host comes
#   from docker.io: its first path component names a registry only when it contains a "."
#   or a ":" or is localhost. Init, regular and ephemeral containers are checked. With the
#   default empty allowed_registries the rule reports nothing.
# scope: package
# custom:
#   id: RF-POD-009
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
#     Mirror the image into an approved registry and reference it from there, or add the
#     registry (or a repository prefix such as ghcr.io/myorg/) to allowed_registries.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Build secure container images"
#     - https://kubernetes.io/docs/concepts/containers/images/#image-names
#     - https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/
#   parameters:
#     - name: allowed_registries
#       type: array
#       items: string
#       default: []
#       description: >-
#         registries images may come from: a registry host (with its port, if any) that
#         must match exactly, such as registry.example.com or registry:5000, or a
#         repository prefix ending in "/", such as ghcr.io/myorg/ or docker.io/library/;
#         empty disables the rule
package ringfence.rules.pod.image_registry

import data.ringfence.lib.core
import data.ringfence.lib.image

deny contains {"msg": msg, "field": field} if {
	# Without allowed registries the rule is off: test that before anything else.
	registries := allowed
	some c in core.containers
	ref := c.container.image
	image.well_formed(ref)
	not listed(registries, ref)
	field := sprintf("%s.image", [c.path])
	msg := sprintf("%s: container %q image %q comes from registry %q, which allowed_registries does not list", [core.display, c.name, ref, image.registry(ref)])
}

# allowed is the allowed_registries parameter when it lists registries; with none the
# rule reports nothing (it is then undefined).
allowed := registries if {
	registries := core.parameter(rego.metadata.chain(), "allowed_registries")
	is_array(registries)
	count(registries) > 0
}

# listed is true when an entry names the image's registry host exactly, or is a prefix
# ending in "/" of its full repository name.
listed(allowed, ref) if {
	some entry in allowed
	entry == image.registry(ref)
}

listed(allowed, ref) if {
	some entry in allowed
	is_string(entry)
	endswith(entry, "/")
	startswith(concat("", [image.repository(ref), "/"]), entry)
}
