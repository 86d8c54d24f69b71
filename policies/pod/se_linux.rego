# METADATA
# title: SELinux type, user or role outside the container defaults
# description: >-
#   Setting a custom SELinux type lets a container run in a domain with more access than
#   container_t, and setting the SELinux user or role is never needed by ordinary
#   workloads. The standard allows the types container_t, container_init_t,
#   container_kvm_t and, from 1.31, container_engine_t, and no user or role, on the pod
#   and on every container. This is the Pod Security Standards check seLinuxOptions
#   (baseline); it applies at the baseline and restricted levels, as the version
#   parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-012
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
#   podSecurity: {check: seLinuxOptions, level: baseline}
#   remediation: >-
#     Remove seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type
#     unset or set it to one of the container types.
#   references:
#     - "Pod Security Standards (baseline): SELinux"
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
#     - Pod Security Admission check seLinuxOptions (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.se_linux

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("seLinuxOptions", rego.metadata.chain())
}
