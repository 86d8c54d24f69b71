# METADATA
# title: Privileged container
# description: >-
#   A privileged container runs with every Linux capability and direct access to the
#   node's devices; it can load kernel modules, reconfigure the host network and escape
#   to the node.
# scope: package
# custom:
#   id: RF-POD-001
#   severity: critical
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
#     Remove securityContext.privileged or set it to false; grant only the specific
#     capabilities the container needs with securityContext.capabilities.add.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.2: Minimize the admission of privileged containers"
#     - "Pod Security Standards (baseline): Privileged Containers"
#     - "NSA/CISA Kubernetes Hardening Guide: Non-root containers and rootless container engines"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#   parameters: []
package ringfence.rules.pod.privileged

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	c.container.securityContext.privileged == true
	field := sprintf("%s.securityContext.privileged", [c.path])
	msg := sprintf("%s: container %q sets securityContext.privileged to true", [core.display, c.name])
}
