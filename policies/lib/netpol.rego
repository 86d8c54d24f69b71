# METADATA
# title: ringfence NetworkPolicy library
# description: >-
#   Kubernetes NetworkPolicy semantics (networking.k8s.io/v1 and the legacy
#   extensions/v1beta1): which pods a policy selects, its effective policyTypes, its rules
#   with the API server's decoding of absent and null fields, what its peers, ipBlocks and
#   ports admit, and the labels of the pods a workload creates. Every value is safe on
#   objects of any shape; fields the API server would reject select or admit nothing.
# scope: package
package ringfence.lib.netpol

import data.ringfence.lib.core
import data.ringfence.lib.selector

# groups are the API groups that serve the Kubernetes NetworkPolicy kind. Calico's
# projectcalico.org NetworkPolicy and other custom kinds of that name mean something else.
groups := {"networking.k8s.io", "extensions"}

# is_network_policy is true when obj is a Kubernetes NetworkPolicy.
is_network_policy(obj) if {
	is_object(obj)
	obj.kind == "NetworkPolicy"
	api_group(obj.apiVersion) in groups
}

# reviewed is true when the object under review is a Kubernetes NetworkPolicy.
reviewed if {
	core.kind == "NetworkPolicy"
	core.group in groups
}

# reviewed_types is the effective policyTypes (see policy_types) of the Kubernetes
# NetworkPolicy under review. Several rules test it; a rule remembers the value within an
# evaluation, where a function call that finds a type missing is computed anew.
reviewed_types := policy_types(core.resource) if reviewed

api_group(api_version) := parts[0] if {
	is_string(api_version)
	parts := split(api_version, "/")
	count(parts) == 2
}

# absent is true when key is missing from obj or null: the API server decodes both the same.
absent(obj, key) if {
	is_object(obj)
	object.get(obj, key, null) == null
}

# spec is the policy's spec; absent or null is the empty spec. Undefined when the spec is
# neither an object nor null (the API server would reject the policy).
spec(policy) := s if {
	is_object(policy)
	s := policy.spec
	is_object(s)
} else := {} if {
	is_object(policy)
	absent(policy, "spec")
}

# pod_selector is spec.podSelector; absent or null defaults to the empty selector, which
# selects every pod in the policy's namespace. Undefined when it is not an object.
pod_selector(policy) := s if {
	s := policy.spec.podSelector
	is_object(s)
} else := {} if {
	absent(spec(policy), "podSelector")
}

# selects is true when the policy's podSelector selects pods carrying labels.
selects(policy, labels) if {
	is_object(labels)
	selector.matches(pod_selector(policy), labels)
}

# selects_all_pods is true when the policy applies to every pod of its namespace.
selects_all_pods(policy) if selector.selects_all(pod_selector(policy))

# policy_types is the set of effective policyTypes. When spec.policyTypes is unset or
# empty the API server defaults it to Ingress, plus Egress when spec.egress has at least
# one rule (an empty egress list does not count).
policy_types(policy) := {t | some t in spec(policy).policyTypes; is_string(t)} if {
	is_array(spec(policy).policyTypes)
	count(spec(policy).policyTypes) > 0
} else := {"Ingress", "Egress"} if {
	is_array(spec(policy).egress)
	count(spec(policy).egress) > 0
} else := {"Ingress"} if {
	is_object(spec(policy))
}

affects_ingress(policy) if "Ingress" in policy_types(policy)

affects_egress(policy) if "Egress" in policy_types(policy)

# rules holds the policy's rules of one direction ("ingress" or "egress") with their index:
# {"rule": <rule>, "index": 0}. A null entry decodes to the empty rule, which matches all
# traffic; entries of any other shape are dropped.
rules(policy, direction) := {{"rule": r, "index": i} |
	some i, entry in spec(policy)[direction]
	r := rule_value(entry)
} if {
	is_array(spec(policy)[direction])
} else := set()

rule_value(entry) := entry if is_object(entry)

rule_value(entry) := {} if entry == null

# no_rules is true when the direction's rule list is absent, null or empty: with that
# direction among the policyTypes, the selected pods get no traffic of that direction.
no_rules(policy, direction) if absent(spec(policy), direction)

no_rules(policy, direction) if spec(policy)[direction] == []

# denies_all_ingress is true for a default-deny ingress policy: it selects every pod of
# its namespace, its policyTypes include Ingress and it has no ingress rules.
denies_all_ingress(policy) if {
	is_network_policy(policy)
	selects_all_pods(policy)
	affects_ingress(policy)
	no_rules(policy, "ingress")
}

# denies_all_egress is true for a default-deny egress policy: it selects every pod of its
# namespace, its policyTypes include Egress and it has no egress rules. Without egress
# rules, Egress is among the policyTypes only when they list it.
denies_all_egress(policy) if {
	is_network_policy(policy)
	selects_all_pods(policy)
	affects_egress(policy)
	no_rules(policy, "egress")
}

