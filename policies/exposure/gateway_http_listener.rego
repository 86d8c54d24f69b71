# METADATA
# title: Gateway listener serves cleartext HTTP
# description: >-
#   A Gateway listener whose protocol is HTTP terminates no TLS: the requests and responses
#   of every route attached to it, credentials and session cookies included, cross the
#   network readable and modifiable by anyone on the path. HTTPS listeners, and TLS
#   listeners (terminated or passed through), are not reported; neither are TCP and UDP
#   listeners, whose payload the Gateway does not interpret. A listener on port 80 whose
#   HTTPRoutes only redirect to HTTPS cannot be told apart from the Gateway alone, and
#   HTTPRoutes are not inspected: list such ports in allowed_http_ports. Gateways of the
#   gateway.networking.k8s.io v1 and v1beta1 APIs are read; the protocol is compared as
#   the API defines it ("HTTP", case-sensitive).
# scope: package
# custom:
#   id: RF-EXP-004
#   severity: medium
#   kinds:
#     - {apiVersion: gateway.networking.k8s.io/v1, kind: Gateway}
#     - {apiVersion: gateway.networking.k8s.io/v1beta1, kind: Gateway}
#   remediation: >-
#     Serve the routes on a listener with protocol HTTPS and a tls.certificateRefs
#     certificate for its hostname (cert-manager can issue it). Keep a port 80 HTTP
#     listener only for an HTTPRoute whose single rule redirects to HTTPS (a RequestRedirect
#     filter with scheme https), attach no other route to it, and list its port in
#     allowed_http_ports.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://gateway-api.sigs.k8s.io/reference/spec/#listener
#     - https://gateway-api.sigs.k8s.io/reference/spec/#protocoltype
#     - https://gateway-api.sigs.k8s.io/guides/tls/
#     - https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/
#   parameters:
#     - name: allowed_http_ports
#       type: array
#       items: integer
#       default: []
#       description: >-
#         listener ports (integers) that may use protocol HTTP, such as 80 when the only
#         HTTPRoute attached to it redirects to HTTPS; the rule does not check that it does
package ringfence.rules.exposure.gateway_http_listener

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	core.kind == "Gateway"
	is_gateway
	some i, listener in listeners
	listener.protocol == "HTTP"
	not allowed(listener)
	field := sprintf("spec.listeners[%d].protocol", [i])
	msg := sprintf(
		"%s: listener %q uses protocol HTTP: the routes it serves cross the network without TLS",
		[core.display, listener_name(listener)],
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

listener_name(listener) := listener.name if is_string(listener.name)

else := "<unnamed>"

allowed(listener) if {
	ports := core.parameter(rego.metadata.chain(), "allowed_http_ports")
	is_array(ports)
	some port in ports
	is_number(port)
	port == listener.port
}
