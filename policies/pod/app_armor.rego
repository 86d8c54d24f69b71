# METADATA
# title: AppArmor profile overridden or disabled
# description: >-
#   On nodes with AppArmor the runtime confines every container with its default profile.
#   A pod or container whose appArmorProfile type is Unconfined (or anything but
#   RuntimeDefault or Localhost), or a container.apparmor.security.beta.kubernetes.io
#   annotation other than runtime/default, localhost/<profile> or empty, removes that
#   confinement. Both the fields and the beta annotations are checked. This is the Pod
#   Security Standards check appArmorProfile (baseline); it applies at the baseline and
#   restricted levels, as the version parameter's Kubernetes release defines it.
# scope: package
# custom:
#   id: RF-POD-011
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
#   podSecurity: {check: appArmorProfile, level: baseline}
#   remediation: >-
#     Remove the appArmorProfile override or set its type to RuntimeDefault, or Localhost
#     with a profile loaded on the nodes; drop Unconfined annotations.
#   references:
#     - "Pod Security Standards (baseline): AppArmor"
#     - https://kubernetes.io/docs/tutorials/security/apparmor/
#     - Pod Security Admission check appArmorProfile (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.app_armor

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("appArmorProfile", rego.metadata.chain())
}
