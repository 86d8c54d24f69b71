# METADATA
# title: Privileged container
# description: >-
#   A privileged container runs with every Linux capability and direct access to the
#   node's devices; it can load kernel modules, reconfigure the host network and escape
#   to the node. Init, regular and ephemeral containers are checked. This is the Pod
#   Security Standards check privileged (baseline); it applies at the baseline and
#   restricted levels, as the version parameter's Kubernetes release defines it.
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
#   podSecurity: {check: privileged, level: baseline}
#   remediation: >-
#     Remove securityContext.privileged or set it to false; grant only the specific
#     capabilities the container needs with securityContext.capabilities.add.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.2: Minimize the admission of privileged containers"
#     - "Pod Security Standards (baseline): Privileged Containers"
#     - "NSA/CISA Kubernetes Hardening Guide: Non-root containers and rootless container engines"
#     - Pod Security Admission check privileged (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.privileged

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("privileged", rego.metadata.chain())
}
