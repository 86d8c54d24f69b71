# METADATA
# title: Namespace without a Calico default deny
# description: >-
#   Where Calico enforces policy, an endpoint that no policy selects accepts and sends
#   everything (its namespace and service-account profiles allow by default), so a
#   namespace needs a policy that denies what nothing else allows. Calico is taken to be in
#   use when the inventory holds a projectcalico.org or crd.projectcalico.org
#   GlobalNetworkPolicy or Tier, or a Calico NetworkPolicy in the namespace. A direction
#   (Ingress, Egress) counts as denied by default when some tier holds a policy that
#   selects every endpoint of the namespace and the tier ends in a deny for them: among
#   the policies of that tier selecting every endpoint, in Calico's order (ascending
#   spec.order, unordered last, ties by name), the first rule that matches every packet is
#   a Deny, or there is none and the tier's defaultAction is not Pass. A policy selects
#   every endpoint when its namespaceSelector (GlobalNetworkPolicy; namespace labels plus
#   projectcalico.org/name) selects the namespace, its serviceAccountSelector is empty or
#   all(), and its selector, evaluated on the labels Calico gives every endpoint of the
#   namespace (projectcalico.org/namespace, projectcalico.org/orchestrator=k8s and
#   pcns.<label> for the namespace's labels), is true. Selectors that reference any other
#   label (pod labels) are conservatively not counted, even has(a) || !has(a). Untracked
#   and pre-DNAT policies apply to host endpoints only and are not counted. Calico's
#   default types apply when spec.types is unset: Ingress when there are ingress rules,
#   Egress when there are egress rules, Ingress when there are neither. The policy the
#   Calico docs recommend, selector projectcalico.org/namespace not in {'kube-system',
#   'calico-system', ...} with types Ingress and Egress, counts. A Kubernetes
#   NetworkPolicy in the namespace with an empty podSelector takes part as Calico
#   enforces it: in the default tier at order 1000, isolating each of its policyTypes,
#   with a rule that has no peers on every port as its catch-all Allow. Calico being in
#   use is only learnt from Calico objects. Earlier tiers that allow or pass everything
#   are not considered.
# scope: package
# custom:
#   id: RF-NET-040
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   inventory: true
#   sync:
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: Tier}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: NetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: Tier}
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Add a GlobalNetworkPolicy with selector projectcalico.org/namespace not in {the
#     system namespaces}, types [Ingress, Egress] and only the rules every workload needs
#     (DNS egress), or a Calico NetworkPolicy with selector all() in the namespace, then
#     allow each workload's traffic with policies ordered before it. List namespaces that
#     must stay open in exempt_namespaces.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-default-deny
#     - https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
#     - https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
#     - https://docs.tigera.io/calico/latest/reference/resources/tier
#     - https://docs.tigera.io/calico/latest/network-policy/get-started/calico-policy/calico-labels
#   parameters:
#     - name: exempt_namespaces
#       type: array
#       items: string
#       default: ["kube-system", "kube-public", "kube-node-lease", "calico-system", "calico-apiserver", "tigera-operator"]
#       description: names of namespaces that need no Calico default deny
package ringfence.rules.network.calico_default_deny

import data.ringfence.lib.calico
import data.ringfence.lib.core
import data.ringfence.lib.inventory
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": "metadata.name"} if {
	core.kind == "Namespace"
	core.group == ""
	ns := core.metadata.name
	is_string(ns)
	ns != ""
	not exempt(ns)
	calico_in_use(ns)
	missing := [d |
		some d in ["ingress", "egress"]
		not denied(ns, d)
	]
	count(missing) > 0
	msg := sprintf(
		"%s: Calico is in use but no policy in the scanned set denies %s by default for every endpoint of the namespace",
		[core.display, concat(" and ", missing)],
	)
}

exempt(ns) if {
	exempt_namespaces := core.parameter(rego.metadata.chain(), "exempt_namespaces")
	is_array(exempt_namespaces)
	ns in exempt_namespaces
}

global_policies := [p | some p in inventory.cluster_scoped("GlobalNetworkPolicy"); calico.is_policy(p)]

