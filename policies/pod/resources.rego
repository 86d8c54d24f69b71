# METADATA
# title: Container without resource requests or limits
# description: >-
#   A container without a memory limit can take all of its node's memory and get other
#   pods evicted or killed; one without a CPU limit can starve its neighbours; one
#   without requests is scheduled as if it needed nothing and is the first evicted under
#   pressure. Each resource named in the required parameter ("requests.<resource>" or
#   "limits.<resource>") is checked on every init and regular container (the API forbids
#   resources on ephemeral containers) and counts as set, as the API server and the
#   LimitRanger admission plugin would make it, when the container sets it (zero
#   included), when it is a request and the container sets the limit (the request
#   defaults to the limit), when the pod spec's pod-level resources (spec.resources)
#   set it (a pod-level limit also sets the pod-level request), or when a LimitRange of
#   type Container in the object's namespace defaults it: default (or max) for limits,
#   defaultRequest (or default, max or min) for requests. LimitRanges are looked up in
#   the inventory; without one, none counts.
# scope: package
# custom:
#   id: RF-POD-025
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
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: LimitRange}
#   remediation: >-
#     Set resources.requests and resources.limits for CPU and memory on every init and
#     regular container, or pod-level resources in the pod spec, or give the namespace a
#     LimitRange of type Container with default and defaultRequest values. Drop
#     limits.cpu from the required parameter if you prefer not to throttle CPU.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (resource policies)"
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     - https://kubernetes.io/docs/concepts/policy/limit-range/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/
#   parameters:
#     - name: required
#       type: array
#       items: string
#       default: ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
#       description: >-
#         the requests and limits every container must have, as "requests.<resource>" or
#         "limits.<resource>"; other entries are ignored
package ringfence.rules.pod.resources

import data.ringfence.lib.core
import data.ringfence.lib.inventory

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	not contains(c.path, ".ephemeralContainers[")
	some [section, resource] in ((uncovered - provided(c.container)) - provided(c.pod_spec))
	field := sprintf("%s.resources.%s.%s", [c.path, section, resource])
	msg := sprintf(
		"%s: container %q sets no %s %s (resources.%s.%s) and neither pod-level resources nor a LimitRange in the namespace supply one",
		[core.display, c.name, resource, singular[section], section, resource],
	)
}

singular := {"requests": "request", "limits": "limit"}

# uncovered holds the required [section, resource] pairs that no LimitRange of the
# namespace supplies: each container (or its pod spec) must set them itself. It is
# computed once for the object.
uncovered := required - limit_range_provides

# required holds the [section, resource] pairs of the required parameter, such as
# ["limits", "memory"]; the resource is everything after the first dot
# ("limits.nvidia.com/gpu" is ["limits", "nvidia.com/gpu"]).
required := {[section, resource] |
	entries := core.parameter(rego.metadata.chain(), "required")
	is_array(entries)
	some entry in entries
	is_string(entry)
	[[_, section, resource]] := regex.find_all_string_submatch_n(`(?s)^(requests|limits)\.(.+)$`, entry, 1)
}

# Ephemeral containers, which may not set resources, are skipped: a container's path
# names its list (spec.template.spec.ephemeralContainers[0]), and pod spec paths never
# contain ".ephemeralContainers[".

# provided holds the [section, resource] pairs a container (resources) or a pod spec
# (pod-level resources, PodLevelResources, which cover every container of the pod) sets.
provided(x) := {[section, resource] |
	some section, values in x.resources
	some resource, q in values
	quantity(q)
} | limited_requests(x)

# The API server defaults a missing request to the limit (the container's, or the
# pod-level one).
limited_requests(x) := {["requests", resource] |
	some resource, q in x.resources.limits
	quantity(q)
}

# limit_range_provides holds the [section, resource] pairs a LimitRange of type Container
# in the object's namespace defaults for containers that do not set them.
limit_range_provides := {[section, resource] |
	some limit_range in inventory.namespaced(core.namespace, "LimitRange")
	items := limit_range.spec.limits
	is_array(items)
	some item in items
	item.type == "Container"
	some section, fields in limit_range_fields
	some field in fields
	is_object(item[field])
	some resource, q in item[field]
	quantity(q)
}

# limit_range_fields lists, per section, the LimitRange item fields that default it. The
# API server defaults a Container item's default from max and its defaultRequest from
# default, then from min; the LimitRanger plugin applies default as the container's
# limit and defaultRequest as its request.
limit_range_fields := {
	"limits": ["default", "max"],
	"requests": ["defaultRequest", "default", "max", "min"],
}

# quantity is true for a value that sets a quantity: a number or a non-empty string
# ("0" included).
quantity(q) if is_number(q)

quantity(q) if {
	is_string(q)
	q != ""
}
