# METADATA
# title: Route backend or Gateway certificate in another namespace without a ReferenceGrant
# description: >-
#   A Gateway API route may send traffic to a backend in another namespace only when a
#   ReferenceGrant in that namespace lets routes of its kind from the route's namespace
#   refer to the backend's group and kind (and, when the grant names one, to that
#   object): the owner of the target namespace must consent. Without one, a conformant
#   implementation refuses the reference (ResolvedRefs False, RefNotPermitted) and the
#   route is broken; an implementation that ignores the check lets any namespace that
#   may create routes reach, and expose, another team's Services. The backendRefs of
#   every rule of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute are read, and
#   the backendRef of RequestMirror filters (on the rule or on a backendRef); a
#   backendRef's group defaults to the core group, its kind to Service and its namespace
#   to the route's. ReferenceGrants of every gateway.networking.k8s.io version in the
#   inventory count. Cross-namespace parentRefs are not reported: the Gateway's
#   listeners govern them with allowedRoutes, not ReferenceGrant. A Gateway's listeners
#   may likewise use a certificate of another namespace (tls.certificateRefs, whose
#   group defaults to the core group, kind to Secret and namespace to the Gateway's)
#   only with a ReferenceGrant there from Gateways of its namespace: otherwise one
#   namespace's Gateway would serve, and so disclose the use of, another team's private
#   key.
# scope: package
# custom:
#   id: RF-EXP-006
#   severity: medium
#   kinds:
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: HTTPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: HTTPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: GRPCRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: GRPCRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: TLSRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha3, kind: TLSRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: TLSRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: TCPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: TCPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: UDPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: UDPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: Gateway}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway}
#   inventory: true
#   sync:
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: ReferenceGrant}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: ReferenceGrant}
#   remediation: >-
#     Move the backend into the route's namespace, or have the owner of the backend's
#     namespace create a ReferenceGrant there whose spec.from lists group
#     gateway.networking.k8s.io, the route's kind and the route's namespace, and whose
#     spec.to lists the backend's group and kind, naming the backend to grant no more
#     than that object. For a Gateway certificate, keep the Secret in the Gateway's
#     namespace, or have the Secret's namespace grant Gateways of the Gateway's namespace
#     (from kind Gateway) access to that Secret (to group "", kind Secret, name).
#   references:
#     - https://gateway-api.sigs.k8s.io/api-types/referencegrant/
#     - https://gateway-api.sigs.k8s.io/reference/spec/#backendobjectreference
#     - https://gateway-api.sigs.k8s.io/reference/spec/#secretobjectreference
#     - https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig
#     - https://gateway-api.sigs.k8s.io/reference/spec/#referencegrant
#     - https://gateway-api.sigs.k8s.io/guides/multiple-ns/
#     - https://gateway-api.sigs.k8s.io/concepts/security-model/
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#   parameters: []
package ringfence.rules.exposure.gateway_reference_grant

import data.ringfence.lib.core
import data.ringfence.lib.gateway

# referrer_kinds are the kinds whose references to other namespaces need a grant.
referrer_kinds := gateway.route_kinds | {"Gateway"}

deny contains {"msg": msg, "field": field} if {
	core.kind_in(referrer_kinds)
	core.group == gateway.group
	some entry in references

	# Only a reference that names another namespace can need a grant: a cheap test that
	# skips the rest (absent, it is undefined; empty, it means this namespace).
	entry.ref.namespace != core.namespace
	target := gateway.reference(entry.ref, entry.default_kind)
	target.namespace != core.namespace
	not gateway.granted(target)
	field := sprintf("%s.namespace", [entry.path])
	msg := sprintf(
		"%s: %s refers to %s %s/%s in another namespace, and no ReferenceGrant in namespace %q lets %ss of namespace %q refer to it",
		[core.display, entry.path, gateway.kind_label(target), target.namespace, target.name, target.namespace, core.kind, core.namespace],
	)
}

# references holds every reference the object makes to another object with the kind a
# reference names by default: the backends of a route, the certificates of a Gateway.
references contains object.union(entry, {"default_kind": "Service"}) if {
	some entry in gateway.backend_refs
}

references contains {"path": path, "ref": ref, "default_kind": "Secret"} if {
	core.kind == "Gateway"
	is_array(gateway.spec.listeners)
	some i, listener in gateway.spec.listeners
	is_object(listener)
	is_object(listener.tls)
	some j, ref in gateway.array_field(listener.tls, "certificateRefs")
	path := sprintf("spec.listeners[%d].tls.certificateRefs[%d]", [i, j])
}
