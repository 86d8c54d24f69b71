# METADATA
# title: ringfence AdminNetworkPolicy library
# description: >-
#   AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)
#   semantics: subjects, rules per direction with their index, peers and ports. Peers are
#   read in the current shape (namespaces is a label selector, pods holds namespaceSelector
#   and podSelector) and in the v0.1.1-and-earlier shape that the policy-assistant examples
#   still use (namespaces holds namespaceSelector, sameLabels and notSameLabels; pods
#   holds namespaces and podSelector). A legacy peer with sameLabels or notSameLabels
#   relates namespaces to the subject's and selects no fixed set: it is never read as
#   selecting every namespace. Every value is safe on objects of any shape.
# scope: package
package ringfence.lib.anp

import data.ringfence.lib.cluster
import data.ringfence.lib.selector

group := "policy.networking.k8s.io"

legacy_keys := {"namespaceSelector", "sameLabels", "notSameLabels"}

# is_admin is true for an AdminNetworkPolicy of the policy.networking.k8s.io group.
is_admin(obj) if {
	obj.kind == "AdminNetworkPolicy"
	split(obj.apiVersion, "/")[0] == group
}

# is_baseline is true for a BaselineAdminNetworkPolicy of the policy.networking.k8s.io group.
is_baseline(obj) if {
	obj.kind == "BaselineAdminNetworkPolicy"
	split(obj.apiVersion, "/")[0] == group
}

# rules holds {"index", "rule", "direction"} for the rules of policy in direction
# ("ingress" or "egress") that are objects.
rules(policy, direction) := [{"index": i, "rule": r, "direction": direction} |
	list := policy.spec[direction]
	is_array(list)
	some i, r in list
	is_object(r)
]

# peer_field is the field of a rule that lists its peers in direction.
peer_field := {"ingress": "from", "egress": "to"}

# peers holds the peers of a rule of direction (an empty list when the field is not a list).
peers(rule, direction) := [p |
	list := rule[peer_field[direction]]
	is_array(list)
	some p in list
	is_object(p)
]

# namespaces_selector is the namespace selector of a namespaces peer, in either shape.
# Undefined for a legacy peer with sameLabels or notSameLabels.
namespaces_selector(peer) := peer.namespaces if {
	is_object(peer.namespaces)
	count({k | some k, _ in peer.namespaces; k in legacy_keys}) == 0
} else := sel if {
	is_object(peer.namespaces)
	not related(peer.namespaces)
	sel := object.get(peer.namespaces, "namespaceSelector", {})
}

# pods_namespace_selector is the namespace selector of a pods peer, in either shape.
pods_namespace_selector(peer) := peer.pods.namespaceSelector if {
	is_object(peer.pods)
	not has_key(peer.pods, "namespaces")
} else := sel if {
	is_object(peer.pods.namespaces)
	not related(peer.pods.namespaces)
	sel := object.get(peer.pods.namespaces, "namespaceSelector", {})
}

related(legacy) if count(list_or_empty(legacy.sameLabels)) > 0

related(legacy) if count(list_or_empty(legacy.notSameLabels)) > 0

related(legacy) if not is_array(object.get(legacy, "sameLabels", []))

related(legacy) if not is_array(object.get(legacy, "notSameLabels", []))

list_or_empty(x) := x if is_array(x)

else := []

has_key(obj, key) if _ = obj[key]

# everything holds what a peer selects when it selects every instance of it: "every
# namespace", "every pod in every namespace", and for egress "every node", "every IPv4
# address (0.0.0.0/0)", "every IPv6 address (::/0)" (nodes and networks are egress peers
# only). Empty for narrower peers.
everything(peer, direction) := ({"every namespace" | selector.selects_all(namespaces_selector(peer))} | {"every pod in every namespace" | all_pods(peer)}) | {what |
	direction == "egress"
	some what in egress_everything(peer)
}

all_pods(peer) if {
	selector.selects_all(pods_namespace_selector(peer))
	selector.selects_all(peer.pods.podSelector)
}

