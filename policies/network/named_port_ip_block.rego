# METADATA
# title: NetworkPolicy named port toward ipBlock destinations
# description: >-
#   A named port (port: http) is resolved against the container ports of the pod at the
#   destination of the traffic, so in an egress rule it never matches traffic to an
#   address outside the cluster, which has no pod and no port names: the rule silently
#   allows nothing toward its ipBlocks and the connections the author meant to allow
#   fail. Each named port of an egress rule whose to list holds an ipBlock is reported,
#   when the policy's effective policyTypes include Egress (unset or empty policyTypes
#   include it only when spec.egress has a rule). Ingress rules are not reported: there
#   the destination is the selected pod, whose container ports name the port whatever
#   the source, so a named port with ipBlock sources works. A port written as a string
#   of digits ("443") is a name to the API server, which rejects it.
# scope: package
# custom:
#   id: RF-NET-011
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Use the port number (port: 443, protocol: TCP) in egress rules toward ipBlocks, or
#     split the rule: numeric ports for the ipBlock destinations, named ports for pod and
#     namespace selector destinations.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#   parameters: []
package ringfence.rules.network.named_port_ip_block

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	"Egress" in netpol.reviewed_types
	some r in netpol.rules(core.resource, "egress")
	blocks := sort([p.index | some p in netpol.peers(r.rule, "to"); is_object(p.peer.ipBlock)])
	count(blocks) > 0
	is_array(r.rule.ports)
	some j, p in r.rule.ports
	is_string(p.port)
	field := sprintf("spec.egress[%d].ports[%d].port", [r.index, j])
	msg := sprintf(
		"%s: egress rule %d names port %q and sends traffic to ipBlock to[%d], but a named port resolves only against the container ports of destination pods, so it never matches traffic to those addresses",
		[core.display, r.index, p.port, blocks[0]],
	)
}
