# METADATA
# title: Capability added beyond the baseline set
# description: >-
#   Adding Linux capabilities beyond the small default set the Pod Security Standards
#   baseline allows (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
#   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) hands the container
#   kernel powers such as SYS_ADMIN, NET_ADMIN, NET_RAW or SYS_PTRACE that lead to
#   container escape, traffic interception or spoofing. As in Pod Security Admission,
#   names are compared exactly: "ALL", prefixed names ("CAP_CHOWN") and other spellings
#   ("chown") are outside the set. Init, regular and ephemeral containers are checked.
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
#   remediation: >-
#     Remove the capability from securityContext.capabilities.add; better, drop ALL and
#     add back only NET_BIND_SERVICE if the container binds a port below 1024. Write
#     capability names as Kubernetes spells them: upper case, without the CAP_ prefix.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.8: Minimize the admission of containers with the NET_RAW capability"
#     - "CIS Kubernetes Benchmark 5.2.9: Minimize the admission of containers with added capabilities"
#     - "Pod Security Standards (baseline): Capabilities"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
#   parameters: []
package ringfence.rules.pod.capabilities

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	added := c.container.securityContext.capabilities.add
	is_array(added)
	some i, capability in added
	is_string(capability)
	not baseline_capabilities[capability]
	field := sprintf("%s.securityContext.capabilities.add[%d]", [c.path, i])
	msg := sprintf(
		"%s: container %q adds capability %q, which is not in the Pod Security Standards baseline set",
		[core.display, c.name, capability],
	)
}

# baseline_capabilities is the set the Pod Security Standards baseline lets containers add,
# spelled exactly as Pod Security Admission compares them.
baseline_capabilities := {
	"AUDIT_WRITE",
	"CHOWN",
	"DAC_OVERRIDE",
	"FOWNER",
	"FSETID",
	"KILL",
	"MKNOD",
	"NET_BIND_SERVICE",
	"SETFCAP",
	"SETGID",
	"SETPCAP",
	"SETUID",
	"SYS_CHROOT",
}
