# METADATA
# title: Gateway listener accepts routes from every namespace
# description: >-
#   A Gateway listener whose allowedRoutes.namespaces.from is All lets a route in any
#   namespace attach to it, so whoever may create an HTTPRoute anywhere in the cluster can
#   take traffic for the listener's hostnames and ports, or shadow another team's paths.
#   From Selector with an empty selector (no matchLabels and no matchExpressions) selects
#   every namespace and is reported as well; a missing or null selector selects none, as
#   a nil label selector does in Kubernetes. From defaults to Same (routes of the
#   Gateway's own namespace), which is not reported. Gateways of the
#   gateway.networking.k8s.io v1 and v1beta1 APIs are read.
# scope: package
# custom:
#   id: RF-EXP-005
#   severity: medium
#   kinds:
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: Gateway}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway}
#   remediation: >-
#     Set allowedRoutes.namespaces.from to Same, or to Selector with a selector that picks
#     only the namespaces meant to publish on the listener (for example a label that only
#     cluster administrators may set on Namespaces, or kubernetes.io/metadata.name).
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://gateway-api.sigs.k8s.io/reference/spec/#allowedroutes
#     - https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces
#     - https://gateway-api.sigs.k8s.io/guides/multiple-ns/
#     - https://gateway-api.sigs.k8s.io/concepts/security-model/
#   parameters: []
package ringfence.rules.exposure.gateway_all_namespaces

import data.ringfence.lib.core
import data.ringfence.lib.selector

deny contains {"msg": msg, "field": field} if {
	core.kind == "Gateway"
	is_gateway
	some i, namespaces in route_namespaces
	namespaces.from == "All"
	field := sprintf("spec.listeners[%d].allowedRoutes.namespaces.from", [i])
	msg := sprintf(
		"%s: listener %q accepts routes from every namespace: allowedRoutes.namespaces.from is All",
		[core.display, listener_name(listeners[i])],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Gateway"
	is_gateway
	some i, namespaces in route_namespaces
	namespaces.from == "Selector"
	selector.selects_all(namespaces.selector)
	field := sprintf("spec.listeners[%d].allowedRoutes.namespaces.selector", [i])
	msg := sprintf(
		"%s: listener %q accepts routes from every namespace: allowedRoutes.namespaces.selector is empty",
		[core.display, listener_name(listeners[i])],
	)
}

# api_versions are the Gateway API versions whose Gateways the rule reads.
api_versions := {"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"}

is_gateway if core.api_version in api_versions

default spec := {}

spec := core.resource.spec if is_object(core.resource.spec)

# listeners maps the index of every listener that is an object to the listener.
listeners[i] := listener if {
	is_array(spec.listeners)
	some i, listener in spec.listeners
	is_object(listener)
}

# route_namespaces maps the index of every listener to its allowedRoutes.namespaces,
# when that is an object.
route_namespaces[i] := namespaces if {
	some i, listener in listeners
	is_object(listener.allowedRoutes)
	namespaces := listener.allowedRoutes.namespaces
	is_object(namespaces)
}

listener_name(listener) := listener.name if is_string(listener.name)

else := "<unnamed>"
