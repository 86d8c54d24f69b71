# METADATA
# title: Cilium policy allows the internet on every port
# description: >-
#   An allow item of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that names
#   the world (every address outside the cluster) and no port opens the endpoints it
#   selects to the whole internet: any address may connect to every port they listen on
#   (ingress), or they may connect to any address on any port (egress), which is what
#   exfiltration and command-and-control need. An item is reported, once per such peer,
#   when it is in spec.ingress or spec.egress (or those of an entry of specs) of a policy
#   Cilium accepts, names the entity world, world-ipv4, world-ipv6 or all in
#   fromEntities/toEntities, or a prefix of length 0 (0.0.0.0/0, ::/0) in
#   fromCIDR/toCIDR, or in fromCIDRSet/toCIDRSet without except, and allows every port:
#   no toPorts (and no icmps), or a toPorts entry without L7 rules or serverNames whose
#   ports are empty or hold port 0 (or a range from 0 or 1 to 65535) with protocol ANY
#   (the default). Host policies (nodeSelector) are read as well. A peer is not reported
#   when a deny item of the same rule and direction takes that part of the world away on
#   every port (deny items take precedence): the entity world or all for every address,
#   world-ipv4 or a /0 IPv4 prefix (without except) for IPv4 addresses, world-ipv6 or a /0
#   IPv6 prefix for IPv6 ones; deny items of other rules or policies are not looked at.
#   Policies Cilium refuses have no effect and are not reported.
# scope: package
# custom:
#   id: RF-NET-060
#   severity: high
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   remediation: >-
#     Name the ports the service needs in toPorts, and narrow the peers: the CIDRs of the
#     partners or load balancers that reach it (ingress), toFQDNs with the names it calls
#     (egress). Put traffic that must reach the internet through an egress gateway or
#     proxy.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://docs.cilium.io/en/stable/security/policy/language/#entities-based
#     - https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based
#     - https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples
#   parameters: []
package ringfence.rules.network.cilium_allow_world

import data.ringfence.lib.cilium
import data.ringfence.lib.core

policy := core.resource

# open_items holds the allow items of the policy that allow every port, with the rule
# they belong to.
open_items contains {
	"path": sprintf("%s.%s[%d]", [r.path, x.list, x.index]),
	"item": x.item,
	"rule": r.rule,
	"list": x.list,
	"peers": cilium.lists[x.list].peers,
} if {
	cilium.reviewed
	some r in cilium.effective_rules(policy)
	some x in cilium.items(r.rule)
	x.list in {"ingress", "egress"}
	cilium.every_port(x.item)
}

deny contains {"msg": msg, "field": field} if {
	some o in open_items
	some peer in world_peers(o.item, o.peers)
	not world_denied(o.rule, o.list, peer.family)
	field := sprintf("%s.%s", [o.path, peer.field])
	msg := message(o, peer.text)
}

# world_peers holds the peers of an item that reach the world (or all of one address
# family): {"field": "fromEntities[0]", "text": "fromEntities \"world\"", "family": "any"}.
world_peers(item, peers) := ({p |
	field_name := sprintf("%sEntities", [peers])
	some j, e in cilium.array_field(item, field_name)
	is_string(e)
	entity_families[e]
	p := {"field": sprintf("%s[%d]", [field_name, j]), "text": sprintf("%s %q", [field_name, e]), "family": entity_families[e]}
} | {p |
	field_name := sprintf("%sCIDR", [peers])
	some j, c in cilium.array_field(item, field_name)
	whole(c)
	p := {"field": sprintf("%s[%d]", [field_name, j]), "text": sprintf("%s %q", [field_name, c]), "family": family(c)}
}) | {p |
	field_name := sprintf("%sCIDRSet", [peers])
	some j, s in cilium.array_field(item, field_name)
	whole_set(s)
	p := {
		"field": sprintf("%s[%d].cidr", [field_name, j]),
		"text": sprintf("%s cidr %q without except", [field_name, s.cidr]),
		"family": family(s.cidr),
	}
}

# entity_families maps the entities that hold the world to the addresses they hold.
entity_families := {"world": "any", "all": "any", "world-ipv4": "ipv4", "world-ipv6": "ipv6"}

# whole is true for a prefix of length 0, which holds every address of its family.
whole(c) if {
	is_string(c)
	endswith(c, "/0")
	net.cidr_is_valid(c)
}

whole_set(s) if {
	whole(s.cidr)
	count(cilium.array_field(s, "except")) == 0
}

family(c) := "ipv6" if contains(c, ":")

else := "ipv4"

# world_denied is true when a deny item of the rule, in the direction of list, denies
# every port to or from every address of family ("any" is both).
world_denied(rule, list, fam) if {
	wanted := families[fam]
	denied := {f |
		deny_list := sprintf("%sDeny", [list])
		some item in cilium.array_field(rule, deny_list)
		cilium.every_port(item)
		some p in world_peers(item, cilium.lists[deny_list].peers)
		some f in families[p.family]
	}
	count(wanted - denied) == 0
}

families := {"any": {"ipv4", "ipv6"}, "ipv4": {"ipv4"}, "ipv6": {"ipv6"}}

message(o, peer) := sprintf(
	"%s: %s allows %s on every port, so the endpoints it selects accept connections from anywhere on the internet",
	[core.display, o.path, peer],
) if {
	o.peers == "from"
} else := sprintf(
	"%s: %s allows %s on every port, so the endpoints it selects can connect to any address on the internet",
	[core.display, o.path, peer],
)
