# METADATA
# title: Privilege escalation not disabled
# description: >-
#   Unless a container sets securityContext.allowPrivilegeEscalation to false, its
#   processes run without the no_new_privs flag and can gain more privileges than their
#   parent, through set-user-ID or set-group-ID binaries or file capabilities; Kubernetes
#   allows it by default. Init, regular and ephemeral containers are checked. As in the
#   Pod Security Standards, Windows pods (spec.os.name "windows") are exempt: the field
#   does not apply to them.
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
#   remediation: >-
#     Set securityContext.allowPrivilegeEscalation to false on every container (init and
#     ephemeral containers included). A container that is privileged or adds
#     CAP_SYS_ADMIN always allows escalation; remove those settings first.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.6: Minimize the admission of containers with allowPrivilegeEscalation"
#     - "Pod Security Standards (restricted): Privilege Escalation"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#   parameters: []
package ringfence.rules.pod.privilege_escalation

import data.ringfence.lib.core

# The container allows escalation explicitly.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	not windows(c.pod_spec)
	c.container.securityContext.allowPrivilegeEscalation == true
	field := sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path])
	msg := sprintf("%s: container %q sets securityContext.allowPrivilegeEscalation to true", [core.display, c.name])
}

# The container says nothing (or something that is not a boolean): escalation is allowed.
deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	not windows(c.pod_spec)
	not sets_boolean(c.container)
	field := sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path])
	msg := sprintf("%s: container %q does not set securityContext.allowPrivilegeEscalation to false", [core.display, c.name])
}

# sets_boolean is true when the container sets allowPrivilegeEscalation to true or false.
sets_boolean(ctr) if is_boolean(ctr.securityContext.allowPrivilegeEscalation)

# windows is true for pod specs that declare the Windows operating system.
windows(spec) if spec.os.name == "windows"
