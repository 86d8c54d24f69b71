# METADATA
# title: Unmasked /proc mount
# description: >-
#   procMount Unmasked exposes the node's /proc paths the runtime normally masks, such as
#   /proc/kcore and /proc/sys. From 1.35 pods in a user namespace (spec.hostUsers false)
#   are exempt at the baseline level; at the restricted level RF-POD-023 replaces this
#   check and exempts nobody. This is the Pod Security Standards check procMount
#   (baseline); it applies at the baseline and restricted levels, as the version
#   parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-015
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
#   podSecurity: {check: procMount, level: baseline}
#   remediation: >-
#     Remove securityContext.procMount or set it to Default.
#   references:
#     - "Pod Security Standards (baseline): /proc Mount Type"
#     - Pod Security Admission check procMount (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.proc_mount

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("procMount", rego.metadata.chain())
}
