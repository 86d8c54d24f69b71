# METADATA
# title: HostPath volume
# description: >-
#   A hostPath volume mounts a file or directory of the node into the pod. Depending on
#   the path it exposes the container runtime socket, kubelet credentials, other pods'
#   data or the node's configuration, and a writable mount is a direct route to taking
#   over the node. Every volume with a hostPath is reported, whatever its path, type or
#   mounts, as the Pod Security Standards baseline forbids them all.
# scope: package
# custom:
#   id: RF-POD-006
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
#     Replace the hostPath volume with an emptyDir, a ConfigMap, Secret or projected
#     volume, or a PersistentVolumeClaim. Node agents that must read the host should mount
#     the narrowest path read-only (readOnly: true on the volumeMount) and run in a
#     dedicated, tightly controlled namespace.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.12: Minimize the admission of HostPath volumes"
#     - "Pod Security Standards (baseline): HostPath Volumes"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#   parameters: []
package ringfence.rules.pod.host_path

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some ps in core.pod_specs
	volumes := ps.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	host_path := volume.hostPath
	is_object(host_path)
	field := sprintf("%s.volumes[%d].hostPath", [ps.path, i])
	msg := message(volume_name(volume), host_path)
}

message(name, host_path) := sprintf("%s: volume %q mounts host path %q", [core.display, name, host_path.path]) if {
	is_string(host_path.path)
} else := sprintf("%s: volume %q is a hostPath volume without a path", [core.display, name])

volume_name(volume) := volume.name if is_string(volume.name)

else := "<unnamed>"
