# METADATA
# title: Cilium deny rule with nothing to deny
# description: >-
#   A deny item takes precedence over every allow, but where nothing is allowed it has
#   nothing to take precedence over: pods in default deny already drop what no allow
#   admits. Such a deny suggests the allow it was written against is missing or selects
#   other pods, and gives a false sense of what protects the pods. A deny item (in
#   ingressDeny or egressDeny of spec or an entry of specs) of a CiliumNetworkPolicy or
#   CiliumClusterwideNetworkPolicy that Cilium accepts is reported when its rule has
#   default deny for that direction (enableDefaultDeny not false, so every pod it selects
#   is in default deny), its endpointSelector selects at least one workload of the
#   scanned set (in the policy's namespace, or in every namespace for a clusterwide
#   policy), and none of those workloads' pods is selected for that direction by an allow
#   item of any Cilium policy Cilium accepts (a non-empty entry of ingress or egress of a
#   rule whose endpointSelector selects them, whatever its peers and ports) or by a
#   Kubernetes NetworkPolicy of their namespace whose effective policyTypes include the
#   direction and which has a rule for it. On ingress Cilium also admits traffic from the
#   pod's own node (the host entity) without any allow, so an ingress deny item is only
#   reported when its peers cannot hold the node: fromEndpoints whose selectors name no
#   reserved: label, or fromEntities among world, world-ipv4, world-ipv6, remote-node,
#   health, init, ingress, unmanaged and none. Deny items of host policies (nodeSelector)
#   are not read. The rule only knows the objects it is given: check a namespace's
#   policies and workloads together.
# scope: package
# custom:
#   id: RF-NET-063
#   severity: low
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: v1, kind: Namespace}
#     - {apiVersion: v1, kind: Pod}
#     - {apiVersion: v1, kind: PodTemplate}
#     - {apiVersion: v1, kind: ReplicationController}
#     - {apiVersion: apps/v1, kind: Deployment}
#     - {apiVersion: apps/v1, kind: StatefulSet}
#     - {apiVersion: apps/v1, kind: DaemonSet}
#     - {apiVersion: apps/v1, kind: ReplicaSet}
#     - {apiVersion: extensions/v1beta1, kind: Deployment}
#     - {apiVersion: extensions/v1beta1, kind: DaemonSet}
#     - {apiVersion: extensions/v1beta1, kind: ReplicaSet}
#     - {apiVersion: batch/v1, kind: Job}
#     - {apiVersion: batch/v1, kind: CronJob}
#   remediation: >-
#     Add the allow rules the pods need (the deny then carves its exception out of them),
#     fix the selectors if the allow rules select other pods, or delete the deny if
#     default deny already does what it meant.
#   references:
#     - https://docs.cilium.io/en/stable/security/policy/deny/
#     - https://docs.cilium.io/en/stable/security/policy/intro/
#   parameters: []
package ringfence.rules.network.cilium_deny_without_allow

import data.ringfence.lib.cilium
import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.selector

policy := core.resource

deny contains {"msg": msg, "field": field} if {
	cilium.reviewed
	some r in cilium.effective_rules(policy)
	some x in cilium.items(r.rule)
	list := cilium.lists[x.list]
	list.deny == true
	direction := list.direction
	cannot_hold_node(direction, x.item)
	cilium.default_deny(r.rule, direction)
	c := cilium.subject(policy, r.rule)
	workloads := cilium.selected_workloads(policy, c)
	count(workloads) > 0
	every w in workloads {
		not allowed(w, direction)
	}
	field := sprintf("%s.%s[%d]", [r.path, x.list, x.index])
	msg := sprintf(
		"%s: %s has no effect: the pods it selects (%s) are in default deny for %s and no Cilium policy or NetworkPolicy in the scanned set allows them any %s, so there is nothing for it to deny",
		[core.display, field, cilium.workload_list(workloads), direction, direction],
	)
}

# cannot_hold_node is true for a deny item whose peers cannot hold the pod's own node,
# whose traffic Cilium admits on ingress without an allow. Egress has no such exception.
cannot_hold_node("egress", _)

cannot_hold_node("ingress", item) if {
	selectors := cilium.array_field(item, "fromEndpoints")
	count(selectors) > 0
	every s in selectors {
		every k in selector_keys(s) {
			cilium.pod_label_key(cilium.label_key(k))
		}
	}
}

cannot_hold_node("ingress", item) if {
	names := cilium.array_field(item, "fromEntities")
	count(names) > 0
	every e in names {
		not_node_entities[e]
	}
}

not_node_entities := {"world", "world-ipv4", "world-ipv6", "remote-node", "health", "init", "ingress", "unmanaged", "none"}

selector_keys(s) := array.concat(
	[k | some k, _ in selector.match_labels(s)],
	[e.key | some e in selector.match_expressions(s)],
)

# allowed is true when an allow item may admit traffic of direction for the workload's
# pods: a non-empty entry of ingress or egress of a rule, of a Cilium policy Cilium
# accepts, that selects them, or a Kubernetes NetworkPolicy rule for them. The policy
# under review counts even when the inventory does not hold it yet.
allowed(w, direction) if {
	id := cilium.identity(w.namespace, w.labels, cluster.namespace_labels(w.namespace), w.service_account)
	some p in array.concat(cilium.policies_for(w.namespace), [policy])
	some r in cilium.effective_rules(p)
	some item in cilium.array_field(r.rule, direction)
	is_object(item)
	count(item) > 0
	cilium.matches(cilium.subject(p, r.rule), id)
}

allowed(w, direction) if kubernetes_allows(w.namespace, w.labels, direction)

# kubernetes_allows is true when a Kubernetes NetworkPolicy of namespace ns selects pods
# with these labels for direction ("ingress" or "egress") and has a rule for it: Cilium
# enforces NetworkPolicies too, and such a rule may allow traffic.
kubernetes_allows(ns, labels, direction) if {
	some s in cluster.selecting(ns, labels)
	netpol.directions[direction].type in netpol.policy_types(s.policy)
	some r in cilium.array_field(object.get(s.policy, "spec", {}), direction)
	is_object(r)
}