# default_denials is the set of directions ("Ingress", "Egress") in which one of the
# objects of policies (the NetworkPolicies of a namespace, say) denies all traffic by
# default (see denies_all_ingress and denies_all_egress): the namespace rules of both
# directions read it once. Most policies select some pods only, so the podSelector is
# tested first.
default_denials(policies) := {direction |
	some policy in policies
	selects_all_pods(policy)
	is_network_policy(policy)
	some direction in policy_types(policy)
	no_rules(policy, rule_fields[direction])
}

rule_fields := {"Ingress": "ingress", "Egress": "egress"}

# no_peers is true when the rule's peer list (field "from" or "to") is absent, null or
# empty: the rule then matches every source or destination, inside and outside the cluster.
no_peers(rule, field) if absent(rule, field)

no_peers(rule, field) if rule[field] == []

# peers holds the object entries of the rule's peer list with their index:
# {"peer": <NetworkPolicyPeer>, "index": 0}.
peers(rule, field) := {{"peer": p, "index": i} |
	some i, p in rule[field]
	is_object(p)
} if {
	is_array(rule[field])
} else := set()

# peer_all_pods is true for a peer that selects every pod in every namespace: an empty
# namespaceSelector with no podSelector or an empty one, and no ipBlock.
peer_all_pods(peer) if {
	selector.selects_all(peer.namespaceSelector)
	peer_pod_selector_all(peer)
	absent(peer, "ipBlock")
}

peer_pod_selector_all(peer) if absent(peer, "podSelector")

peer_pod_selector_all(peer) if selector.selects_all(peer.podSelector)

# open_block is the IP family ("IPv4" or "IPv6") of a peer whose ipBlock cidr has prefix
# length 0 (0.0.0.0/0, ::/0): every address of that family. Its except entries are ignored.
open_block(peer) := cidr_family(peer.ipBlock.cidr) if {
	is_object(peer.ipBlock)
}

# open_block_without_except is open_block for blocks that carve nothing out.
open_block_without_except(peer) := family if {
	family := open_block(peer)
	no_except(peer.ipBlock)
}

no_except(block) if absent(block, "except")

no_except(block) if block.except == []

# cidr_family is the IP family of a CIDR with prefix length 0; undefined for any other CIDR.
cidr_family(cidr) := family if {
	is_string(cidr)
	parts := split(trim_space(cidr), "/")
	count(parts) == 2
	regex.match(`^0+$`, parts[1])
	family := address_family(parts[0])
}

