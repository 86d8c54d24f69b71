# METADATA
# title: NetworkPolicy allows egress to the internet
# description: >-
#   An egress rule open to the internet lets a compromised pod download tools, reach
#   command-and-control servers and exfiltrate data. Each egress rule is reported when it
#   has no to list (absent, null or empty: every destination), or when one of its peers
#   is an ipBlock with prefix length 0 (0.0.0.0/0, ::/0), whatever its except entries
#   carve out: excepting the private ranges still leaves the whole internet. Rules whose
#   ports are all listed in allowed_ports (default 53, for DNS) are accepted; a port
#   entry without a port, with a named port, or with an endPort range reaching outside
#   the list is not. Egress rules are only read when the policy's effective policyTypes
#   include Egress (unset or empty policyTypes include it only when spec.egress has a
#   rule); a null rule entry decodes to the empty rule, which allows everything.
# scope: package
# custom:
#   id: RF-NET-004
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Limit the rule's to list to the pods, namespaces and external CIDRs the workload
#     talks to, or route outbound traffic through an egress gateway or proxy and allow
#     only that. Keep DNS open with a rule limited to port 53, ideally to the cluster DNS
#     pods only.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
#   parameters:
#     - name: allowed_ports
#       type: array
#       items: integer
#       default: [53]
#       description: >-
#         port numbers an egress rule may open to the internet; a rule is accepted when
#         every one of its ports is in this list
package ringfence.rules.network.egress_to_internet

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	netpol.no_peers(r.rule, "to")
	field := sprintf("spec.egress[%d]", [r.index])
	msg := sprintf(
		"%s: egress rule %d has no to, so it allows traffic to any destination, the internet included",
		[core.display, r.index],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	open := {p.index: netpol.cidr(p.peer) |
		some p in netpol.peers(r.rule, "to")
		netpol.open_block(p.peer)
	}
	count(open) > 0
	first := min(object.keys(open))
	cidrs := sort({sprintf("%q", [c]) | some c in open})
	field := sprintf("spec.egress[%d].to[%d].ipBlock.cidr", [r.index, first])
	msg := sprintf(
		"%s: egress rule %d allows traffic to %s, so it reaches the internet",
		[core.display, r.index, concat(" and ", cidrs)],
	)
}

# open_rules holds the egress rules (with their index) that take effect and open ports
# beyond allowed_ports.
open_rules contains r if {
	"Egress" in netpol.reviewed_types
	some r in netpol.rules(core.resource, "egress")
	not only_allowed_ports(r.rule)
}

# only_allowed_ports is true when the rule lists ports and every port it opens is allowed.
only_allowed_ports(rule) if {
	is_array(rule.ports)
	count(rule.ports) > 0
	every p in rule.ports {
		port_allowed(p)
	}
}

# port_allowed is true when every port number the entry names is allowed; entries without
# a numeric port name every port or a named one, and are never allowed.
port_allowed(p) if {
	numbers := netpol.port_numbers(p, count(allowed_ports))
	every n in numbers {
		n in allowed_ports
	}
}

# allowed_ports is the set of numbers in the allowed_ports parameter; anything else is ignored.
allowed_ports := {n |
	some n in core.parameter(rego.metadata.chain(), "allowed_ports")
	is_number(n)
}
