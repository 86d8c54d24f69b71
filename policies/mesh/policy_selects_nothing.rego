# METADATA
# title: Istio policy selects no workload
# description: >-
#   An Istio AuthorizationPolicy, PeerAuthentication or RequestAuthentication whose
#   spec.selector.matchLabels, or a Sidecar whose spec.workloadSelector.labels, match the
#   pods of no workload protects nothing, and usually means a label typo or a renamed
#   app: a DENY or STRICT policy that selects nothing leaves the workloads it was written
#   for without it. Labels are matched as RF-NET-022 matches NetworkPolicy selectors:
#   against the pod template labels of the workloads of the policy's namespace in the
#   scanned set (every workload kind) and the selectors of its Services (evidence of pods
#   an operator creates), and a policy is reported even when its namespace holds no
#   workload at all, since its labels then match nothing either. In the root namespace
#   (the root_namespace parameter) the selector of an AuthorizationPolicy or
#   RequestAuthentication matches workloads of every namespace, so it is reported only
#   when no namespace holds a match; Istio ignores PeerAuthentications with a selector
#   there, which is reported as well. A policy without a selector (or with an empty one)
#   covers its namespace and is never reported; selectors with values that are not
#   strings are left to Istio's validation. Policies attached with targetRef or
#   targetRefs to a Gateway (gateway.networking.k8s.io) or a Service that the namespace
#   does not hold in the scanned set apply to nothing too. The labels controllers add to
#   pods are not modelled, and the rule only knows the objects it is given: check a
#   namespace's manifests together.
# scope: package
# custom:
#   id: RF-MESH-007
#   severity: low
#   kinds:
#     - {apiVersion: security.istio.io/v1, kind: AuthorizationPolicy}
#     - {apiVersion: security.istio.io/v1beta1, kind: AuthorizationPolicy}
#     - {apiVersion: security.istio.io/v1, kind: PeerAuthentication}
#     - {apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication}
#     - {apiVersion: security.istio.io/v1, kind: RequestAuthentication}
#     - {apiVersion: security.istio.io/v1beta1, kind: RequestAuthentication}
#     - {apiVersion: networking.istio.io/v1, kind: Sidecar}
#     - {apiVersion: networking.istio.io/v1beta1, kind: Sidecar}
#     - {apiVersion: networking.istio.io/v1alpha3, kind: Sidecar}
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Service}
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
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: Gateway}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway}
#   remediation: >-
#     Fix the selector to match the labels of the pods it is meant for (compare with the
#     workload's spec.template.metadata.labels) or the targetRef to name an existing
#     Gateway or Service, move workload PeerAuthentications out of the root namespace, or
#     delete the policy if its workloads are gone.
#   references:
#     - https://istio.io/latest/docs/reference/config/type/workload-selector/
#     - https://istio.io/latest/docs/reference/config/security/authorization-policy/
#     - https://istio.io/latest/docs/reference/config/security/peer_authentication/
#     - https://istio.io/latest/docs/reference/config/security/request_authentication/
#     - https://istio.io/latest/docs/reference/config/networking/sidecar/#WorkloadSelector
#   parameters:
#     - name: root_namespace
#       type: string
#       default: istio-system
#       description: Istio's root namespace (meshConfig.rootNamespace)
package ringfence.rules.mesh.policy_selects_nothing

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.istio

deny contains {"msg": msg, "field": s.field} if {
	some s in selector
	not mesh_wide
	not ignored
	not cluster.selects_pods(core.namespace, s.compiled)
	msg := sprintf(
		"%s: its %s match no workload of namespace %q in the scanned set, so it applies to no workload",
		[core.display, s.field, core.namespace],
	)
}

deny contains {"msg": msg, "field": s.field} if {
	some s in selector
	mesh_wide
	not selects_anywhere(s.compiled)
	msg := sprintf(
		"%s: its %s match no workload of any namespace in the scanned set (in the root namespace it selects across the mesh), so it applies to no workload",
		[core.display, s.field],
	)
}

deny contains {"msg": msg, "field": "spec.selector"} if {
	some _ in selector
	ignored
	msg := sprintf(
		"%s: Istio ignores PeerAuthentications with a selector in the root namespace %q, so it applies to no workload",
		[core.display, core.namespace],
	)
}

deny contains {"msg": msg, "field": ref.field} if {
	some ref in target_refs
	not target_exists(ref)
	msg := sprintf(
		"%s: %s names %s %q, which namespace %q does not hold in the scanned set, so it applies to nothing",
		[core.display, ref.field, ref.kind, ref.name, core.namespace],
	)
}

security_kinds := {"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"}

# selector holds the policy's workload selector, compiled, with its path: at most one.
selector contains {"compiled": c, "field": "spec.selector.matchLabels"} if {
	core.kind_in(security_kinds)
	core.group == "security.istio.io"
	labels := istio.selector_labels(core.resource.spec)
	c := compiled(labels)
}

selector contains {"compiled": c, "field": "spec.workloadSelector.labels"} if {
	core.kind == "Sidecar"
	core.group == "networking.istio.io"
	labels := istio.sidecar_labels(core.resource.spec)
	c := compiled(labels)
}

# compiled prepares string-valued labels for matching; Istio rejects other values.
compiled(labels) := cluster.compiled({"matchLabels": labels}) if {
	every v in labels {
		is_string(v)
	}
}

root := r if {
	r := core.parameter(rego.metadata.chain(), "root_namespace")
	is_string(r)
}

# mesh_wide is true for authorization and request authentication policies of the root
# namespace, whose selectors match workloads of every namespace.
mesh_wide if {
	core.kind_in({"AuthorizationPolicy", "RequestAuthentication"})
	core.namespace == root
}

# ignored is true for PeerAuthentications of the root namespace with a selector.
ignored if {
	core.kind == "PeerAuthentication"
	core.namespace == root
}

selects_anywhere(c) if {
	some ns, _ in data.inventory.namespace
	cluster.selects_pods(ns, c)
}

# target_refs holds the Gateway and Service references of an authorization or request
# authentication policy that name an object of its own namespace.
target_refs contains object.union(ref, {"field": "spec.targetRef"}) if {
	core.kind_in({"AuthorizationPolicy", "RequestAuthentication"})
	core.group == "security.istio.io"
	ref := reference(core.resource.spec.targetRef)
}

target_refs contains object.union(ref, {"field": sprintf("spec.targetRefs[%d]", [i])}) if {
	core.kind_in({"AuthorizationPolicy", "RequestAuthentication"})
	core.group == "security.istio.io"
	is_array(core.resource.spec.targetRefs)
	some i, r in core.resource.spec.targetRefs
	ref := reference(r)
}

reference(r) := {"kind": r.kind, "name": r.name} if {
	is_string(r.name)
	r.name != ""
	reference_kind(r)
	same_namespace(r)
}

reference_kind(r) if {
	r.kind == "Gateway"
	r.group == "gateway.networking.k8s.io"
}

reference_kind(r) if {
	r.kind == "Service"
	object.get(r, "group", "") in {"", "core"}
}

same_namespace(r) if object.get(r, "namespace", "") in {"", null}

same_namespace(r) if r.namespace == core.namespace

target_exists(ref) if {
	ref.kind == "Gateway"
	some api_version, kinds in data.inventory.namespace[core.namespace]
	startswith(api_version, "gateway.networking.k8s.io/")
	is_object(kinds.Gateway[ref.name])
}

target_exists(ref) if {
	ref.kind == "Service"
	is_object(data.inventory.namespace[core.namespace].v1.Service[ref.name])
}
