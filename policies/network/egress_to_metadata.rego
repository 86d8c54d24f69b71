# METADATA
# title: NetworkPolicy egress reaches the cloud metadata endpoint
# description: >-
#   The instance metadata service of the cloud a node runs on (169.254.169.254 on AWS,
#   GCP, Azure and most others, fd00:ec2::254 on AWS over IPv6) hands out the node's
#   credentials and bootstrap data to any process that asks, so a pod that can reach it
#   can often act as the node. An egress rule of a policy whose effective policyTypes
#   include Egress (unset or empty policyTypes include it only when spec.egress has a
#   rule) is reported when it allows an address of the addresses parameter (by default
#   those two): its to list is absent, null or empty, or one of its ipBlocks has a cidr
#   (trimmed of spaces) containing the address and no except entry covering it. The
#   rule must also allow TCP port 80, the port the metadata services answer on: its
#   ports list is absent, null or empty, or an entry with protocol TCP or unset has no
#   port, port 80, or a port to endPort range holding 80. UDP and SCTP entries and
#   named ports do not count (a named port resolves only against pod container ports,
#   and the endpoint is not a pod); pod and namespace selector peers never match it.
#   Policies that do not isolate egress are not reported: their pods reach everything
#   anyway, which a default-deny egress policy fixes.
# scope: package
# custom:
#   id: RF-NET-008
#   severity: high
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Add the metadata addresses to the except list of every wide egress ipBlock
#     (except: [169.254.169.254/32] in 0.0.0.0/0, fd00:ec2::254/128 in ::/0), and replace
#     rules without a to list by rules naming their destinations. On the node side, also
#     require IMDSv2 with a hop limit of 1 (AWS) or use workload identity (GCP, Azure) so
#     pods cannot borrow the node's credentials.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#     - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
#     - https://cloud.google.com/kubernetes-engine/docs/how-to/protecting-cluster-metadata
#     - https://learn.microsoft.com/en-us/azure/virtual-machines/instance-metadata-service
#     - "MITRE ATT&CK T1552.005: Unsecured Credentials: Cloud Instance Metadata API"
#   parameters:
#     - name: addresses
#       type: array
#       items: string
#       default: ["169.254.169.254", "fd00:ec2::254"]
#       description: >-
#         IP addresses of metadata services that pods must not reach (add, for example,
#         100.100.100.200 on Alibaba Cloud)
package ringfence.rules.network.egress_to_metadata

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	netpol.no_peers(r.rule, "to")
	count(addresses) > 0
	field := sprintf("spec.egress[%d]", [r.index])
	msg := sprintf(
		"%s: egress rule %d has no to and allows TCP port 80, so the selected pods can reach the cloud metadata %s",
		[core.display, r.index, listed(object.keys(addresses))],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some r in open_rules
	some p in netpol.peers(r.rule, "to")
	reached := {a | some a, c in addresses; netpol.block_admits(p.peer, c)}
	count(reached) > 0
	field := sprintf("spec.egress[%d].to[%d].ipBlock", [r.index, p.index])
	msg := sprintf(
		"%s: egress rule %d to[%d] ipBlock %q admits the cloud metadata %s (no except entry covers it) and the rule allows TCP port 80",
		[core.display, r.index, p.index, netpol.cidr(p.peer), listed(reached)],
	)
}

# open_rules holds the egress rules (with their index) that take effect and allow TCP port 80.
open_rules contains r if {
	"Egress" in netpol.reviewed_types
	some r in netpol.rules(core.resource, "egress")
	netpol.admits_port(r.rule, "TCP", 80)
}

# addresses maps each address of the addresses parameter to its host CIDR; entries that
# are not IP addresses (or CIDRs) are ignored.
addresses[a] := c if {
	some a in core.parameter(rego.metadata.chain(), "addresses")
	c := netpol.as_cidr(a)
}

# listed names the endpoints of a set of addresses: endpoint "a", endpoints "a" and "b".
listed(set) := sprintf("%s %s", [noun(count(set)), concat(" and ", [sprintf("%q", [a]) | some a in sort(set)])])

noun(1) := "endpoint"

noun(n) := "endpoints" if n != 1
