# METADATA
# title: NetworkPolicy allows all egress
# description: >-
#   An egress rule that allows every destination on every port undoes the egress
#   isolation of the pods the policy selects: they can reach any pod, node, cloud service
#   or internet address. A rule allows every port when its ports list is absent, null or
#   empty, or covers all of TCP, UDP and SCTP (entries without a port, or port 1 to
#   endPort 65535). It allows every destination when its to list is absent, null or empty
#   (the `- {}` rule), or when its peers together cover every pod in every namespace
#   (namespaceSelector {} with no podSelector or an empty one) and every IPv4 and IPv6
#   address (ipBlock 0.0.0.0/0 and ::/0 without except). Rules are only read when the
#   policy's effective policyTypes include Egress (unset or empty policyTypes include it
#   only when spec.egress has a rule); a null rule entry decodes to the empty rule.
#   RF-NET-004 also reports these rules, as reaching the internet; this rule says that
#   the policy restricts no egress at all.
# scope: package
# custom:
#   id: RF-NET-005
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Replace the rule with rules that name the destinations (podSelector,
#     namespaceSelector with labels, or specific ipBlocks) and the ports the pods use,
#     keeping DNS open with a rule limited to port 53. If the pods really need unrestricted
#     egress, leave Egress out of the policyTypes rather than keep a rule that looks
#     restrictive.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-egress-traffic
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
#   parameters: []
package ringfence.rules.network.allow_all_egress

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	netpol.no_peers(r.rule, "to")
	field := sprintf("spec.egress[%d]", [r.index])
	msg := sprintf("%s: egress rule %d restricts neither destinations nor ports, so it allows all egress traffic", [core.display, r.index])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	netpol.peers_cover_all(r.rule, "to")
	field := sprintf("spec.egress[%d].to", [r.index])
	msg := sprintf(
		"%s: egress rule %d allows every pod in every namespace and every IPv4 and IPv6 address on every port, so it allows all egress traffic",
		[core.display, r.index],
	)
}

# open_rules holds the egress rules (with their index) that take effect and match every port.
open_rules contains r if {
	"Egress" in netpol.reviewed_types
	some r in netpol.rules(core.resource, "egress")
	netpol.all_ports(r.rule)
}
