# METADATA
# title: Calico Allow rule open to any source or destination
# description: >-
#   A Calico Allow rule matches the peer through its EntityRule: source for ingress
#   rules, destination for egress rules. When that entity sets none of nets, notNets,
#   selector, notSelector, namespaceSelector, serviceAccounts, services (or domains, for
#   egress), the rule allows every peer, pods in every namespace, hosts and the internet
#   alike; protocol and ports narrow what traffic it allows but not who sends or receives
#   it. An entity net of 0.0.0.0/0 or ::/0 is reported as well: it names every IPv4 or
#   IPv6 address. Fields set to null, "", [] or {} restrict nothing. Only rules of the
#   policy's effective types are read (Calico's default when spec.types is unset: Ingress
#   with ingress rules, Egress with egress rules, Ingress with neither). Applies to
#   projectcalico.org/v3 and crd.projectcalico.org/v1 NetworkPolicy and
#   GlobalNetworkPolicy.
# scope: package
# custom:
#   id: RF-NET-041
#   severity: medium
#   kinds:
#     - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: NetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#   remediation: >-
#     Name the peers the rule is for: a selector (with a namespaceSelector for other
#     namespaces), serviceAccounts, services, or the narrowest nets that hold them. Put
#     traffic from or to the internet in its own rule with explicit nets or a
#     GlobalNetworkSet selector.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule
#     - https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule
#     - https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
#   parameters: []
package ringfence.rules.network.calico_allow_any_peer

import data.ringfence.lib.calico
import data.ringfence.lib.core

# entity is the EntityRule that names the peer of each direction.
entity := {"ingress": "source", "egress": "destination"}

peer_word := {"ingress": "from any source", "egress": "to any destination"}

# restricting lists the EntityRule fields that narrow which peers match.
restricting := {
	"ingress": ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "serviceAccounts", "services"],
	"egress": ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "serviceAccounts", "services", "domains"],
}

allow_rules contains {"direction": d, "rule": r.rule, "index": r.index} if {
	calico.reviewed
	types := calico.types(core.resource)
	some d, t in calico.directions
	t in types
	some r in calico.rules(core.resource, d)
	calico.action(r.rule) == "Allow"
}

deny contains {"msg": msg, "field": field} if {
	calico.reviewed
	some a in allow_rules
	e := object.get(a.rule, entity[a.direction], null)
	open_peer(e, a.direction)
	field := sprintf("spec.%s[%d]", [a.direction, a.index])
	msg := sprintf(
		"%s: %s rule %d allows traffic %s: its %s sets none of %s",
		[core.display, a.direction, a.index, peer_word[a.direction], entity[a.direction], concat(", ", restricting[a.direction])],
	)
}

deny contains {"msg": msg, "field": field} if {
	calico.reviewed
	some a in allow_rules
	nets := a.rule[entity[a.direction]].nets
	is_array(nets)
	some i, net in nets
	family := open_net(net)
	field := sprintf("spec.%s[%d].%s.nets[%d]", [a.direction, a.index, entity[a.direction], i])
	msg := sprintf(
		"%s: %s rule %d allows %s net %s, every %s address",
		[core.display, a.direction, a.index, entity[a.direction], trim_space(net), family],
	)
}

open_peer(e, _) if calico.blank(e)

open_peer(e, d) if {
	is_object(e)
	every f in restricting[d] {
		restricts_nothing(object.get(e, f, null))
	}
}

restricts_nothing(v) if calico.blank(v)

# serviceAccounts {names, selector} and services {name, namespace} with only blank fields
restricts_nothing(v) if {
	is_object(v)
	every _, x in v {
		calico.blank(x)
	}
}

open_net(net) := "IPv4" if {
	is_string(net)
	trim_space(net) == "0.0.0.0/0"
}

open_net(net) := "IPv6" if {
	is_string(net)
	trim_space(net) in {"::/0", "0::/0", "::0/0"}
}
