# METADATA
# title: NetworkPolicy admits all ingress
# description: >-
#   An ingress rule that admits every source on every port undoes the isolation of the
#   pods the policy selects: anything that can route to them can connect. A rule admits
#   every port when its ports list is absent, null or empty, or covers all of TCP, UDP
#   and SCTP (entries without a port, or port 1 to endPort 65535). It admits every source
#   when its from list is absent, null or empty (the `- {}` rule), or when its peers
#   together cover every pod in every namespace (namespaceSelector {} with no podSelector
#   or an empty one) and every IPv4 and IPv6 address (ipBlock 0.0.0.0/0 and ::/0 without
#   except). Narrower rules are not reported: namespaceSelector {} alone admits no
#   outside address, and ipBlocks alone leave cluster pods to the network plugin. Rules
#   are only read when the policy's effective policyTypes include Ingress (unset or empty
#   policyTypes default to it); a null rule entry decodes to the empty rule.
# scope: package
# custom:
#   id: RF-NET-002
#   severity: high
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Replace the rule with rules that name the clients (podSelector, namespaceSelector
#     with labels, or specific ipBlocks) and the ports the selected pods serve. If the
#     pods really must accept everything, delete the policy rather than keep one that
#     looks restrictive.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
#   parameters: []
package ringfence.rules.network.allow_all_ingress

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	netpol.no_peers(r.rule, "from")
	field := sprintf("spec.ingress[%d]", [r.index])
	msg := sprintf("%s: ingress rule %d restricts neither sources nor ports, so it admits all ingress traffic", [core.display, r.index])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	peers := netpol.peers(r.rule, "from")
	some p in peers
	netpol.peer_all_pods(p.peer)
	every family in {"IPv4", "IPv6"} {
		some q in peers
		netpol.open_block_without_except(q.peer) == family
	}
	field := sprintf("spec.ingress[%d].from", [r.index])
	msg := sprintf(
		"%s: ingress rule %d admits every pod in every namespace and every IPv4 and IPv6 address on every port, so it admits all ingress traffic",
		[core.display, r.index],
	)
}

# open_rules holds the ingress rules (with their index) that take effect and match every port.
open_rules contains r if {
	"Ingress" in netpol.reviewed_types
	some r in netpol.rules(core.resource, "ingress")
	netpol.all_ports(r.rule)
}