calico_in_use(_) if count(global_policies) > 0

calico_in_use(_) if {
	some t in inventory.cluster_scoped("Tier")
	calico.is_tier(t)
}

calico_in_use(ns) if count(namespace_policies(ns)) > 0

# namespace_policies holds the Calico NetworkPolicies of namespace ns. data.inventory
# keeps every object under its own apiVersion, so only the Calico API versions are read.
namespace_policies(ns) := [p |
	some api_version
	named := data.inventory.namespace[ns][api_version].NetworkPolicy
	calico.api_group(api_version) in calico.groups
	some p in named
	calico.is_policy(p)
]

# covering holds the policies that select every endpoint of ns for direction d.
covering(ns, d) := [p |
	some p in array.concat(global_policies, namespace_policies(ns))
	calico.directions[d] in calico.types(p)
	selects_every_endpoint(p, ns)
]

selects_every_endpoint(p, ns) if {
	not calico.host_only(p)
	in_namespace_scope(p, ns)
	calico.selects_all(calico.service_account_selector(p))
	calico.selects_namespace_endpoints(calico.selector(p), ns, namespace_labels(ns))
}

in_namespace_scope(p, _) if p.kind == "NetworkPolicy"

in_namespace_scope(p, ns) if {
	p.kind == "GlobalNetworkPolicy"
	calico.matches(calico.namespace_selector(p), calico.namespace_labels(ns, namespace_labels(ns)))
}

# namespace_labels are the Namespace's labels with the one the API server sets.
namespace_labels(ns) := object.union(core.labels, {"kubernetes.io/metadata.name": ns})

# decisions holds, for every policy that selects every endpoint of ns for direction d,
# its tier, its place in the tier and the first catch-all decision of its rules (null
# when none): {"tier": "default", "key": [0, 10, "name"], "catch": [0, "Deny"]}.
decisions(ns, d) := array.concat(calico_decisions(ns, d), kubernetes_decisions(ns, d))

calico_decisions(ns, d) := [{"tier": calico.tier(p), "key": calico.order_key(p), "catch": catch(p, d)} |
	some p in covering(ns, d)
]

catch(p, d) := [c.index, c.action] if c := calico.catch_all(p, d)

else := null

# Calico places Kubernetes NetworkPolicies in the default tier with order 1000, named
# knp.default.<name>. One selecting every pod isolates them in each of its policyTypes;
# a rule without peers on every port allows everything.
kubernetes_decisions(ns, d) := [{"tier": "default", "key": [0, 1000, concat("", ["knp.default.", calico.name(p)])], "catch": knp_catch(p, d)} |
	some p in inventory.namespaced(ns, "NetworkPolicy")
	netpol.is_network_policy(p)
	netpol.selects_all_pods(p)
	calico.directions[d] in netpol.policy_types(p)
]

knp_catch(p, d) := [min(open), "Allow"] if {
	open := [r.index |
		some r in netpol.rules(p, d)
		knp_allows_all(r.rule, netpol.directions[d].peers)
	]
	count(open) > 0
} else := null

knp_allows_all(rule, field) if {
	netpol.no_peers(rule, field)
	netpol.all_ports(rule)
}

knp_allows_all(rule, field) if {
	netpol.peers_cover_all(rule, field)
	netpol.all_ports(rule)
}

# denied is true when some tier holding a policy that selects every endpoint of ns ends
# in a deny for direction d: the first catch-all decision in the tier's order is Deny, or
# there is none and the tier's defaultAction is not Pass.
denied(ns, d) if {
	ds := decisions(ns, d)
	some tier in {e.tier | some e in ds}
	tier_denies(tier, [e | some e in ds; e.tier == tier])
}

tier_denies(_, entries) if {
	deciding := sort([[e.key, e.catch] | some e in entries; e.catch != null])
	count(deciding) > 0
	deciding[0][1][1] == "Deny"
}

tier_denies(tier, entries) if {
	every e in entries {
		e.catch == null
	}
	not object.get(calico.tiers, [tier, "defaultAction"], "Deny") == "Pass"
}
