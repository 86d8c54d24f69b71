# METADATA
# title: Ingress backend names a missing Service or port
# description: >-
#   An Ingress backend that names a Service its namespace does not have, or a port that
#   Service does not expose, routes nothing: the controller answers 503 or drops the path,
#   and usually the name or port was mistyped or the Service renamed. Worse, the path is
#   armed for whoever creates a Service of that name later, and requests reach whatever it
#   selects. The backends of every path (spec.rules[].http.paths[].backend.service in
#   networking.k8s.io/v1, serviceName and servicePort before) and the default backend
#   (spec.defaultBackend, spec.backend) are checked against the core/v1 Services of the
#   Ingress's namespace in the scanned set; a port is looked up by number (port) or name,
#   and a beta servicePort written as a string of digits counts as a number. Resource
#   backends are not judged, nor the ports of ExternalName Services (the controller uses
#   the backend's port as is). The rule only knows the objects it is given: check a
#   namespace's manifests together.
# scope: package
# custom:
#   id: RF-EXP-011
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Fix the backend's Service name and port to those of the Service that serves the
#     path (compare with its spec.ports), create the Service, or remove the path.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#resource-backend
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
#   parameters: []
package ringfence.rules.exposure.ingress_dangling_backend

import data.ringfence.lib.core
import data.ringfence.lib.ingress

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some entry in ingress.backends
	ref := ingress.service_backend(entry.backend)
	not service(ref.name)
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
	svc := service(ref.name)
	judged_ports(svc)
	some key, port in ref.port
	not exposes(svc, key, port)
	field := sprintf("%s.%s", [entry.path, ref.port_field])
	msg := sprintf(
		"%s: %s names port %s of Service %q, which the Service does not expose",
		[core.display, entry.path, label(key, port), ref.name],
	)
}

# service is the core/v1 Service called name in the Ingress's namespace.
service(name) := svc if {
	svc := data.inventory.namespace[core.namespace].v1.Service[name]
	is_object(svc)
}

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
