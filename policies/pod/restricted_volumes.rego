# METADATA
# title: Volume type outside the restricted set
# description: >-
#   The restricted standard allows only configMap, csi, downwardAPI, emptyDir, ephemeral,
#   image, persistentVolumeClaim, projected and secret volumes; every other type,
#   hostPath and in-tree network storage such as nfs or iscsi among them, reaches storage
#   outside the cluster's control. A volume with no source is stored as an emptyDir and
#   is allowed. At the restricted level this replaces RF-POD-006. This is the Pod
#   Security Standards check restrictedVolumes (restricted); it applies at the restricted
#   level, as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-018
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
#   podSecurity: {check: restrictedVolumes, level: restricted}
#   remediation: >-
#     Use one of the allowed volume types: move network storage behind a
#     PersistentVolumeClaim, and replace hostPath with an emptyDir or a PVC.
#   references:
#     - "Pod Security Standards (restricted): Volume Types"
#     - Pod Security Admission check restrictedVolumes (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.restricted_volumes

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("restrictedVolumes", rego.metadata.chain())
}
