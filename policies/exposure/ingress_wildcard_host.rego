# METADATA
# title: Ingress answers for any host
# description: >-
#   An Ingress rule without a host applies to all inbound HTTP traffic whatever its Host
#   header, a wildcard host (*.example.com) to every name one label under its domain, and
#   the default backend (spec.defaultBackend, spec.backend before networking.k8s.io/v1)
#   to every request no rule matches. Such catch-alls publish the backend under names
#   nobody chose, claim hosts other teams may want (on shared controllers, one namespace's
#   catch-all competes with everybody's), and serve requests that bypass host-based
#   controls in front of the controller. Each rule without a host, each wildcard host and
#   the default backend are reported; rules without an http section route nothing.
# scope: package
# custom:
#   id: RF-EXP-008
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#   remediation: >-
#     Give every rule the exact host names the service answers for, and remove the default
#     backend (the controller's own default backend then answers unknown hosts with 404).
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressSpec
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#   parameters: []
package ringfence.rules.exposure.ingress_wildcard_host

import data.ringfence.lib.core
import data.ringfence.lib.ingress

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	some i, rule in ingress.rules
	ingress.hostless(rule)
	is_object(rule.http)
	field := sprintf("spec.rules[%d]", [i])
	msg := sprintf("%s: %s has no host and answers requests for every Host header", [core.display, field])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	some i, rule in ingress.rules
	is_string(rule.host)
	startswith(rule.host, "*.")
	field := sprintf("spec.rules[%d].host", [i])
	msg := sprintf("%s: host %q is a wildcard and answers requests for every name under %q", [core.display, rule.host, substring(rule.host, 2, -1)])
}

deny contains {"msg": msg, "field": backend.path} if {
	core.kind == "Ingress"
	backend := ingress.default_backend
	msg := sprintf("%s: %s answers every request that matches no rule, for any host", [core.display, backend.path])
}
