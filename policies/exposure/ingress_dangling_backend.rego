# METADATA
# title: Ingress or route backend names a missing Service or port
# description: >-
#   An Ingress or Gateway API route backend that names a Service its namespace does not
#   have, or a port that Service does not expose, routes nothing: the controller answers
#   503 or drops the path (a Gateway sets the route's ResolvedRefs condition to False,
#   BackendNotFound), and usually the name or port was mistyped or the Service renamed.
#   Worse, the path is armed for whoever creates a Service of that name later, and
#   requests reach whatever it selects. For an Ingress, the backends of every path
#   (spec.rules[].http.paths[].backend.service in networking.k8s.io/v1, serviceName and
#   servicePort before) and the default backend (spec.defaultBackend, spec.backend) are
#   checked against the core/v1 Services of the Ingress's namespace in the scanned set; a
#   port is looked up by number (port) or name, and a beta servicePort written as a
#   string of digits counts as a number. For an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute
#   or UDPRoute, every spec.rules[].backendRefs[] entry and the backendRef of every
#   RequestMirror filter (on a rule or on a backendRef) whose group is the core group and
#   kind Service (the defaults) is checked against the Services of its namespace
#   (backendRef.namespace, else the route's), its port by number; a Service backendRef
#   without a port is reported too, since the Gateway API requires one (the port of the
#   Service, not the target port). A backendRef into another namespace is judged only
#   where a ReferenceGrant there lets routes of its kind from the route's namespace refer
#   to that Service: without one the reference is not permitted, the implementation
#   refuses it whatever exists, and RF-EXP-006 reports the missing grant (the missing
#   port is still reported). Resource backends and backendRefs of other groups or kinds
#   are not judged, nor the ports of ExternalName Services (the controller uses the
#   backend's port as is), nor ports of other types than numbers. The rule only knows the
#   objects it is given: check a namespace's manifests together, with the
#   ReferenceGrants and Services of the namespaces its routes refer to.
# scope: package
# custom:
#   id: RF-EXP-011
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
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
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Service}
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: ReferenceGrant}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: ReferenceGrant}
#     - {apiVersion: gateway.networking.k8s.io/v1alpha2, kind: ReferenceGrant}
#   remediation: >-
#     Fix the backend's Service name and port to those of the Service that serves the
#     path (compare with its spec.ports; a backendRef's port is the Service's port, not
#     the target port), create the Service, or remove the path or backendRef.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#resource-backend
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
#     - https://gateway-api.sigs.k8s.io/reference/spec/#backendobjectreference
#     - https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter
#     - https://gateway-api.sigs.k8s.io/api-types/referencegrant/
#   parameters: []
package ringfence.rules.exposure.ingress_dangling_backend

import data.ringfence.lib.core
import data.ringfence.lib.gateway
import data.ringfence.lib.ingress

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some entry in ingress.backends
	ref := ingress.service_backend(entry.backend)
	not service(core.namespace, ref.name)
	field := sprintf("%s.%s", [entry.path, ref.field])
	msg := sprintf(
		"%s: %s names Service %q, which namespace %q of the scanned set does not have",
		[core.display, entry.path, ref.name, core.namespace],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some entry in ingress.backends
	ref := ingress.service_backend(entry.backend)
	svc := service(core.namespace, ref.name)
	judged_ports(svc)
	some key, port in ref.port
	not exposes(svc, key, port)
	field := sprintf("%s.%s", [entry.path, ref.port_field])
	msg := sprintf(
		"%s: %s names port %s of Service %q, which the Service does not expose",
		[core.display, entry.path, label(key, port), ref.name],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind_in(gateway.route_kinds)
	some entry in route_services
	gateway.permitted(entry.target)
	not service(entry.target.namespace, entry.target.name)
	field := sprintf("%s.name", [entry.path])
	msg := sprintf(
		"%s: %s names Service %q, which namespace %q of the scanned set does not have",
		[core.display, entry.path, entry.target.name, entry.target.namespace],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind_in(gateway.route_kinds)
	some entry in route_services
	port := entry.ref.port
	is_number(port)
	gateway.permitted(entry.target)
	svc := service(entry.target.namespace, entry.target.name)
	judged_ports(svc)
	not exposes(svc, "number", port)
	field := sprintf("%s.port", [entry.path])
	msg := sprintf(
		"%s: %s names port %v of Service %s, which the Service does not expose",
		[core.display, entry.path, port, service_label(entry.target)],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind_in(gateway.route_kinds)
	some entry in route_services
	object.get(entry.ref, "port", null) == null
	field := sprintf("%s.port", [entry.path])
	msg := sprintf(
		"%s: %s names Service %s without a port, which the Gateway API requires of Service backends",
		[core.display, entry.path, service_label(entry.target)],
	)
}

# route_services holds the backend references of a Gateway API route that name a core
# Service, with the Service they name: {"path", "ref", "target"}.
route_services contains object.union(entry, {"target": target}) if {
	some entry in gateway.backend_refs
	target := gateway.reference(entry.ref, "Service")
	gateway.is_service(target)
}

# service is the core/v1 Service called name in namespace ns.
service(ns, name) := svc if {
	svc := data.inventory.namespace[ns].v1.Service[name]
	is_object(svc)
}

# service_label names a route's target Service in messages: "web", or "db" in namespace
# "data" when it lives in another namespace than the route.
service_label(target) := sprintf("%q", [target.name]) if target.namespace == core.namespace

else := sprintf("%q in namespace %q", [target.name, target.namespace])

# judged_ports is true when the Service's ports say what it exposes: it lists ports and
# is not an ExternalName alias.
judged_ports(svc) if {
	is_object(svc.spec)
	svc.spec.type != "ExternalName"
	is_array(svc.spec.ports)
}

judged_ports(svc) if {
	is_object(svc.spec)
	object.get(svc.spec, "type", null) == null
	is_array(svc.spec.ports)
}

exposes(svc, "number", number) if {
	some p in svc.spec.ports
	is_object(p)
	p.port == number
}

exposes(svc, "name", name) if {
	some p in svc.spec.ports
	is_object(p)
	p.name == name
}

label(key, port) := sprintf("%v", [port]) if key == "number"

else := sprintf("%q", [port])
