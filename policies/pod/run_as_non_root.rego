# METADATA
# title: Container may run as root
# description: >-
#   Unless the pod or every container sets securityContext.runAsNonRoot to true, and none
#   sets it to false, the kubelet starts the container as whatever user the image names,
#   root included. From 1.35 pods in a user namespace (spec.hostUsers false) are exempt:
#   their root is not the node's. This is the Pod Security Standards check runAsNonRoot
#   (restricted); it applies at the restricted level, as the version parameter's
#   Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-019
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
#   podSecurity: {check: runAsNonRoot, level: restricted}
#   remediation: >-
#     Set securityContext.runAsNonRoot: true on the pod (or on every container) and make
#     the image run as a non-zero UID.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.7: Minimize the admission of root containers"
#     - "Pod Security Standards (restricted): Running as Non-root"
#     - "NSA/CISA Kubernetes Hardening Guide: Non-root containers and rootless container engines"
#     - Pod Security Admission check runAsNonRoot (k8s.io/pod-security-admission)
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#   parameters:
#     - name: level
#       type: string
#       default: restricted
#       description: >-
#         the Pod Security Standards level to hold pods to: baseline or restricted
#         (privileged turns the check off; any other value means restricted, as Pod
#         Security Admission reads an invalid label); the podSecurity block of ringfence
#         configuration sets it for every such rule
#     - name: version
#       type: string
#       default: latest
#       description: >-
#         the Kubernetes release whose definition of the standard applies: latest or v1.N
#         (versions after the newest known one, and invalid values, mean latest)
package ringfence.rules.pod.run_as_non_root

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("runAsNonRoot", rego.metadata.chain())
}
