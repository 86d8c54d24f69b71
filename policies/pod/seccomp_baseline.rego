# METADATA
# title: Seccomp confinement disabled
# description: >-
#   A seccomp profile of type Unconfined lets the container make every system call,
#   including the ones kernel exploits use. From 1.19 the standard checks the
#   seccompProfile fields of the pod and containers; for earlier versions it checks the
#   seccomp.security.alpha.kubernetes.io annotations instead. At the restricted level RF-
#   POD-021 replaces this check. This is the Pod Security Standards check
#   seccompProfile_baseline (baseline); it applies at the baseline and restricted levels,
#   as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-013
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
#   podSecurity: {check: seccompProfile_baseline, level: baseline}
#   remediation: >-
#     Set seccompProfile.type to RuntimeDefault (or Localhost with a profile installed on
#     the nodes), or remove the Unconfined setting.
#   references:
#     - "CIS Kubernetes Benchmark 5.7.2: Ensure that the seccomp profile is set to docker/default in your pod definitions"
#     - "Pod Security Standards (baseline): Seccomp"
#     - https://kubernetes.io/docs/tutorials/security/seccomp/
#     - Pod Security Admission check seccompProfile_baseline (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.seccomp_baseline

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("seccompProfile_baseline", rego.metadata.chain())
}
