# METADATA
# title: Container without a seccomp profile
# description: >-
#   The restricted standard requires every container to run under the RuntimeDefault or a
#   Localhost seccomp profile, set on the container or on the pod; without one most
#   runtimes run it unconfined. Checked from 1.19; from 1.25 Windows pods are exempt. At
#   the restricted level this replaces RF-POD-013. This is the Pod Security Standards
#   check seccompProfile_restricted (restricted); it applies at the restricted level, as
#   the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-021
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
#   podSecurity: {check: seccompProfile_restricted, level: restricted}
#   remediation: >-
#     Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod, or on each
#     container.
#   references:
#     - "CIS Kubernetes Benchmark 5.7.2: Ensure that the seccomp profile is set to docker/default in your pod definitions"
#     - "Pod Security Standards (restricted): Seccomp"
#     - Pod Security Admission check seccompProfile_restricted (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.seccomp_restricted

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("seccompProfile_restricted", rego.metadata.chain())
}
