# METADATA
# title: Container runs as UID 0
# description: >-
#   A pod or container with securityContext.runAsUser 0 runs as root. Checked from 1.23;
#   from 1.35 pods in a user namespace (spec.hostUsers false) are exempt. This is the Pod
#   Security Standards check runAsUser (restricted); it applies at the restricted level,
#   as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-020
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
#   podSecurity: {check: runAsUser, level: restricted}
#   remediation: >-
#     Set runAsUser to a non-zero UID, or remove it and let runAsNonRoot and the image's
#     user decide.
#   references:
#     - "Pod Security Standards (restricted): Running as Non-root user"
#     - Pod Security Admission check runAsUser (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.run_as_user

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("runAsUser", rego.metadata.chain())
}
