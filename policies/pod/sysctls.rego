# METADATA
# title: Sysctl outside the safe set
# description: >-
#   Sysctls outside the namespaced safe set can change kernel settings for the whole node
#   or for other pods. The safe set grows with the Kubernetes version:
#   net.ipv4.ip_local_reserved_ports from 1.27, the TCP keepalive and fin timeout
#   settings from 1.29, tcp_rmem and tcp_wmem from 1.32, tcp_slow_start_after_idle and
#   tcp_notsent_lowat from 1.37. This is the Pod Security Standards check sysctls
#   (baseline); it applies at the baseline and restricted levels, as the version
#   parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-014
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
#   podSecurity: {check: sysctls, level: baseline}
#   remediation: >-
#     Remove the sysctl from the pod's securityContext.sysctls, or set it on the nodes
#     through the kubelet's allowed-unsafe-sysctls for a dedicated node pool.
#   references:
#     - "Pod Security Standards (baseline): Sysctls"
#     - https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
#     - Pod Security Admission check sysctls (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.sysctls

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("sysctls", rego.metadata.chain())
}
