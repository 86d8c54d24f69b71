# METADATA
# title: Capability added beyond the baseline set
# description: >-
#   Adding Linux capabilities beyond the small default set the Pod Security Standards
#   baseline allows (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
#   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) hands the container
#   kernel powers such as SYS_ADMIN, NET_ADMIN, NET_RAW or SYS_PTRACE that lead to
#   container escape, traffic interception or spoofing. As in Pod Security Admission,
#   names are compared exactly: ALL, prefixed names (CAP_CHOWN) and other spellings
#   (chown) are outside the set. Init, regular and ephemeral containers are checked. At
#   the restricted level (from 1.22) RF-POD-022 replaces this check. This is the Pod
#   Security Standards check capabilities_baseline (baseline); it applies at the baseline
#   and restricted levels, as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-005
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
#   podSecurity: {check: capabilities_baseline, level: baseline}
#   remediation: >-
#     Remove the capability from securityContext.capabilities.add; run the workload with
#     the narrowest capability set, and drop ALL where the restricted standard applies.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.8: Minimize the admission of containers with added capabilities"
#     - "Pod Security Standards (baseline): Capabilities"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - Pod Security Admission check capabilities_baseline (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.capabilities

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("capabilities_baseline", rego.metadata.chain())
}
