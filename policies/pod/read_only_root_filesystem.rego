# METADATA
# title: Root filesystem not read-only
# description: >-
#   Unless a container sets securityContext.readOnlyRootFilesystem to true, its processes
#   can write to the container's root filesystem: an attacker who gets in can drop tools,
#   change binaries or configuration, and keep what they wrote for the container's
#   lifetime. Kubernetes leaves the root filesystem writable by default. Init, regular and
#   ephemeral containers are checked. Windows pods (spec.os.name "windows") are exempt:
#   the field is not supported there and the API server rejects it on Windows pods.
# scope: package
# custom:
#   id: RF-POD-024
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
#     Set securityContext.readOnlyRootFilesystem to true on every container (init and
#     ephemeral containers included) and mount an emptyDir volume (medium Memory for small
#     scratch space) at each path the application must write to, such as /tmp or a cache
#     directory.
#   references:
#     - "CIS Kubernetes Benchmark 5.7.3: Apply Security Context to Your Pods and Containers"
#     - "NSA/CISA Kubernetes Hardening Guide: Immutable container file systems"
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1
#   parameters: []
package ringfence.rules.pod.read_only_root_filesystem

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	what := writable(c.container)
	not core.windows(c.pod_spec)
	field := sprintf("%s.securityContext.readOnlyRootFilesystem", [c.path])
	msg := sprintf("%s: container %q %s", [core.display, c.name, what])
}

# writable says how the container leaves its root filesystem writable: explicitly, or by
# saying nothing (or something that is not a boolean). It is undefined when the
# container sets readOnlyRootFilesystem to true.
writable(ctr) := "sets securityContext.readOnlyRootFilesystem to false" if {
	ctr.securityContext.readOnlyRootFilesystem == false
} else := "does not set securityContext.readOnlyRootFilesystem to true" if {
	not sets_boolean(ctr)
}

# sets_boolean is true when the container sets readOnlyRootFilesystem to true or false.
sets_boolean(ctr) if is_boolean(ctr.securityContext.readOnlyRootFilesystem)
