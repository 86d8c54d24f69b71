# METADATA
# title: NetworkPolicy ipBlock the API server rejects
# description: >-
#   The API server refuses a NetworkPolicy whose ipBlock cidr or except entries are not
#   valid CIDRs, or whose except entries are not strict subsets of the cidr, so the
#   policy is never created and the isolation it was written for never happens (kubectl
#   apply and GitOps tools report the error, but the other documents of the set are
#   applied without it). Each ipBlock of every ingress and egress rule is checked,
#   whatever the policyTypes (the API server validates them all): a cidr that is missing
#   or empty; a cidr or except entry that Go's net.ParseCIDR refuses (an address without
#   a prefix length, a prefix out of range, spaces, IPv4 octets with leading zeros,
#   which older API servers accepted and strict IP validation refuses); an except entry
#   outside the cidr, of the other address family, or equal to it. Fields of the wrong
#   type (a number for a string, a string for a list) are decoding errors left to schema
#   validation.
# scope: package
# custom:
#   id: RF-NET-009
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Write cidr as address/prefix-length (10.0.0.0/8, 2001:db8::/32) and list in except
#     only ranges strictly inside it; drop except entries that cover the whole cidr (use
#     no ipBlock instead) and put ranges of the other address family in their own ipBlock.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#IPBlock
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#   parameters: []
package ringfence.rules.network.invalid_ip_block

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": concat(".", [b.path, "cidr"])} if {
	core.kind == "NetworkPolicy"
	some b in blocks
	no_cidr(b.block)
	msg := sprintf("%s: %s ipBlock has no cidr, so the API server rejects the policy", [core.display, b.name])
}

deny contains {"msg": msg, "field": concat(".", [b.path, "cidr"])} if {
	core.kind == "NetworkPolicy"
	some b in blocks
	c := b.block.cidr
	is_string(c)
	c != ""
	not netpol.valid_cidr(c)
	msg := sprintf("%s: %s ipBlock cidr %q is not a valid CIDR, so the API server rejects the policy", [core.display, b.name, c])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some b in blocks
	some i, e in excepts(b.block)
	not netpol.valid_cidr(e)
	field := sprintf("%s.except[%d]", [b.path, i])
	msg := sprintf("%s: %s ipBlock except[%d] %q is not a valid CIDR, so the API server rejects the policy", [core.display, b.name, i, e])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some b in blocks
	c := b.block.cidr
	netpol.valid_cidr(c)
	some i, e in excepts(b.block)
	netpol.valid_cidr(e)
	not strict_subset(e, c)
	field := sprintf("%s.except[%d]", [b.path, i])
	msg := sprintf(
		"%s: %s ipBlock except[%d] %q is not strictly inside cidr %q, so the API server rejects the policy",
		[core.display, b.name, i, e, c],
	)
}

# blocks holds every ipBlock object of every rule with its path and a name for messages:
# {"block": <IPBlock>, "path": "spec.egress[1].to[0].ipBlock", "name": "egress rule 1 to[0]"}.
blocks contains b if {
	core.kind == "NetworkPolicy"
	netpol.reviewed
	some r in netpol.all_rules(core.resource)
	some p in netpol.peers(r.rule, r.peers)
	is_object(p.peer.ipBlock)
	b := {
		"block": p.peer.ipBlock,
		"path": sprintf("spec.%s[%d].%s[%d].ipBlock", [r.direction, r.index, r.peers, p.index]),
		"name": sprintf("%s rule %d %s[%d]", [r.direction, r.index, r.peers, p.index]),
	}
}

no_cidr(block) if netpol.absent(block, "cidr")

no_cidr(block) if block.cidr == ""

# excepts maps the index of each string entry of the block's except list to the entry.
excepts(block) := {i: e | some i, e in block.except; is_string(e)} if is_array(block.except)

else := {}

# strict_subset is true when CIDR e lies inside CIDR c and is smaller: c contains e and e
# does not contain c (that would make them equal).
strict_subset(e, c) if {
	net.cidr_contains(c, e)
	not net.cidr_contains(e, c)
}
