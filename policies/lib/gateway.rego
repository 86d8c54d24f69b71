# METADATA
# title: ringfence Gateway API library
# description: >-
#   Gateway API (gateway.networking.k8s.io) routes and the references they make: the
#   backend references of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute with
#   their paths, the object a reference names with the API defaults filled in, and
#   whether a ReferenceGrant in another namespace lets the object under review refer to
#   an object there. Every value is safe on objects of any shape.
# scope: package
package ringfence.lib.gateway

import data.ringfence.lib.core
import data.ringfence.lib.inventory

group := "gateway.networking.k8s.io"

route_kinds := {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

# is_route is true for the object under review when it is a route of the Gateway API
# (any version; another group's kinds of the same names are something else).
is_route if {
	core.kind_in(route_kinds)
	core.group == group
}

default spec := {}

spec := core.resource.spec if is_object(core.resource.spec)

# rules maps the index of every rule of the route that is an object to the rule.
rules[i] := rule if {
	is_route
	is_array(spec.rules)
	some i, rule in spec.rules
	is_object(rule)
}

# backend_refs holds every backend reference of the route with its path,
# {"path": "spec.rules[0].backendRefs[1]", "ref": <value as written>}: the rules'
# backendRefs, and the backendRef of RequestMirror filters on a rule or on a
# backendRef (HTTPRoute and GRPCRoute). ref may have any shape; see reference.
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

mirror(filter) := filter.requestMirror.backendRef if {
	is_object(filter)
	is_object(filter.requestMirror)
	is_object(filter.requestMirror.backendRef)
}

# array_field is obj[key] when obj is an object and obj[key] a list, else empty.
array_field(obj, key) := obj[key] if {
	is_object(obj)
	is_array(obj[key])
} else := []

# reference is the object a reference names, {"group", "kind", "namespace", "name"},
# with the API defaults filled in: the core group, kind default_kind and the namespace
# of the object under review; undefined when a field has the wrong type or the name is
# missing.
reference(ref, default_kind) := {"group": g, "kind": kind, "namespace": namespace, "name": ref.name} if {
	is_object(ref)
	is_string(ref.name)
	ref.name != ""
	g := string_field(ref, "group", "")
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

# is_service is true when target (a reference) names a core/v1 Service.
is_service(target) if {
	target.group == ""
	target.kind == "Service"
}

# kind_label names a target's kind for messages: "Service", "ServiceImport.multicluster.x-k8s.io".
kind_label(target) := target.kind if target.group == ""

else := sprintf("%s.%s", [target.kind, target.group])

# permitted is true when the object under review may refer to target: it is in the same
# namespace, or a ReferenceGrant there permits the reference.
permitted(target) if target.namespace == core.namespace

permitted(target) if {
	target.namespace != core.namespace
	granted(target)
}

# granted is true when a ReferenceGrant (of any gateway.networking.k8s.io version) in the
# target's namespace lets objects of the kind and namespace under review refer to target:
# one of its spec.from entries names this group, kind and namespace, and one of its
# spec.to entries the target's group and kind, and its name or no name.
granted(target) if {
	some grant in inventory.namespaced(target.namespace, "ReferenceGrant")
	is_object(grant)
	is_string(grant.apiVersion)
	startswith(grant.apiVersion, concat("", [group, "/"]))
	is_object(grant.spec)
	some from in array_field(grant.spec, "from")
	grants_from(from)
	some to in array_field(grant.spec, "to")
	grants_to(to, target)
}

grants_from(from) if {
	is_object(from)
	from.group == group
	from.kind == core.kind
	from.namespace == core.namespace
}

grants_to(to, target) if {
	is_object(to)
	string_field(to, "group", "") == target.group
	to.kind == target.kind
	string_field(to, "name", target.name) == target.name
}
