# METADATA
# title: Probe or lifecycle hook aimed at another host
# description: >-
#   A probe or lifecycle hook with httpGet.host or tcpSocket.host makes the kubelet
#   connect to that address from the node, where NetworkPolicies do not apply: it can
#   reach node-local and internal services on the pod's behalf. Checked from 1.34. This
#   is the Pod Security Standards check hostProbesAndHostLifecycle (baseline); it applies
#   at the baseline and restricted levels, as the version parameter's Kubernetes release
#   defines it.
# scope: package
# custom:
#   id: RF-POD-017
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
#   podSecurity: {check: hostProbesAndHostLifecycle, level: baseline}
#   remediation: >-
#     Remove the host field so the kubelet connects to the pod's own IP address.
#   references:
#     - "Pod Security Standards (baseline): Probes / Lifecycle Hooks"
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     - Pod Security Admission check hostProbesAndHostLifecycle (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.host_probes

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("hostProbesAndHostLifecycle", rego.metadata.chain())
}