egress_everything(peer) := {"every node" | selector.selects_all(peer.nodes)} | {what |
	is_array(peer.networks)
	some cidr in peer.networks
	what := world_networks[cidr]
}

world_networks := {"0.0.0.0/0": "every IPv4 address (0.0.0.0/0)", "::/0": "every IPv6 address (::/0)"}

# subject_selects_all is true when a subject selects every pod in every namespace.
subject_selects_all(subject) if selector.selects_all(subject.namespaces)

subject_selects_all(subject) if {
	selector.selects_all(subject.pods.namespaceSelector)
	selector.selects_all(subject.pods.podSelector)
}

# subject_namespaces is the set of names of the namespaces the scanned set knows that a
# subject selects pods in (for pods subjects, namespaces whose pods the podSelector may
# select; pods are not looked at).
subject_namespaces(subject) := cluster.selected_namespaces(subject.namespaces, set()) if {
	is_object(subject.namespaces)
} else := cluster.selected_namespaces(subject.pods.namespaceSelector, set()) if {
	is_object(subject.pods)
	is_object(subject.pods.namespaceSelector)
} else := set()

# baselines holds the BaselineAdminNetworkPolicies of the inventory (any name: the API
# server accepts only "default").
baselines := [b |
	some api_version, kinds in data.inventory.cluster
	split(api_version, "/")[0] == group
	some b in kinds.BaselineAdminNetworkPolicy
	is_object(b)
]

# baseline_covers is true when a BaselineAdminNetworkPolicy has a rule in direction and
# its subject selects namespace ns.
baseline_covers(ns, direction) if {
	some b in baselines
	count(rules(b, direction)) > 0
	ns in subject_namespaces(b.spec.subject)
}

# is_cluster_network_policy is true for a v1alpha2 ClusterNetworkPolicy (tiers Admin and
# Baseline, actions Accept, Deny and Pass, ports under protocols).
is_cluster_network_policy(obj) if {
	obj.kind == "ClusterNetworkPolicy"
	split(obj.apiVersion, "/")[0] == group
}

# admin_tier is true for a policy whose rules take effect before every NetworkPolicy:
# an AdminNetworkPolicy, or a ClusterNetworkPolicy of tier Admin.
admin_tier(obj) if is_admin(obj)

admin_tier(obj) if {
	is_cluster_network_policy(obj)
	obj.spec.tier == "Admin"
}

# allow_action is the action that allows traffic: Allow, or Accept for ClusterNetworkPolicy.
allow_action(obj) := "Allow" if is_admin(obj)

allow_action(obj) := "Accept" if is_cluster_network_policy(obj)

# unrestricted_ports is true for a rule that restricts no port: ports (AdminNetworkPolicy)
# and protocols (ClusterNetworkPolicy) absent or null (the API server rejects empty lists).
unrestricted_ports(rule) if {
	object.get(rule, "ports", null) == null
	object.get(rule, "protocols", null) == null
}

# baseline_tier_covers is true when a ClusterNetworkPolicy of tier Baseline has a rule in
# direction and its subject selects namespace ns.
baseline_tier_covers(ns, direction) if {
	some api_version, kinds in data.inventory.cluster
	split(api_version, "/")[0] == group
	some c in kinds.ClusterNetworkPolicy
	c.spec.tier == "Baseline"
	count(rules(c, direction)) > 0
	ns in subject_namespaces(c.spec.subject)
}

# lower_tier_covers is true when the tier below the NetworkPolicies decides traffic of
# direction for namespace ns: the BaselineAdminNetworkPolicy for an AdminNetworkPolicy,
# Baseline-tier ClusterNetworkPolicies for a ClusterNetworkPolicy.
lower_tier_covers(obj, ns, direction) if {
	is_admin(obj)
	baseline_covers(ns, direction)
}

lower_tier_covers(obj, ns, direction) if {
	is_cluster_network_policy(obj)
	baseline_tier_covers(ns, direction)
}