address_family(addr) := "IPv6" if {
	contains(addr, ":")
} else := "IPv4" if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`, addr)
}

# cidr is the trimmed ipBlock cidr of a peer, for messages.
cidr(peer) := trim_space(peer.ipBlock.cidr) if is_string(peer.ipBlock.cidr)

protocols := {"TCP", "UDP", "SCTP"}

# all_ports is true when the rule does not restrict ports: its ports list is absent, null
# or empty, or it covers every port of TCP, UDP and SCTP (entries without a port, or ranges
# from port 1 to endPort 65535).
all_ports(rule) if absent(rule, "ports")

all_ports(rule) if rule.ports == []

all_ports(rule) if {
	is_array(rule.ports)
	count(rule.ports) >= count(protocols) # each protocol needs an entry of its own
	every protocol in protocols {
		some p in rule.ports
		port_protocol(p) == protocol
		covers_protocol(p)
	}
}

# port_protocol is the entry's protocol, TCP (the API default) when unset.
port_protocol(p) := p.protocol if {
	is_object(p)
	is_string(p.protocol)
	p.protocol != ""
} else := "TCP" if {
	is_object(p)
	absent(p, "protocol")
}

covers_protocol(p) if absent(p, "port")

covers_protocol(p) if {
	is_number(p.port)
	p.port <= 1
	is_number(p.endPort)
	p.endPort >= 65535
}

# port_numbers is the set of port numbers a NetworkPolicyPort entry names: port alone, or
# port to endPort inclusive. Undefined for entries without a numeric port (every port, or
# a named port) and for ranges longer than limit, so callers never expand large ranges.
port_numbers(p, limit) := {p.port} if {
	is_number(p.port)
	absent(p, "endPort")
} else := {n | some n in numbers.range(p.port, p.endPort)} if {
	is_number(p.port)
	is_number(p.endPort)
	p.endPort >= p.port
	p.endPort - p.port < limit
}

# template_labels returns, for a pod spec of core.pod_specs, the labels of the pods it
# creates and the path to them: {"labels": {...}, "path": "spec.template.metadata.labels"}.
# A Pod carries its own metadata.labels; a CronJob's pods take
# spec.jobTemplate.spec.template.metadata.labels. Missing or malformed labels are empty.
template_labels(ps) := {
	"labels": core.object_or_empty(object.get(ps, ["metadata", "labels"], null)),
	"path": concat(".", [ps.metadata_path, "labels"]),
} if {
	is_string(ps.metadata_path)
}

# directions describes the two rule lists of a NetworkPolicy spec: the policyType that
# makes each take effect and the field holding its peers.
directions := {
	"ingress": {"type": "Ingress", "peers": "from"},
	"egress": {"type": "Egress", "peers": "to"},
}

# all_rules holds the rules of both directions, whether they take effect or not (the API
# server validates them all): {"direction": "egress", "peers": "to", "rule": <rule>,
# "index": 0}.
all_rules(policy) := {entry |
	some direction, info in directions
	some r in rules(policy, direction)
	entry := object.union(r, {"direction": direction, "peers": info.peers})
}

# effective_rules is all_rules limited to the directions among the effective policyTypes.
effective_rules(policy) := {entry |
	types := policy_types(policy)
	some entry in all_rules(policy)
	directions[entry.direction].type in types
}

# peers_cover_all is true when a rule's peers (field "from" or "to") together select every
# pod in every namespace and every IPv4 and IPv6 address: namespaceSelector {} with no
# podSelector or an empty one, plus ipBlocks 0.0.0.0/0 and ::/0 without except.
peers_cover_all(rule, field) if {
	ps := peers(rule, field)
	some p in ps
	peer_all_pods(p.peer)
	every family in {"IPv4", "IPv6"} {
		some q in ps
		open_block_without_except(q.peer) == family
	}
}

# all_namespaces is true for a peer whose namespaceSelector is empty: it selects pods in
# every namespace (all of them, or those its podSelector matches). Peers that also carry
# an ipBlock are rejected by the API server and select nothing here.
all_namespaces(peer) if {
	selector.selects_all(peer.namespaceSelector)
	absent(peer, "ipBlock")
}

# valid_cidr is true for a string Go's net.ParseCIDR accepts, as the API server does: an
# IPv4 or IPv6 address, a slash and a prefix length in range; no spaces, no zone, no
# leading zeros in IPv4 octets.
valid_cidr(c) if {
	is_string(c)
	net.cidr_is_valid(c)
}

# block_cidr is the trimmed cidr of a peer's ipBlock when it is a valid CIDR.
block_cidr(peer) := c if {
	c := cidr(peer)
	valid_cidr(c)
}

# prefix_length is the prefix length of a valid CIDR.
prefix_length(c) := to_number(split(c, "/")[1]) if valid_cidr(c)

# cidr_address_family is "IPv4" or "IPv6" for a valid CIDR.
cidr_address_family(c) := address_family(split(c, "/")[0]) if valid_cidr(c)

# as_cidr turns an address into a host CIDR (/32, /128) and keeps valid CIDRs; undefined
# for anything else.
as_cidr(a) := a if valid_cidr(a)

else := c if {
	is_string(a)
	c := concat("/", [a, host_prefix[address_family(a)]])
	valid_cidr(c)
}

host_prefix := {"IPv4": "32", "IPv6": "128"}

# block_admits is true when a peer's ipBlock admits every address of the CIDR addr (a
# host CIDR for one address): its trimmed cidr is valid and contains addr, and no valid
# except entry contains any of it.
block_admits(peer, addr) if {
	c := block_cidr(peer)
	valid_cidr(addr)
	net.cidr_contains(c, addr)
	not excepted(peer.ipBlock, addr)
}

excepted(block, addr) if {
	is_array(block.except)
	some e in block.except
	is_string(e)
	valid_cidr(trim_space(e))
	net.cidr_intersects(trim_space(e), addr)
}

# admits_port is true when the rule's ports admit port number n of protocol: its ports
# list is absent, null or empty, or an entry of that protocol (TCP when unset) has no
# port, port n, or a port to endPort range holding n. Named ports are not resolved.
admits_port(rule, _, _) if absent(rule, "ports")

admits_port(rule, _, _) if rule.ports == []

admits_port(rule, protocol, n) if {
	is_array(rule.ports)
	some p in rule.ports
	port_protocol(p) == protocol
	entry_admits_port(p, n)
}

entry_admits_port(p, _) if absent(p, "port")

entry_admits_port(p, n) if {
	p.port == n
	absent(p, "endPort")
}

entry_admits_port(p, n) if {
	is_number(p.port)
	is_number(p.endPort)
	p.port <= n
	n <= p.endPort
}

# normalized_selector is a well-formed label selector in a form where equal selectors
# compare equal: null and absent fields alike, matchExpressions as a set.
normalized_selector(s) := {
	"matchLabels": {k: selector.label_value(v) | some k, v in selector.match_labels(s)},
	"matchExpressions": {e | some e in selector.match_expressions(s)},
} if {
	selector.well_formed(s)
}

# same_pod_selector is true when two policies have the same podSelector (absent or null
# is the empty selector).
same_pod_selector(a, b) if normalized_selector(pod_selector(a)) == normalized_selector(pod_selector(b))
