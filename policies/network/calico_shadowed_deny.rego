# METADATA
# title: Calico Deny rule shadowed by an earlier Allow
# description: >-
#   Calico evaluates the policies of a tier in ascending spec.order (policies without an
#   order after every ordered one, ties by name) and each policy's rules in order; the
#   first Allow, Deny or Pass that matches decides. A Deny rule is reported when an Allow
#   decides the same traffic first: an earlier rule of the same policy, or a rule of a
#   policy ordered before it in the same tier (spec.tier, default "default") that applies
#   to at least the same endpoints. The Allow covers the Deny when it matches everything
#   in that direction (no protocol, notProtocol, icmp, notICMP, ipVersion, http, source or
#   destination constraint) or matches exactly what the Deny matches (the same protocol,
#   notProtocol, icmp, notICMP, ipVersion, http, source and destination, blank fields
#   ignored), and no catch-all Deny or Pass comes before it in its policy. A policy
#   applies to at least the same endpoints when it has the same untracked and pre-DNAT
#   flags and the same scope (a GlobalNetworkPolicy covers every namespace, or those of
#   an identical namespaceSelector, or for a NetworkPolicy a namespaceSelector on
#   projectcalico.org/name that selects its namespace; a NetworkPolicy covers only its own
#   namespace), and its selector and serviceAccountSelector each select everything, equal
#   the Deny policy's (whitespace and quoting aside) or are a conjunction (&&) of atoms
#   that all appear in the Deny policy's conjunction. Only directions among both
#   policies' effective types are compared. Other overlaps (Allow rules with wider nets or
#   selectors than the Deny's) are not analysed.
# scope: package
# custom:
#   id: RF-NET-042
#   severity: medium
#   kinds:
#     - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: NetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: NetworkPolicy}
#   remediation: >-
#     Move the Deny before the Allow (a lower spec.order, or an earlier position in the
#     policy), narrow the Allow so it no longer matches the denied traffic, or delete the
#     Deny if the Allow is what you meant.
#   references:
#     - https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule
#     - https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
#     - https://docs.tigera.io/calico/latest/reference/resources/tier
#     - https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
#   parameters: []
package ringfence.rules.network.calico_shadowed_deny

import data.ringfence.lib.calico
import data.ringfence.lib.core
import data.ringfence.lib.inventory

policy := core.resource

# denies holds the Deny rules of the policy under review in its effective directions.
denies contains {"direction": d, "rule": r.rule, "index": r.index} if {
	calico.reviewed
	types := calico.types(policy)
	some d, t in calico.directions
	t in types
	some r in calico.rules(policy, d)
	calico.action(r.rule) == "Deny"
}

deny contains {"msg": msg, "field": sprintf("spec.%s[%d]", [x.direction, x.index])} if {
	calico.reviewed
	some x in denies
	some r in calico.rules(policy, x.direction)
	r.index < x.index
	allows_first(policy, x.direction, r, x.rule)
	msg := sprintf(
		"%s: %s rule %d denies traffic that %s rule %d of the same policy already allows, so it never takes effect",
		[core.display, x.direction, x.index, x.direction, r.index],
	)
}

deny contains {"msg": msg, "field": sprintf("spec.%s[%d]", [x.direction, x.index])} if {
	calico.reviewed
	some x in denies
	tier := calico.tier(policy)
	key := calico.order_key(policy)
	some q in candidates
	calico.tier(q) == tier
	calico.order_key(q) < key
	calico.directions[x.direction] in calico.types(q)
	covers_endpoints(q)
	some r in calico.rules(q, x.direction)
	allows_first(q, x.direction, r, x.rule)
	msg := sprintf(
		"%s: %s rule %d denies traffic that %s, ordered before it in tier %q, already allows (%s rule %d), so it never takes effect",
		[core.display, x.direction, x.index, display(q), tier, x.direction, r.index],
	)
}

candidates := array.concat(
	[q | some q in inventory.cluster_scoped("GlobalNetworkPolicy"); calico.is_global(q)],
	namespace_candidates,
)

namespace_candidates := [q |
	some q in inventory.namespaced(core.namespace, "NetworkPolicy")
	calico.is_policy(q)
] if {
	core.kind == "NetworkPolicy"
} else := []

display(q) := sprintf("%s %s/%s", [q.kind, q.metadata.namespace, calico.name(q)]) if {
	q.kind == "NetworkPolicy"
	is_string(q.metadata.namespace)
} else := sprintf("%s %s", [q.kind, calico.name(q)])

# allows_first is true when rule r of policy p is an Allow that matches at least the
# traffic of deny_rule and no catch-all Deny or Pass of p comes before it.
allows_first(p, direction, r, deny_rule) if {
	calico.action(r.rule) == "Allow"
	covers_traffic(r.rule, deny_rule)
	not decided_before(p, direction, r.index)
}

decided_before(p, direction, i) if {
	c := calico.catch_all(p, direction)
	c.index < i
	c.action in {"Deny", "Pass"}
}

covers_traffic(allow, _) if calico.matches_all(allow)

covers_traffic(allow, deny_rule) if match_of(allow) == match_of(deny_rule)

compared_fields := calico.match_fields | {"source", "destination"}

# match_of is what a rule matches, blank fields left out: its match fields (protocol in
# upper case) and its source and destination.
match_of(rule) := {f: normalized_value(f, v) |
	some f in compared_fields
	v := object.get(rule, f, null)
	not calico.blank(v)
}

normalized_value("protocol", v) := upper(v) if is_string(v)

else := v

normalized_value("notProtocol", v) := upper(v) if is_string(v)

else := v

normalized_value(f, v) := {k: x | some k, x in v; not calico.blank(x)} if {
	f in {"source", "destination"}
	is_object(v)
} else := v if {
	f in {"source", "destination"}
}

normalized_value(f, v) := v if not f in {"protocol", "notProtocol", "source", "destination"}

flags(p) := [object.get(calico.spec(p), "doNotTrack", false) == true, object.get(calico.spec(p), "preDNAT", false) == true]

# covers_endpoints is true when policy q applies to at least the endpoints of the policy
# under review.
covers_endpoints(q) if {
	flags(q) == flags(policy)
	covers_scope(q)
	covers_selector(calico.selector(q), calico.selector(policy))
	covers_selector(calico.service_account_selector(q), calico.service_account_selector(policy))
}

covers_scope(q) if {
	q.kind == "NetworkPolicy"
	core.kind == "NetworkPolicy"
}

covers_scope(q) if {
	q.kind == "GlobalNetworkPolicy"
	calico.selects_all(calico.namespace_selector(q))
}

covers_scope(q) if {
	q.kind == "GlobalNetworkPolicy"
	core.kind == "GlobalNetworkPolicy"
	calico.canonical(calico.namespace_selector(q)) == calico.canonical(calico.namespace_selector(policy))
}

covers_scope(q) if {
	q.kind == "GlobalNetworkPolicy"
	core.kind == "NetworkPolicy"
	sel := calico.namespace_selector(q)
	calico.keys(sel) == {"projectcalico.org/name"}
	calico.matches(sel, {"projectcalico.org/name": core.namespace})
}

covers_selector(earlier, _) if calico.selects_all(earlier)

covers_selector(earlier, later) if calico.canonical(earlier) == calico.canonical(later)

covers_selector(earlier, later) if {
	a := calico.conjuncts(earlier)
	count(a) > 0
	b := calico.conjuncts(later)
	count(a - b) == 0
}
