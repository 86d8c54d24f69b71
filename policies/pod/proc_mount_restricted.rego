# METADATA
# title: Unmasked /proc mount (restricted)
# description: >-
#   At the restricted level every container keeps the Default proc mount, user namespace
#   pods included. Checked from 1.35, where it replaces RF-POD-015 at the restricted
#   level. This is the Pod Security Standards check procMount_restricted (restricted); it
#   applies at the restricted level, as the version parameter's Kubernetes release
#   defines it.
# scope: package
# custom:
#   id: RF-POD-023
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
#   podSecurity: {check: procMount_restricted, level: restricted}
#   remediation: >-
#     Remove securityContext.procMount or set it to Default.
#   references:
#     - "Pod Security Standards (restricted): /proc Mount Type"
#     - Pod Security Admission check procMount_restricted (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.proc_mount_restricted

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("procMount_restricted", rego.metadata.chain())
}
