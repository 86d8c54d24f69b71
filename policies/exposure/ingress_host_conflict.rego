# METADATA
# title: Ingress host claimed in several namespaces
# description: >-
#   When Ingresses of two namespaces name the same host, ingress-nginx and most other
#   controllers merge their rules into one virtual server, so whoever may create an
#   Ingress in one namespace can add paths to, or take over paths of, a host another team
#   publishes: their traffic, cookies and credentials then reach the intruder's backend.
#   Hosts are compared without case, and only between Ingresses of the same class
#   (spec.ingressClassName, else the kubernetes.io/ingress.class annotation; Ingresses
#   that set neither belong to the default class together), since a controller serves
#   only its own class. Each host is reported on every Ingress that claims it, naming the
#   other namespaces. Ingresses of the same namespace are one owner's and are not
#   compared. The rule only knows the objects it is given: check the namespaces that
#   share a controller together.
# scope: package
# custom:
#   id: RF-EXP-009
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#   inventory: true
#   sync:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#   remediation: >-
#     Give each namespace its own host names (or subdomains) and keep all paths of a host
#     in one namespace. On shared controllers, enforce host ownership per namespace with an
#     admission policy, or move to the Gateway API, where listeners choose which
#     namespaces may attach routes to a host.
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#name-based-virtual-hosting
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressSpec
#     - https://kubernetes.github.io/ingress-nginx/how-it-works/#building-the-nginx-model
#     - https://gateway-api.sigs.k8s.io/concepts/security-model/
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#   parameters: []
package ringfence.rules.exposure.ingress_host_conflict

import data.ringfence.lib.core
import data.ringfence.lib.ingress

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	ingress.is_ingress
	some host, namespaces in claimed
	field := sprintf("spec.rules[%d].host", [first_rule[host]])
	msg := sprintf(
		"%s: host %q is also claimed by Ingresses of the same class in %s, and controllers that merge Ingresses let either namespace route its paths",
		[core.display, host, names(namespaces)],
	)
}

# first_rule maps every host of the Ingress under review (lower-cased) to the index of
# the first rule naming it.
first_rule[host] := min({i |
	some i, rule in ingress.rules
	is_string(rule.host)
	ingress.host_key(rule.host) == host
}) if {
	some host in own_hosts
}

own_hosts := ingress.hosts_of(core.resource)

own_class := ingress.class_of(core.resource)

# others holds the Ingresses of other namespaces in the inventory that share the class of
# the Ingress under review, with their namespace: one pass over the inventory per
# Ingress API version, each namespace looked up in a single reference.
others contains [ns, obj] if {
	count(own_hosts) > 0
	some api_version, _ in ingress.default_backend_fields
	some ns
	objs := data.inventory.namespace[ns][api_version].Ingress
	ns != core.namespace
	some obj in objs
	ingress.class_of(obj) == own_class
}

# pairs holds [host, namespace] for every host of the Ingress under review that an
# Ingress of another namespace names too.
pairs contains [host, ns] if {
	some [ns, obj] in others
	some host in ingress.hosts_of(obj)
	host in own_hosts
}

# claimed maps each such host to the other namespaces that claim it.
claimed[host] := {pair[1] | some pair in pairs; pair[0] == host} if {
	some [host, _] in pairs
}

# names lists namespaces for a message: 'namespace "a"', or 'namespaces "a", "b"' with up
# to five names, sorted, and how many more there are.
names(namespaces) := sprintf("namespace %q", [ns]) if {
	count(namespaces) == 1
	some ns in namespaces
} else := concat("", ["namespaces ", quoted(sort(namespaces))]) if {
	count(namespaces) <= 5
} else := sprintf("namespaces %s and %d more", [quoted(array.slice(sort(namespaces), 0, 5)), count(namespaces) - 5])

quoted(list) := concat(", ", [sprintf("%q", [x]) | some x in list])
