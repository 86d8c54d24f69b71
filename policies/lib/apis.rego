# METADATA
# title: ringfence Kubernetes API lifecycle library
# description: >-
#   The API versions the Kubernetes Deprecated API Migration Guide lists as removed, and
#   the GA APIs the API server warns about as deprecated, with the minor release that
#   deprecated each, the one that stopped serving it (when a removal is scheduled) and
#   what to migrate to. Release numbers are Kubernetes 1.x minors.
# scope: package
package ringfence.lib.apis

# deprecations maps apiVersion -> kind -> {"deprecated": minor, "removed": minor (only
# when a removal is scheduled), "replacement": what to migrate to, as a clause}. Sources:
# https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (removals) and the
# k8s:prerelease-lifecycle-gen tags of k8s.io/api, which the API server's deprecation
# warnings ("X is deprecated in v1.N+, unavailable in v1.M+") are generated from.
deprecations := {
	# Removed in v1.16.
	"extensions/v1beta1": {
		"Deployment": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 Deployment"},
		"DaemonSet": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 DaemonSet"},
		"ReplicaSet": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 ReplicaSet"},
		"NetworkPolicy": {"deprecated": 9, "removed": 16, "replacement": "use networking.k8s.io/v1 NetworkPolicy"},
		"PodSecurityPolicy": {
			"deprecated": 11, "removed": 16,
			"replacement": "its successor policy/v1beta1 PodSecurityPolicy was removed in v1.25 and has no replacement API: enforce the Pod Security Standards with Pod Security Admission",
		},
		# Removed in v1.22.
		"Ingress": {"deprecated": 14, "removed": 22, "replacement": "use networking.k8s.io/v1 Ingress"},
	},
	"apps/v1beta1": {
		"Deployment": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 Deployment"},
		"StatefulSet": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 StatefulSet"},
		"ReplicaSet": {"deprecated": 8, "removed": 16, "replacement": "use apps/v1 ReplicaSet"},
	},
	"apps/v1beta2": {
		"Deployment": {"deprecated": 9, "removed": 16, "replacement": "use apps/v1 Deployment"},
		"StatefulSet": {"deprecated": 9, "removed": 16, "replacement": "use apps/v1 StatefulSet"},
		"DaemonSet": {"deprecated": 9, "removed": 16, "replacement": "use apps/v1 DaemonSet"},
		"ReplicaSet": {"deprecated": 9, "removed": 16, "replacement": "use apps/v1 ReplicaSet"},
	},
	# Removed in v1.22.
	"admissionregistration.k8s.io/v1beta1": {
		"MutatingWebhookConfiguration": {"deprecated": 16, "removed": 22, "replacement": "use admissionregistration.k8s.io/v1 MutatingWebhookConfiguration"},
		"ValidatingWebhookConfiguration": {"deprecated": 16, "removed": 22, "replacement": "use admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration"},
	},
	"apiextensions.k8s.io/v1beta1": {"CustomResourceDefinition": {"deprecated": 16, "removed": 22, "replacement": "use apiextensions.k8s.io/v1 CustomResourceDefinition"}},
	"apiregistration.k8s.io/v1beta1": {"APIService": {"deprecated": 19, "removed": 22, "replacement": "use apiregistration.k8s.io/v1 APIService"}},
	"authentication.k8s.io/v1beta1": {"TokenReview": {"deprecated": 19, "removed": 22, "replacement": "use authentication.k8s.io/v1 TokenReview"}},
	"authorization.k8s.io/v1beta1": {
		"LocalSubjectAccessReview": {"deprecated": 19, "removed": 22, "replacement": "use authorization.k8s.io/v1 LocalSubjectAccessReview"},
		"SelfSubjectAccessReview": {"deprecated": 19, "removed": 22, "replacement": "use authorization.k8s.io/v1 SelfSubjectAccessReview"},
		"SubjectAccessReview": {"deprecated": 19, "removed": 22, "replacement": "use authorization.k8s.io/v1 SubjectAccessReview"},
	},
	"certificates.k8s.io/v1beta1": {"CertificateSigningRequest": {"deprecated": 19, "removed": 22, "replacement": "use certificates.k8s.io/v1 CertificateSigningRequest"}},
	"coordination.k8s.io/v1beta1": {"Lease": {"deprecated": 19, "removed": 22, "replacement": "use coordination.k8s.io/v1 Lease"}},
	"networking.k8s.io/v1beta1": {
		"Ingress": {"deprecated": 19, "removed": 22, "replacement": "use networking.k8s.io/v1 Ingress"},
		"IngressClass": {"deprecated": 19, "removed": 22, "replacement": "use networking.k8s.io/v1 IngressClass"},
	},
	"rbac.authorization.k8s.io/v1beta1": {
		"ClusterRole": {"deprecated": 17, "removed": 22, "replacement": "use rbac.authorization.k8s.io/v1 ClusterRole"},
		"ClusterRoleBinding": {"deprecated": 17, "removed": 22, "replacement": "use rbac.authorization.k8s.io/v1 ClusterRoleBinding"},
		"Role": {"deprecated": 17, "removed": 22, "replacement": "use rbac.authorization.k8s.io/v1 Role"},
		"RoleBinding": {"deprecated": 17, "removed": 22, "replacement": "use rbac.authorization.k8s.io/v1 RoleBinding"},
	},
	"scheduling.k8s.io/v1beta1": {"PriorityClass": {"deprecated": 14, "removed": 22, "replacement": "use scheduling.k8s.io/v1 PriorityClass"}},
	"storage.k8s.io/v1beta1": {
		"CSIDriver": {"deprecated": 19, "removed": 22, "replacement": "use storage.k8s.io/v1 CSIDriver"},
		"CSINode": {"deprecated": 17, "removed": 22, "replacement": "use storage.k8s.io/v1 CSINode"},
		"StorageClass": {"deprecated": 19, "removed": 22, "replacement": "use storage.k8s.io/v1 StorageClass"},
		"VolumeAttachment": {"deprecated": 19, "removed": 22, "replacement": "use storage.k8s.io/v1 VolumeAttachment"},
		# Removed in v1.27.
		"CSIStorageCapacity": {"deprecated": 24, "removed": 27, "replacement": "use storage.k8s.io/v1 CSIStorageCapacity"},
	},
	# Removed in v1.25.
	"batch/v1beta1": {"CronJob": {"deprecated": 21, "removed": 25, "replacement": "use batch/v1 CronJob"}},
	"discovery.k8s.io/v1beta1": {"EndpointSlice": {"deprecated": 21, "removed": 25, "replacement": "use discovery.k8s.io/v1 EndpointSlice"}},
	"events.k8s.io/v1beta1": {"Event": {"deprecated": 22, "removed": 25, "replacement": "use events.k8s.io/v1 Event"}},
	"autoscaling/v2beta1": {"HorizontalPodAutoscaler": {"deprecated": 22, "removed": 25, "replacement": "use autoscaling/v2 HorizontalPodAutoscaler"}},
	"policy/v1beta1": {
		"PodDisruptionBudget": {"deprecated": 21, "removed": 25, "replacement": "use policy/v1 PodDisruptionBudget"},
		"PodSecurityPolicy": {
			"deprecated": 21, "removed": 25,
			"replacement": "it has no replacement API: enforce the Pod Security Standards with Pod Security Admission",
		},
	},
	"node.k8s.io/v1beta1": {"RuntimeClass": {"deprecated": 22, "removed": 25, "replacement": "use node.k8s.io/v1 RuntimeClass"}},
	# Removed in v1.26.
	"autoscaling/v2beta2": {"HorizontalPodAutoscaler": {"deprecated": 23, "removed": 26, "replacement": "use autoscaling/v2 HorizontalPodAutoscaler"}},
	"flowcontrol.apiserver.k8s.io/v1beta1": {
		"FlowSchema": {"deprecated": 23, "removed": 26, "replacement": "use flowcontrol.apiserver.k8s.io/v1 FlowSchema"},
		"PriorityLevelConfiguration": {"deprecated": 23, "removed": 26, "replacement": "use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration"},
	},
	# Removed in v1.29.
	"flowcontrol.apiserver.k8s.io/v1beta2": {
		"FlowSchema": {"deprecated": 26, "removed": 29, "replacement": "use flowcontrol.apiserver.k8s.io/v1 FlowSchema"},
		"PriorityLevelConfiguration": {"deprecated": 26, "removed": 29, "replacement": "use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration"},
	},
	# Removed in v1.32.
	"flowcontrol.apiserver.k8s.io/v1beta3": {
		"FlowSchema": {"deprecated": 29, "removed": 32, "replacement": "use flowcontrol.apiserver.k8s.io/v1 FlowSchema"},
		"PriorityLevelConfiguration": {"deprecated": 29, "removed": 32, "replacement": "use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration"},
	},
	# GA APIs that are deprecated but still served, with no removal scheduled.
	"v1": {
		"ComponentStatus": {
			"deprecated": 19,
			"replacement": "it has no replacement API: query each component's /livez and /readyz health endpoints",
		},
		"Endpoints": {"deprecated": 33, "replacement": "use discovery.k8s.io/v1 EndpointSlice"},
	},
}

# minor is the Kubernetes 1.x minor release a version string names ("1.37", "v1.37",
# "1.37.2" are 37); undefined for anything else.
minor(version) := to_number(parts[1]) if {
	is_string(version)
	v := trim_space(version)
	regex.match(`^v?1\.[0-9]{1,4}(\.[0-9]{1,6})?$`, v)
	parts := split(trim_prefix(v, "v"), ".")
}
