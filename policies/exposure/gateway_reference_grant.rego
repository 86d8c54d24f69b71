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
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: GRPCRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: GRPCRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: TLSRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: TCPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: UDPRoute}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: Gateway}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway}
#   inventory: true
#   sync:
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant}
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
import data.ringfence.lib.inventory

gateway_group := "gateway.networking.k8s.io"

route_kinds := {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

# referrer_kinds are the kinds whose references to other namespaces need a grant.
referrer_kinds := route_kinds | {"Gateway"}

deny contains {"msg": msg, "field": field} if {
	core.kind_in(referrer_kinds)
	core.group == gateway_group
	some entry in references

	# Only a reference that names another namespace can need a grant: a cheap test that
	# skips the rest (absent, it is undefined; empty, it means this namespace).
	entry.ref.namespace != core.namespace
	target := reference(entry.ref, entry.default_kind)
	target.namespace != core.namespace
	not granted(target)
	field := sprintf("%s.namespace", [entry.path])
	msg := sprintf(
		"%s: %s refers to %s %s/%s in another namespace, and no ReferenceGrant in namespace %q lets %ss of namespace %q refer to it",
		[core.display, entry.path, kind_label(target), target.namespace, target.name, target.namespace, core.kind, core.namespace],
	)
}

default spec := {}

spec := core.resource.spec if is_object(core.resource.spec)

# rules maps the index of every rule that is an object to the rule.
rules[i] := rule if {
	is_array(spec.rules)
	some i, rule in spec.rules
	is_object(rule)
}

# references holds every reference the object makes to another object with the kind a
# reference names by default: the backends of a route, the certificates of a Gateway.
references contains object.union(entry, {"default_kind": "Service"}) if {
	core.kind_in(route_kinds)
	some entry in backend_refs
}

references contains {"path": path, "ref": ref, "default_kind": "Secret"} if {
	core.kind == "Gateway"
	is_array(spec.listeners)
	some i, listener in spec.listeners
	is_object(listener)
	is_object(listener.tls)
	some j, ref in array_field(listener.tls, "certificateRefs")
	path := sprintf("spec.listeners[%d].tls.certificateRefs[%d]", [i, j])
}

# backend_refs holds every backend reference of the route with its path: the rules'
# backendRefs, and the backendRef of RequestMirror filters on a rule or a backendRef.
backend_refs contains {"path": path, "ref": ref} if {
	some i, rule in rules
	some j, ref in array_field(rule, "backendRefs")
	path := sprintf("spec.rules[%d].backendRefs[%d]", [i, j])
}

backend_refs contains {"path": path, "ref": ref} if {
	some i, rule in rules
	some k, filter in array_field(rule, "filters")
	ref := mirror(filter)
	path := sprintf("spec.rules[%d].filters[%d].requestMirror.backendRef", [i, k])
}

backend_refs contains {"path": path, "ref": ref} if {
	some i, rule in rules
	some j, backend in array_field(rule, "backendRefs")
	some k, filter in array_field(backend, "filters")
	ref := mirror(filter)
	path := sprintf("spec.rules[%d].backendRefs[%d].filters[%d].requestMirror.backendRef", [i, j, k])
}

# array_field is obj[key] when obj is an object and obj[key] a list, else empty.
array_field(obj, key) := obj[key] if {
	is_object(obj)
	is_array(obj[key])
} else := []

mirror(filter) := filter.requestMirror.backendRef if {
	is_object(filter)
	is_object(filter.requestMirror)
	is_object(filter.requestMirror.backendRef)
}

# reference is the object a reference names, with the API defaults filled in (kind
# default_kind); undefined when a field has the wrong type or the name is missing.
reference(ref, default_kind) := {"group": group, "kind": kind, "namespace": namespace, "name": ref.name} if {
	is_object(ref)
	is_string(ref.name)
	ref.name != ""
	group := string_field(ref, "group", "")
	kind := string_field(ref, "kind", default_kind)
	namespace := string_field(ref, "namespace", core.namespace)
}

# string_field is obj[key] when it is a string, default_value when it is absent or null
# (and, for optional fields the API defaults, when it is empty), and undefined otherwise.
string_field(obj, key, default_value) := obj[key] if {
	is_string(obj[key])
	obj[key] != ""
} else := default_value if {
	object.get(obj, key, null) == null
} else := default_value if {
	obj[key] == ""
}

kind_label(target) := target.kind if target.group == ""

else := sprintf("%s.%s", [target.kind, target.group])

# granted is true when a ReferenceGrant in the target's namespace lets this route refer
# to the target.
granted(target) if {
	some grant in inventory.namespaced(target.namespace, "ReferenceGrant")
	is_object(grant)
	is_string(grant.apiVersion)
	startswith(grant.apiVersion, concat("", [gateway_group, "/"]))
	is_object(grant.spec)
	some from in array_field(grant.spec, "from")
	grants_from(from)
	some to in array_field(grant.spec, "to")
	grants_to(to, target)
}

grants_from(from) if {
	is_object(from)
	from.group == gateway_group
	from.kind == core.kind
	from.namespace == core.namespace
}

grants_to(to, target) if {
	is_object(to)
	string_field(to, "group", "") == target.group
	to.kind == target.kind
	string_field(to, "name", target.name) == target.name
}
