# METADATA
# title: Privilege escalation not disabled
# description: >-
#   Unless a container sets securityContext.allowPrivilegeEscalation to false, its
#   processes run without the no_new_privs flag and can gain more privileges than their
#   parent, through set-user-ID or set-group-ID binaries or file capabilities; Kubernetes
#   allows it by default. Init, regular and ephemeral containers are checked. From
#   Kubernetes 1.25 Windows pods (spec.os.name windows) are exempt: the field does not
#   apply to them. This is the Pod Security Standards check allowPrivilegeEscalation
#   (restricted); it applies at the restricted level, as the version parameter's
#   Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-004
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
#   podSecurity: {check: allowPrivilegeEscalation, level: restricted}
#   remediation: >-
#     Set securityContext.allowPrivilegeEscalation to false on every container (init and
#     ephemeral containers included). A container that is privileged or adds
#     CAP_SYS_ADMIN always allows escalation; remove those settings first.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.6: Minimize the admission of containers with allowPrivilegeEscalation"
#     - "Pod Security Standards (restricted): Privilege Escalation"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     - Pod Security Admission check allowPrivilegeEscalation (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.privilege_escalation

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("allowPrivilegeEscalation", rego.metadata.chain())
}
