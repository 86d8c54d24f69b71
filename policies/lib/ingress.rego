# METADATA
# title: ringfence Ingress library
# description: >-
#   Ingress semantics across networking.k8s.io/v1, networking.k8s.io/v1beta1 and
#   extensions/v1beta1: the rules and their hosts, the default backend (spec.defaultBackend
#   in v1, spec.backend before), the Service each backend names, and the class an Ingress
#   belongs to. The object functions take any value (an inventory object) and are safe on
#   every shape.
# scope: package
package ringfence.lib.ingress

import data.ringfence.lib.core

# default_backend_fields maps each Ingress API version to its default backend field.
default_backend_fields := {
	"networking.k8s.io/v1": "defaultBackend",
	"networking.k8s.io/v1beta1": "backend",
	"extensions/v1beta1": "backend",
}

# is_ingress is true for the object under review when it is an Ingress of a version above.
is_ingress if {
	core.kind == "Ingress"
	default_backend_fields[core.api_version]
}

default spec := {}

spec := core.resource.spec if {
	is_ingress
	is_object(core.resource.spec)
}

# rules maps the index of every rule that is an object to the rule.
rules[i] := rule if {
	is_array(spec.rules)
	some i, rule in spec.rules
	is_object(rule)
}

# hostless is true for a rule without a host (absent, null or empty): it matches every
# Host header.
hostless(rule) if object.get(rule, "host", null) == null

hostless(rule) if rule.host == ""

# default_backend is the default backend with its path, {"path": "spec.defaultBackend",
# "backend": {...}}; undefined when there is none.
default_backend := {"path": sprintf("spec.%s", [key]), "backend": spec[key]} if {
	key := default_backend_fields[core.api_version]
	is_object(spec[key])
}

# backends holds every backend of the Ingress with its path: each path of each rule and
# the default backend.
backends contains {"path": path, "backend": backend} if {
	some i, rule in rules
	is_object(rule.http)
	is_array(rule.http.paths)
	some j, p in rule.http.paths
	is_object(p)
	backend := p.backend
	is_object(backend)
	path := sprintf("spec.rules[%d].http.paths[%d].backend", [i, j])
}

backends contains default_backend

# service_backend is the Service a backend names: {"name": "web", "field": "service.name",
# "port": {"number": 80} or {"name": "http"} or {}, "port_field": "service.port.number"}
# (paths relative to the backend), by the API version's schema; undefined for resource
# backends and malformed ones.
service_backend(backend) := {"name": svc.name, "field": "service.name", "port": port, "port_field": port_field} if {
	core.api_version == "networking.k8s.io/v1"
	svc := backend.service
	is_object(svc)
	is_string(svc.name)
	svc.name != ""
	[port, port_field] := v1_port(svc)
}

service_backend(backend) := {"name": backend.serviceName, "field": "serviceName", "port": port, "port_field": "servicePort"} if {
	core.api_version != "networking.k8s.io/v1"
	is_ingress
	is_string(backend.serviceName)
	backend.serviceName != ""
	port := beta_port(object.get(backend, "servicePort", null))
}

v1_port(svc) := [{"number": svc.port.number}, "service.port.number"] if {
	is_number(svc.port.number)
} else := [{"name": svc.port.name}, "service.port.name"] if {
	is_string(svc.port.name)
	svc.port.name != ""
} else := [{}, "service.port"]

beta_port(p) := {"number": p} if is_number(p)

else := {"name": p} if {
	is_string(p)
	p != ""
	not regex.match(`^[0-9]+$`, p)
} else := {"number": to_number(p)} if {
	is_string(p)
	regex.match(`^[0-9]{1,5}$`, p)
} else := {}

# host_key is a host as DNS compares it: lower case.
host_key(host) := lower(host)

# hosts_of holds the named hosts of an Ingress object's rules, lower-cased.
# (A reference into a value that is not an object is undefined, so obj.spec.rules and
# rule.host need no is_object tests first.)
hosts_of(obj) := {host_key(host) |
	rules := obj.spec.rules
	is_array(rules)
	some rule in rules
	host := rule.host
	is_string(host)
	host != ""
}

# class_of is the class an Ingress object asks for: spec.ingressClassName, else the
# kubernetes.io/ingress.class annotation, else "" (the cluster's default class).
class_of(obj) := name if {
	name := obj.spec.ingressClassName
	is_string(name)
	name != ""
} else := value if {
	value := obj.metadata.annotations["kubernetes.io/ingress.class"]
	is_string(value)
	value != ""
} else := ""
