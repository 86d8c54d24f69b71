# METADATA
# title: HostPath volume
# description: >-
#   A hostPath volume mounts a file or directory of the node into the pod: the node's
#   credentials, the container runtime socket or the kubelet's files are a mount away,
#   and writes land on the node. At the restricted level RF-POD-018 replaces this check,
#   and reports hostPath among the restricted volume types. This is the Pod Security
#   Standards check hostPathVolumes (baseline); it applies at the baseline and restricted
#   levels, as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-006
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
#   podSecurity: {check: hostPathVolumes, level: baseline}
#   remediation: >-
#     Replace the hostPath volume with an emptyDir, a ConfigMap, Secret or projected
#     volume, or a PersistentVolumeClaim. Node agents that must read the host should
#     mount the narrowest path read-only (readOnly: true on the volumeMount) and run in a
#     dedicated, tightly controlled namespace.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.12: Minimize the admission of HostPath volumes"
#     - "Pod Security Standards (baseline): HostPath Volumes"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#     - Pod Security Admission check hostPathVolumes (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.host_path

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("hostPathVolumes", rego.metadata.chain())
}
