# METADATA
# title: NetworkPolicy ipBlock wider than allowed
# description: >-
#   An ipBlock with a short prefix admits a large part of the address space (a /8 is 16
#   million IPv4 addresses), usually far more than the clients or servers the rule was
#   written for, and often networks the cluster does not control. Each ipBlock in an
#   ingress from or egress to list is reported when its cidr's prefix length is below
#   min_prefix_length_ipv4 (default 8) or min_prefix_length_ipv6 (default 32) for its
#   address family, 0.0.0.0/0 and ::/0 included. Only the cidr is measured: except
#   entries are not subtracted, since a block minus a few ranges is nearly as wide.
#   Egress blocks of prefix length 0 are left to RF-NET-004, which reports them as
#   reaching the internet (unless the rule opens only the ports in its allowed_ports),
#   so they are not reported twice; egress blocks of other short prefixes and all short
#   ingress blocks are reported here. Rules are only read for the directions among the
#   policy's effective policyTypes; cidrs are trimmed of spaces, and invalid ones
#   (RF-NET-009) are not measured.
# scope: package
# custom:
#   id: RF-NET-007
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Narrow the ipBlock to the ranges the pods really exchange traffic with (a load
#     balancer's or partner's addresses, a VPC subnet), one ipBlock per range; for
#     internet clients prefer a front door (ingress controller, load balancer with source
#     ranges) that the policy admits by pod or namespace selector.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#IPBlock
#   parameters:
#     - name: min_prefix_length_ipv4
#       type: integer
#       default: 8
#       description: shortest IPv4 prefix length an ipBlock cidr may have
#     - name: min_prefix_length_ipv6
#       type: integer
#       default: 32
#       description: shortest IPv6 prefix length an ipBlock cidr may have
package ringfence.rules.network.wide_ip_block

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	netpol.reviewed
	some r in netpol.effective_rules(core.resource)
	some p in netpol.peers(r.rule, r.peers)
	cidr := netpol.block_cidr(p.peer)
	family := netpol.cidr_address_family(cidr)
	length := netpol.prefix_length(cidr)
	minimum := min_prefix_length[family]
	length < minimum
	not left_to_egress_to_internet(r.direction, length)
	field := sprintf("spec.%s[%d].%s[%d].ipBlock.cidr", [r.direction, r.index, r.peers, p.index])
	msg := sprintf(
		"%s: %s rule %d %s[%d] ipBlock cidr %q has prefix length %d, shorter than the minimum of %d for %s",
		[core.display, r.direction, r.index, r.peers, p.index, cidr, length, minimum, family],
	)
}

# RF-NET-004 reports egress blocks of prefix length 0.
left_to_egress_to_internet("egress", 0)

# min_prefix_length maps each address family to its parameter, when that is a number.
min_prefix_length[family] := n if {
	some family, name in {"IPv4": "min_prefix_length_ipv4", "IPv6": "min_prefix_length_ipv6"}
	n := core.parameter(rego.metadata.chain(), name)
	is_number(n)
}
