# METADATA
# title: API version removed or deprecated in the target Kubernetes release
# description: >-
#   A manifest written against an API version the target Kubernetes release no longer
#   serves is rejected when applied (and tools that render it for that release fail), so
#   an upgrade breaks every deployment pipeline that still carries it; a deprecated
#   version still works but warns and will stop working (or, for GA APIs such as v1
#   Endpoints, is kept only for compatibility). The table follows the Kubernetes
#   Deprecated API Migration Guide (every removal from v1.16 to v1.32) plus the GA
#   deprecations the API server warns about (v1 ComponentStatus since v1.19, v1 Endpoints
#   since v1.33). Versions removed at or before target_version are reported as removed;
#   versions deprecated at or before it and still served are reported as deprecated. A
#   target_version that does not parse falls back to 1.37. Live audits leave the rule
#   out: an object read from a cluster carries the version the audit asked for, not the
#   one its author wrote, and the Endpoints the control plane keeps would all be
#   reported; the API server's deprecation warnings and the
#   apiserver_requested_deprecated_apis metric show live use.
# scope: package
# custom:
#   id: RF-PATCH-001
#   severity: medium
#   runtimes: [library, cli, opa, conftest, gatekeeper]
#   kinds:
#     - {apiVersion: extensions/v1beta1, kind: Deployment}
#     - {apiVersion: extensions/v1beta1, kind: DaemonSet}
#     - {apiVersion: extensions/v1beta1, kind: ReplicaSet}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: PodSecurityPolicy}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#     - {apiVersion: apps/v1beta1, kind: Deployment}
#     - {apiVersion: apps/v1beta1, kind: StatefulSet}
#     - {apiVersion: apps/v1beta1, kind: ReplicaSet}
#     - {apiVersion: apps/v1beta2, kind: Deployment}
#     - {apiVersion: apps/v1beta2, kind: StatefulSet}
#     - {apiVersion: apps/v1beta2, kind: DaemonSet}
#     - {apiVersion: apps/v1beta2, kind: ReplicaSet}
#     - {apiVersion: admissionregistration.k8s.io/v1beta1, kind: MutatingWebhookConfiguration}
#     - {apiVersion: admissionregistration.k8s.io/v1beta1, kind: ValidatingWebhookConfiguration}
#     - {apiVersion: apiextensions.k8s.io/v1beta1, kind: CustomResourceDefinition}
#     - {apiVersion: apiregistration.k8s.io/v1beta1, kind: APIService}
#     - {apiVersion: authentication.k8s.io/v1beta1, kind: TokenReview}
#     - {apiVersion: authorization.k8s.io/v1beta1, kind: LocalSubjectAccessReview}
#     - {apiVersion: authorization.k8s.io/v1beta1, kind: SelfSubjectAccessReview}
#     - {apiVersion: authorization.k8s.io/v1beta1, kind: SubjectAccessReview}
#     - {apiVersion: certificates.k8s.io/v1beta1, kind: CertificateSigningRequest}
#     - {apiVersion: coordination.k8s.io/v1beta1, kind: Lease}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: IngressClass}
#     - {apiVersion: rbac.authorization.k8s.io/v1beta1, kind: ClusterRole}
#     - {apiVersion: rbac.authorization.k8s.io/v1beta1, kind: ClusterRoleBinding}
#     - {apiVersion: rbac.authorization.k8s.io/v1beta1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1beta1, kind: RoleBinding}
#     - {apiVersion: scheduling.k8s.io/v1beta1, kind: PriorityClass}
#     - {apiVersion: storage.k8s.io/v1beta1, kind: CSIDriver}
#     - {apiVersion: storage.k8s.io/v1beta1, kind: CSINode}
#     - {apiVersion: storage.k8s.io/v1beta1, kind: StorageClass}
#     - {apiVersion: storage.k8s.io/v1beta1, kind: VolumeAttachment}
#     - {apiVersion: storage.k8s.io/v1beta1, kind: CSIStorageCapacity}
#     - {apiVersion: batch/v1beta1, kind: CronJob}
#     - {apiVersion: discovery.k8s.io/v1beta1, kind: EndpointSlice}
#     - {apiVersion: events.k8s.io/v1beta1, kind: Event}
#     - {apiVersion: autoscaling/v2beta1, kind: HorizontalPodAutoscaler}
#     - {apiVersion: policy/v1beta1, kind: PodDisruptionBudget}
#     - {apiVersion: policy/v1beta1, kind: PodSecurityPolicy}
#     - {apiVersion: node.k8s.io/v1beta1, kind: RuntimeClass}
#     - {apiVersion: autoscaling/v2beta2, kind: HorizontalPodAutoscaler}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta1, kind: FlowSchema}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta1, kind: PriorityLevelConfiguration}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta2, kind: FlowSchema}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta2, kind: PriorityLevelConfiguration}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta3, kind: FlowSchema}
#     - {apiVersion: flowcontrol.apiserver.k8s.io/v1beta3, kind: PriorityLevelConfiguration}
#     - {apiVersion: v1, kind: ComponentStatus}
#     - {apiVersion: v1, kind: Endpoints}
#   remediation: >-
#     Migrate the manifest to the replacement API version named in the finding
#     (kubectl convert -f <file> --output-version <group>/<version> does most of the
#     work) and review the notable changes the migration guide lists for it. Where the
#     API has no replacement (PodSecurityPolicy, ComponentStatus), remove the object and
#     use the suggested alternative.
#   references:
#     - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
#     - https://kubernetes.io/docs/reference/using-api/deprecation-policy/
#     - https://kubernetes.io/docs/reference/using-api/api-concepts/
#     - https://kubernetes.io/blog/2020/09/03/warnings/#deprecation-warnings
#     - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice (API server warning since v1.33): https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/"
#     - "v1 ComponentStatus is deprecated in v1.19+ (API server warning): https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/component-status-v1/"
#   parameters:
#     - name: target_version
#       type: string
#       default: "1.37"
#       description: >-
#         the Kubernetes release the manifests must work on: "1.37", "v1.37" or "1.37.2"
#         (the patch number is ignored); anything else means 1.37
package ringfence.rules.patching.deprecated_api

import data.ringfence.lib.apis
import data.ringfence.lib.core

# default_minor is the minor of the target_version default, used when the configured
# value does not parse.
default_minor := 37

target_minor := m if {
	m := apis.minor(core.parameter(rego.metadata.chain(), "target_version"))
} else := default_minor

# One lookup decides for most objects: an apiVersion and kind that are not deprecated
# have no entry.
deny contains {"msg": msg, "field": "apiVersion"} if {
	entry := apis.deprecations[core.api_version][core.kind]
	msg := message(entry)
}

message(entry) := sprintf("%s: %s %s was removed in Kubernetes v1.%d; %s", [
	core.display, core.api_version, core.kind, entry.removed, entry.replacement,
]) if {
	entry.removed <= target_minor
} else := sprintf("%s: %s %s is deprecated in Kubernetes v1.%d and removed in v1.%d; %s", [
	core.display, core.api_version, core.kind, entry.deprecated, entry.removed, entry.replacement,
]) if {
	entry.deprecated <= target_minor
	target_minor < entry.removed
} else := sprintf("%s: %s %s is deprecated since Kubernetes v1.%d and still served; %s", [
	core.display, core.api_version, core.kind, entry.deprecated, entry.replacement,
]) if {
	entry.deprecated <= target_minor
	not entry.removed
}
