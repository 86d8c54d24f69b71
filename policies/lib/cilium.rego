# METADATA
# title: ringfence Cilium library
# description: >-
#   Cilium policy semantics (cilium.io/v2 CiliumNetworkPolicy and
#   CiliumClusterwideNetworkPolicy) as Cilium v1.20 implements them: the rules of spec and
#   specs, the policies Cilium refuses, the identity labels of a pod after Cilium's
#   default label filter, endpoint selectors with their label sources, the namespace
#   scope of a CiliumNetworkPolicy and default deny per direction. Every value is safe on
#   objects of any shape; a refused policy has no rules in effect.
# scope: package
package ringfence.lib.cilium

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.selector

group := "cilium.io"

policy_kinds := {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"}

api_group(api_version) := parts[0] if {
	is_string(api_version)
	parts := split(api_version, "/")
	count(parts) == 2
}

# is_policy is true for a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
is_policy(obj) if {
	is_object(obj)
	policy_kinds[obj.kind]
	api_group(obj.apiVersion) == group
}

# reviewed is true when the object under review is a Cilium policy (is_policy of
# core.resource, read from the kind and group as core has them).
reviewed if {
	core.kind_in(policy_kinds)
	core.group == group
}

clusterwide(policy) if policy.kind == "CiliumClusterwideNetworkPolicy"

# namespace is the namespace of a CiliumNetworkPolicy: metadata.namespace, "default"
# when unset (where kubectl would create it).
namespace(policy) := ns if {
	ns := policy.metadata.namespace
	is_string(ns)
	ns != ""
} else := "default"

# display names a policy the way core.display names the object under review.
display(policy) := sprintf("%s %s", [policy.kind, cluster.name(policy)]) if {
	clusterwide(policy)
} else := sprintf("%s %s/%s", [policy.kind, namespace(policy), cluster.name(policy)])

# ---------------------------------------------------------------------------------------
# Rules (https://docs.cilium.io/en/stable/security/policy/language/)
# ---------------------------------------------------------------------------------------

# rules holds the rules of a policy, spec first, then each entry of specs (both count when
# both are set): {"rule": <Rule>, "path": "spec" | "specs[1]"}.
rules(policy) := array.concat(spec_rule(policy), specs_rules(policy))

spec_rule(policy) := [{"rule": s, "path": "spec"}] if {
	s := object.get(policy, "spec", null)
	s != null
} else := []

specs_rules(policy) := [{"rule": r, "path": sprintf("specs[%d]", [i])} | some i, r in policy.specs] if {
	is_array(policy.specs)
} else := []

# lists are the four item lists of a rule, with their direction and whether they deny.
lists := {
	"ingress": {"direction": "ingress", "deny": false, "peers": "from"},
	"ingressDeny": {"direction": "ingress", "deny": true, "peers": "from"},
	"egress": {"direction": "egress", "deny": false, "peers": "to"},
	"egressDeny": {"direction": "egress", "deny": true, "peers": "to"},
}

# array_field is obj[key] when it is an array, else [] (missing, null, a string, ...).
array_field(obj, key) := obj[key] if is_array(obj[key])

else := []

# items holds the items of a rule's lists: {"list": "ingressDeny", "index": 0, "item": {...}}.
items(rule) := [{"list": l, "index": i, "item": item} |
	some l, _ in lists
	some i, item in array_field(rule, l)
]

# has_items is true when the rule has an item (allow or deny) for direction ("ingress" or
# "egress"). An empty list is no item: Cilium reads "ingress: []" as no ingress section.
has_items(rule, direction) if {
	some l, m in lists
	m.direction == direction
	count(array_field(rule, l)) > 0
}

# refused is true for a policy Cilium refuses, which then has no effect at all: it has no
# rule (neither spec nor specs), or one of its rules is invalid (see invalid_rule).
refused(policy) if count(rules(policy)) == 0

refused(policy) if {
	s := object.get(policy, "specs", null)
	s != null
	not is_array(s)
}

refused(policy) if {
	some r in rules(policy)
	invalid_rule(r.rule)
}

# effective_rules is rules, or [] for a policy Cilium refuses.
effective_rules(policy) := [] if {
	refused(policy)
} else := rules(policy)

subject_fields := ["endpointSelector", "nodeSelector"]

# invalid_rule is true for a rule Cilium's validation rejects (pkg/policy/api
# Rule.Sanitize and the CRD schema): not an object; no item in any of ingress,
# ingressDeny, egress and egressDeny; not exactly one of endpointSelector and nodeSelector;
# a malformed selector; a list or enableDefaultDeny of the wrong type; an invalid item.
invalid_rule(rule) if not is_object(rule)

invalid_rule(rule) if {
	is_object(rule)
	every l, _ in lists {
		count(array_field(rule, l)) == 0
	}
}

invalid_rule(rule) if {
	is_object(rule)
	count([k | some k in subject_fields; object.get(rule, k, null) != null]) != 1
}

invalid_rule(rule) if {
	is_object(rule)
	some k in subject_fields
	s := object.get(rule, k, null)
	s != null
	not valid_selector(s)
}

invalid_rule(rule) if {
	is_object(rule)
	some l, _ in lists
	v := object.get(rule, l, null)
	v != null
	not is_array(v)
}

invalid_rule(rule) if {
	is_object(rule)
	d := object.get(rule, "enableDefaultDeny", null)
	d != null
	not valid_default_deny(d)
}

invalid_rule(rule) if {
	is_object(rule)
	some x in items(rule)
	invalid_item(lists[x.list], x.item)
}

valid_default_deny(d) if {
	is_object(d)
	every k in ["ingress", "egress"] {
		type_name(object.get(d, k, null)) in {"boolean", "null"}
	}
}

# peer_fields are the peer lists of an item of each direction; Cilium accepts one kind of
# peer per item. toFQDNs exists in egress allow items only.
peer_fields := {
	"ingress": ["fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "fromNodes", "fromGroups"],
	"egress": ["toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toNodes", "toGroups", "toServices"],
}

item_peer_fields(list) := array.concat(peer_fields.egress, ["toFQDNs"]) if {
	list.direction == "egress"
	list.deny == false
} else := peer_fields[list.direction]

# entities are the entity names Cilium knows (pkg/policy/api EntitySelectorMapping).
entities := {
	"all", "world", "world-ipv4", "world-ipv6", "cluster", "cluster-mesh", "host", "init",
	"ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver",
}

# invalid_item is true for an item Cilium rejects: not an object, a peer list or toPorts
# or icmps that is not a list, two kinds of peers in one item, an unknown entity, a
# malformed fromEndpoints/toEndpoints selector, an unparsable CIDR, icmps with toPorts, or
# an invalid toPorts entry (see invalid_port_rule).
invalid_item(_, item) if not is_object(item)

invalid_item(list, item) if {
	is_object(item)
	some f in array.concat(item_peer_fields(list), ["toPorts", "icmps"])
	v := object.get(item, f, null)
	v != null
	not is_array(v)
}

invalid_item(list, item) if {
	is_object(item)
	count([f | some f in item_peer_fields(list); count(array_field(item, f)) > 0]) > 1
}

invalid_item(list, item) if {
	is_object(item)
	some e in array_field(item, sprintf("%sEntities", [list.peers]))
	not entity(e)
}

invalid_item(list, item) if {
	is_object(item)
	some s in array_field(item, sprintf("%sEndpoints", [list.peers]))
	not valid_selector(s)
}

invalid_item(list, item) if {
	is_object(item)
	some c in array_field(item, sprintf("%sCIDR", [list.peers]))
	not valid_cidr_or_ip(c)
}

invalid_item(list, item) if {
	is_object(item)
	some c in array_field(item, sprintf("%sCIDRSet", [list.peers]))
	not valid_cidr_rule(c)
}

invalid_item(_, item) if {
	is_object(item)
	count(array_field(item, "icmps")) > 0
	count(array_field(item, "toPorts")) > 0
}

invalid_item(list, item) if {
	is_object(item)
	some pr in array_field(item, "toPorts")
	invalid_port_rule(list, pr)
}

entity(e) if {
	is_string(e)
	entities[e]
}

valid_cidr_or_ip(c) if {
	is_string(c)
	net.cidr_is_valid(c)
}

valid_cidr_or_ip(c) if {
	is_string(c)
	not contains(c, "/")
	some bits in ["/32", "/128"]
	net.cidr_is_valid(concat("", [c, bits]))
}

# valid_cidr_rule: exactly one of cidr, cidrGroupRef and cidrGroupSelector; a cidr is a
# prefix and its except entries are prefixes.
valid_cidr_rule(c) if {
	is_object(c)
	count([f | some f in ["cidr", "cidrGroupRef", "cidrGroupSelector"]; not blank(object.get(c, f, null))]) == 1
	valid_cidr_field(object.get(c, "cidr", null))
	every x in array_field(c, "except") {
		is_string(x)
		net.cidr_is_valid(x)
	}
}

valid_cidr_field(c) if blank(c)

valid_cidr_field(c) if {
	is_string(c)
	net.cidr_is_valid(c)
}

blank(v) if v == null

blank(v) if v == ""

# invalid_port_rule: an entry of toPorts Cilium rejects (PortRule.sanitize): not an
# object, ports that are not a list, a port that is missing or neither an IANA service
# name nor a number up to 65535, DNS rules on ingress, L7 rules on a port 0 or on a
# protocol other than TCP (DNS rules aside).
invalid_port_rule(_, pr) if not is_object(pr)

invalid_port_rule(_, pr) if {
	is_object(pr)
	v := object.get(pr, "ports", null)
	v != null
	not is_array(v)
}

invalid_port_rule(_, pr) if {
	is_object(pr)
	some p in array_field(pr, "ports")
	not valid_port(p)
}

invalid_port_rule(list, pr) if {
	is_object(pr)
	list.direction == "ingress"
	count(array_field(object.get(pr, "rules", {}), "dns")) > 0
}

invalid_port_rule(_, pr) if {
	is_object(pr)
	l7(pr)
	count(array_field(object.get(pr, "rules", {}), "dns")) == 0
	some p in array_field(pr, "ports")
	protocol(p) != "TCP"
}

invalid_port_rule(_, pr) if {
	is_object(pr)
	l7(pr)
	some p in array_field(pr, "ports")
	port_number(p) == 0
}

valid_port(p) if {
	is_object(p)
	port_name(p)
}

valid_port(p) if {
	is_object(p)
	port_number(p) <= 65535
}

# port_name is true for a port written as an IANA service name (a letter, letters, digits
# and single inner dashes, up to 15 characters), which Cilium resolves as a named port.
port_name(p) if {
	is_string(p.port)
	count(p.port) <= 15
	regex.match(`^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$`, p.port)
}

# port_number is the number of a port written as digits (or as a number).
port_number(p) := to_number(p.port) if {
	is_string(p.port)
	regex.match(`^[0-9]{1,5}$`, p.port)
} else := p.port if {
	is_number(p.port)
	p.port >= 0
	p.port == floor(p.port)
}

# protocol is a port's protocol in upper case, ANY when unset.
protocol(p) := upper(p.protocol) if {
	is_string(p.protocol)
	p.protocol != ""
} else := "ANY"

# l7 is true for a toPorts entry with L7 rules (http, kafka, dns, l7proto, l7).
l7(pr) if {
	some _, v in object.get(pr, "rules", {})
	not empty_value(v)
}

empty_value(v) if v == null

empty_value(v) if v == ""

empty_value(v) if v == []

empty_value(v) if {
	is_object(v)
	count(v) == 0
}

# every_port is true for an item that allows every port and protocol: no toPorts (and no
# icmps), a toPorts entry without ports, or a port 0 (or a range from 0 or 1 to 65535)
# with protocol ANY, in an entry without L7 rules or serverNames.
every_port(item) if {
	count(array_field(item, "toPorts")) == 0
	count(array_field(item, "icmps")) == 0
}

every_port(item) if {
	some pr in array_field(item, "toPorts")
	is_object(pr)
	not l7(pr)
	count(array_field(pr, "serverNames")) == 0
	open_ports(pr)
}

open_ports(pr) if count(array_field(pr, "ports")) == 0

open_ports(pr) if {
	some p in array_field(pr, "ports")
	protocol(p) == "ANY"
	all_port_numbers(p)
}

all_port_numbers(p) if port_number(p) == 0

all_port_numbers(p) if {
	port_number(p) <= 1
	is_number(p.endPort)
	p.endPort >= 65535
}

# ---------------------------------------------------------------------------------------
# Selectors and identities
# (https://docs.cilium.io/en/stable/security/policy/kubernetes/,
# https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/)
# ---------------------------------------------------------------------------------------

# The labels Cilium adds to every pod's identity (source k8s).
namespace_key := "io.kubernetes.pod.namespace"

namespace_labels_prefix := "io.cilium.k8s.namespace.labels."

service_account_key := "io.cilium.k8s.policy.serviceaccount"

cluster_key := "io.cilium.k8s.policy.cluster"

cluster_name := "default"

# label_filter is Cilium's default identity-relevant label filter, in the order of
# pkg/labelsfilter defaultLabelPrefixCfg (v1.20.2). Each pattern is a regular
# expression that must match at the start of the key; source "" applies to every label
# source, "reserved" only to reserved labels (pods have none). A label is kept when no
# ignore pattern matches it, or when the longest include pattern that matches is longer
# than the shortest ignore pattern that matches.
label_filter := [
	{"source": "reserved", "pattern": `.*`, "ignore": false},
	{"source": "", "pattern": `io\.kubernetes\.pod\.namespace`, "ignore": false},
	{"source": "", "pattern": `io\.cilium\.k8s\.namespace\.labels`, "ignore": false},
	{"source": "", "pattern": `app\.kubernetes\.io`, "ignore": false},
	{"source": "", "pattern": `io\.cilium\.k8s\.policy\.cluster`, "ignore": false},
	{"source": "", "pattern": `io\.cilium\.k8s\.policy\.serviceaccount`, "ignore": false},
	{"source": "", "pattern": `io\.kubernetes`, "ignore": true},
	{"source": "", "pattern": `kubernetes\.io`, "ignore": true},
	{"source": "", "pattern": `statefulset\.kubernetes\.io/pod-name`, "ignore": true},
	{"source": "", "pattern": `apps\.kubernetes\.io/pod-index`, "ignore": true},
	{"source": "", "pattern": `batch\.kubernetes\.io/job-completion-index`, "ignore": true},
	{"source": "", "pattern": `batch\.kubernetes\.io/controller-uid`, "ignore": true},
	{"source": "", "pattern": `.*beta\.kubernetes\.io`, "ignore": true},
	{"source": "", "pattern": `k8s\.io`, "ignore": true},
	{"source": "", "pattern": `pod-template-generation`, "ignore": true},
	{"source": "", "pattern": `pod-template-hash`, "ignore": true},
	{"source": "", "pattern": `controller-revision-hash`, "ignore": true},
	{"source": "", "pattern": `controller-uid`, "ignore": true},
	{"source": "", "pattern": `annotation.*`, "ignore": true},
	{"source": "", "pattern": `etcd_node`, "ignore": true},
	{"source": "", "pattern": `topology\.kubernetes\.io`, "ignore": true},
]

# filter_patterns are the patterns of label_filter that apply to pod labels, anchored at
# the start of the key.
filter_patterns := [{"re": sprintf("^(?:%s)", [f.pattern]), "ignore": f.ignore} |
	some f in label_filter
	f.source == ""
]

# ignore_re and include_re match the keys some ignore (include) pattern matches: most
# keys match no ignore pattern and are kept after one test.
ignore_re := sprintf("^(?:%s)", [concat("|", [f.pattern | some f in label_filter; f.source == ""; f.ignore == true])])

include_re := sprintf("^(?:%s)", [concat("|", [f.pattern | some f in label_filter; f.source == ""; f.ignore == false])])

# prefix_lengths holds the lengths of the matches at the start of key k (a k8s label) of
# the filter's include (ignore false) or ignore (ignore true) patterns.
prefix_lengths(k, ignore) := [count(m[0]) |
	some f in filter_patterns
	f.ignore == ignore
	m := regex.find_n(f.re, k, 1)
	count(m) == 1
	count(m[0]) > 0
]

# kept is true when Cilium's default label filter keeps a pod label with key k in the
# pod's identity: no ignore pattern matches it, or the longest include pattern that
# matches it is longer than the shortest ignore pattern that does.
kept(k) if {
	is_string(k)
	not regex.match(ignore_re, k)
}

kept(k) if {
	is_string(k)
	regex.match(ignore_re, k)
	regex.match(include_re, k)
	ignored := prefix_lengths(k, true)
	count(ignored) > 0
	included := prefix_lengths(k, false)
	count(included) > 0
	max(included) > min(ignored)
}

# identity is the labels of the identity of a pod of namespace ns with pod_labels, whose
# namespace has ns_labels, running as service_account: the pod's labels and
# io.cilium.k8s.namespace.labels.<key> for each namespace label (kubernetes.io/metadata.name
# always), each kept only when the label filter keeps it, plus
# io.kubernetes.pod.namespace, io.cilium.k8s.policy.serviceaccount and
# io.cilium.k8s.policy.cluster (default), which the filter always keeps. Keys are written
# without their k8s: source.
identity(ns, pod_labels, ns_labels, service_account) := object.union(
	{k: v |
		some k, v in object.union(string_labels(pod_labels), namespace_labels_part(ns, ns_labels))
		kept(k)
	},
	{namespace_key: ns, cluster_key: cluster_name, service_account_key: service_account},
)

# namespace_identity is the part of identity every pod of namespace ns shares.
namespace_identity(ns, ns_labels) := object.union(
	{k: v | some k, v in namespace_labels_part(ns, ns_labels); kept(k)},
	{namespace_key: ns, cluster_key: cluster_name},
)

namespace_labels_part(ns, ns_labels) := object.union(
	{concat("", [namespace_labels_prefix, k]): v | some k, v in string_labels(ns_labels)},
	{concat("", [namespace_labels_prefix, cluster.name_label]): ns},
)

string_labels(labels) := {k: v | some k, v in labels; is_string(k); is_string(v)} if {
	is_object(labels)
} else := {}

# service_account is the service account of pods with this spec: spec.serviceAccountName,
# "default" when unset or empty.
service_account(spec) := sa if {
	sa := spec.serviceAccountName
	is_string(sa)
	sa != ""
} else := "default"

# valid_selector is true for a label selector Cilium accepts: an object whose matchLabels
# (if set) maps keys to strings and whose matchExpressions (if set) are requirements with
# a string key and In or NotIn with values, or Exists or DoesNotExist without.
valid_selector(s) if {
	is_object(s)
	valid_match_labels(object.get(s, "matchLabels", null))
	valid_match_expressions(object.get(s, "matchExpressions", null))
}

valid_match_labels(m) if m == null

valid_match_labels(m) if {
	is_object(m)
	every _, v in m {
		type_name(v) in {"string", "null"}
	}
}

valid_match_expressions(e) if e == null

valid_match_expressions(e) if {
	is_array(e)
	every x in e {
		valid_requirement(x)
	}
}

valid_requirement(x) if {
	is_object(x)
	is_string(x.key)
	x.operator in {"In", "NotIn"}
	values := object.get(x, "values", null)
	is_array(values)
	count(values) > 0
	every v in values {
		is_string(v)
	}
}

valid_requirement(x) if {
	is_object(x)
	is_string(x.key)
	x.operator in {"Exists", "DoesNotExist"}
	count(array_field(x, "values")) == 0
	type_name(object.get(x, "values", null)) in {"array", "null"}
}

# label_key is a selector key as matched against a pod's identity: k8s:<key>, any:<key>
# and <key> read the pod label <key>. A key with another source (reserved:host, $host,
# cidr:..., fqdn:...) is kept whole: pod label keys hold no ':' and never start with '$',
# so it matches no pod label.
label_key(k) := substring(k, 4, -1) if {
	startswith(k, "k8s:")
} else := substring(k, 4, -1) if {
	startswith(k, "any:")
} else := k

# pod_label_key is true for a selector key (as label_key returns it) that names a pod
# label, not a label of another source.
pod_label_key(k) if {
	not contains(k, ":")
	not startswith(k, "$")
}

# compiled is a valid selector prepared for matching identities:
# {"labels": [[key, value], ...], "expressions": [...]} with keys as label_key returns
# them. matchLabels become pairs, not an object, since k8s:app and app are one key.
compiled(s) := {
	"labels": [[label_key(k), selector.label_value(v)] | some k, v in selector.match_labels(s)],
	"expressions": [object.union(e, {"key": label_key(e.key)}) | some e in selector.match_expressions(s)],
} if {
	valid_selector(s)
}

# matches is true when a compiled selector selects an identity.
matches(c, id) if {
	every pair in c.labels {
		id[pair[0]] == pair[1]
	}
	every e in c.expressions {
		selector.expression_matches(e, id)
	}
}

# subject is the compiled endpointSelector of a rule of policy, scoped as Cilium scopes
# it (pkg/k8s/apis/cilium.io/utils ParseToCiliumRule): a CiliumNetworkPolicy's rule
# selects pods of the policy's namespace only, Cilium setting matchLabels
# k8s:io.kubernetes.pod.namespace to it (replacing a value written under that exact key;
# other requirements on the namespace stay). Undefined for rules with nodeSelector (host
# policies select no pod) and malformed selectors.
subject(policy, rule) := compiled(rule.endpointSelector) if {
	clusterwide(policy)
} else := c if {
	not clusterwide(policy)
	s := rule.endpointSelector
	valid_selector(s)
	scoped := object.union(
		object.remove(s, ["matchLabels"]),
		{"matchLabels": object.remove(selector.match_labels(s), ["k8s:io.kubernetes.pod.namespace"])},
	)
	own := compiled(scoped)
	c := {
		"labels": array.concat(own.labels, [[namespace_key, namespace(policy)]]),
		"expressions": own.expressions,
	}
}

# namespace_wide is true for a compiled selector that reads only labels every pod of a
# namespace shares: io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels.<key>
# and io.cilium.k8s.policy.cluster. It selects whole namespaces.
namespace_wide(c) if {
	every pair in c.labels {
		namespace_wide_key(pair[0])
	}
	every e in c.expressions {
		namespace_wide_key(e.key)
	}
}

namespace_wide_key(k) if namespace_scope_key(k)

namespace_wide_key(k) if k == cluster_key

# namespace_scope_key is true for the keys that tell namespaces apart: the namespace name
# and the namespace labels.
namespace_scope_key(k) if k == namespace_key

namespace_scope_key(k) if startswith(k, namespace_labels_prefix)

# ---------------------------------------------------------------------------------------
# Policies in the scanned set, default deny
# (https://docs.cilium.io/en/stable/security/policy/intro/)
# ---------------------------------------------------------------------------------------

# namespace_policies holds the CiliumNetworkPolicies of namespace ns in the inventory.
namespace_policies(ns) := [p |
	some api_version
	named := data.inventory.namespace[ns][api_version].CiliumNetworkPolicy
	api_group(api_version) == group
	some p in named
	is_policy(p)
]

# clusterwide_policies holds the CiliumClusterwideNetworkPolicies of the inventory.
clusterwide_policies := [p |
	some api_version
	named := data.inventory.cluster[api_version].CiliumClusterwideNetworkPolicy
	api_group(api_version) == group
	some p in named
	is_policy(p)
]

# policies_for holds the Cilium policies that may select pods of namespace ns: the
# CiliumNetworkPolicies of ns and every CiliumClusterwideNetworkPolicy.
policies_for(ns) := array.concat(namespace_policies(ns), clusterwide_policies)

# default_deny is true when a rule puts the pods it selects into default deny for
# direction ("ingress" or "egress"): it has an item of that direction, allow or deny (a
# non-empty ingress or ingressDeny list for ingress), and enableDefaultDeny.<direction> is
# not false.
default_deny(rule, direction) if {
	has_items(rule, direction)
	not object.get(rule, ["enableDefaultDeny", direction], null) == false
}

# isolated is true when a Cilium policy of the scanned set that Cilium accepts puts pods
# of namespace ns with pod_labels and pod spec into default deny for direction: one of
# its rules selects them and has default deny for direction. ns_labels are the labels of
# the namespace.
isolated(ns, ns_labels, pod_labels, spec, direction) if {
	candidates := policies_for(ns)
	count(candidates) > 0
	id := identity(ns, pod_labels, ns_labels, service_account(spec))
	some p in candidates
	some r in rules(p)
	default_deny(r.rule, direction)
	matches(subject(p, r.rule), id)
	not refused(p)
}

# namespace_default_deny is true when a Cilium policy of the scanned set that Cilium
# accepts puts every pod of namespace ns into default deny for direction: a rule with
# default deny for direction whose endpointSelector reads only labels every pod of the
# namespace shares (see namespace_wide: {} in a CiliumNetworkPolicy of ns, or the
# namespace name or labels in either kind) and selects them.
namespace_default_deny(ns, ns_labels, direction) if {
	candidates := policies_for(ns)
	count(candidates) > 0
	id := namespace_identity(ns, ns_labels)
	some p in candidates
	some r in rules(p)
	default_deny(r.rule, direction)
	c := subject(p, r.rule)
	namespace_wide(c)
	matches(c, id)
	not refused(p)
}

# ---------------------------------------------------------------------------------------
# Pods of the scanned set a rule selects
# ---------------------------------------------------------------------------------------

# scope_namespaces is the set of namespaces whose pods a policy's rules may select: its
# own for a CiliumNetworkPolicy, every namespace of the inventory for a clusterwide one.
scope_namespaces(policy) := {ns | some ns, _ in data.inventory.namespace} if {
	clusterwide(policy)
} else := {namespace(policy)}

# selected_workloads holds the workloads of the scanned set whose pods a compiled
# endpointSelector c of policy selects: {"namespace", "object", "labels", "spec",
# "service_account"}.
selected_workloads(policy, c) := [{
	"namespace": ns,
	"object": w.object,
	"labels": w.labels,
	"spec": w.spec,
	"service_account": sa,
} |
	some ns in scope_namespaces(policy)
	ns_labels := cluster.namespace_labels(ns)
	some w in cluster.workloads(ns)
	sa := service_account(w.spec)
	matches(c, identity(ns, w.labels, ns_labels, sa))
]

# selects_pods is true when a compiled endpointSelector c of policy selects pods the
# scanned set shows: those of a workload, or those a Service's selector picks (taken as
# the pods' labels; their service account is unknown, so requirements on it are left out).
selects_pods(policy, c) if count(selected_workloads(policy, c)) > 0

selects_pods(policy, c) if {
	some ns in scope_namespaces(policy)
	some sel in cluster.service_selectors(ns)
	matches(without_service_account(c), identity(ns, sel, cluster.namespace_labels(ns), ""))
}

without_service_account(c) := {
	"labels": [pair | some pair in c.labels; pair[0] != service_account_key],
	"expressions": [e | some e in c.expressions; e.key != service_account_key],
}

# shows_pods is true when the scanned set shows pods in some namespace (cluster.has_pods).
shows_pods if {
	some ns, _ in data.inventory.namespace
	cluster.has_pods(ns)
}

# workload_list names workloads for a message: sorted, at most five, then how many more.
workload_list(workloads) := concat(", ", names) if {
	names := sort({cluster.display(w.object) | some w in workloads})
	count(names) <= 5
} else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 5)), count(names) - 5]) if {
	names := sort({cluster.display(w.object) | some w in workloads})
}
