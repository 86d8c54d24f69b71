# METADATA
# title: Windows HostProcess container
# description: >-
#   A Windows HostProcess container runs as a process on the Windows node, with the
#   node's network and file system and, by default, as SYSTEM: it is the Windows
#   equivalent of a privileged container. This is the Pod Security Standards check
#   windowsHostProcess (baseline); it applies at the baseline and restricted levels, as
#   the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-016
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
#   podSecurity: {check: windowsHostProcess, level: baseline}
#   remediation: >-
#     Remove securityContext.windowsOptions.hostProcess from the pod and its containers,
#     or set it to false.
#   references:
#     - "Pod Security Standards (baseline): HostProcess"
#     - https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/
#     - Pod Security Admission check windowsHostProcess (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.windows_host_process

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("windowsHostProcess", rego.metadata.chain())
}
