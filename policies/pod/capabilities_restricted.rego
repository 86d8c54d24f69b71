# METADATA
# title: Capabilities not dropped to the restricted set
# description: >-
#   The restricted standard requires every container to drop ALL capabilities and add
#   back at most NET_BIND_SERVICE. Checked from 1.22; from 1.25 Windows pods are exempt.
#   At the restricted level this replaces RF-POD-005. This is the Pod Security Standards
#   check capabilities_restricted (restricted); it applies at the restricted level, as
#   the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-022
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
#   podSecurity: {check: capabilities_restricted, level: restricted}
#   remediation: >-
#     Set securityContext.capabilities.drop: [ALL] on every container and add only
#     NET_BIND_SERVICE if the container binds a port below 1024.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.9: Minimize the admission of containers with capabilities assigned"
#     - "Pod Security Standards (restricted): Capabilities"
#     - Pod Security Admission check capabilities_restricted (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.capabilities_restricted

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("capabilities_restricted", rego.metadata.chain())
}
