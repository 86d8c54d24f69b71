# METADATA
# title: NetworkPolicy peer matches no workload
# description: >-
#   A from or to peer that matches no pod allows nothing, and usually means a label typo,
#   a namespace label that does not exist (namespaces carry kubernetes.io/metadata.name,
#   not name, unless someone adds it) or a renamed app: the traffic the rule was written
#   for is then blocked, and the policy no longer says what it means. A peer with a
#   podSelector and/or a namespaceSelector (ANDed within one peer) is reported when no
#   workload in the scanned set matches it: its namespaceSelector (or, without one, the
#   policy's own namespace) must select a namespace, and its podSelector (absent: every
#   pod) the pod template labels of a workload there, or the selector of a Service there
#   (taken as the labels of pods that exist, so pods an operator creates from a custom
#   resource still count when a Service reaches them). The namespaces are the Namespace
#   objects of the scanned set and the namespaces its workloads and such Services live
#   in, each with the kubernetes.io/metadata.name label the API server always sets.
#   Namespaces listed in external_namespaces are assumed to exist with pods the scanned
#   set may not show: a peer that selects one in which the scanned set shows no pods is
#   not judged.
#   ipBlock peers, peers the API server would reject and rules of a direction outside the
#   policy's effective policyTypes are not judged. The labels controllers add to pods
#   (pod-template-hash, job-name, ...) are not modelled, and host-network workloads count
#   as matches. The rule only knows the objects it is given: check related namespaces
#   together.
# scope: package
# custom:
#   id: RF-NET-023
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Namespace}
#     - {apiVersion: v1, kind: Service}
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
#     Fix the peer's selectors to match the labels of the pods and namespaces it is meant
#     for (select namespaces by kubernetes.io/metadata.name, or label them), or remove the
#     peer. If the pods live in a namespace outside the scanned set, scan it too or list
#     it in external_namespaces.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
#     - https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
#   parameters:
#     - name: external_namespaces
#       type: array
#       items: string
#       default: ["kube-system"]
#       description: >-
#         namespaces assumed to exist with pods outside the scanned set (kube-system, for
#         rules that allow DNS); a peer that selects one of them is not judged unless the
#         scanned set shows pods in it
package ringfence.rules.network.dangling_peer

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.selector

deny contains {"msg": msg, "field": concat(".", [path(p), "namespaceSelector"])} if {
	core.kind == "NetworkPolicy"
	some p in judged_peers
	not netpol.absent(p.peer, "namespaceSelector")
	not selects_a_namespace(p.peer)
	msg := sprintf(
		"%s: %s rule %d peer %d: its namespaceSelector matches no namespace in the scanned set, so the peer matches no pods",
		[core.display, p.direction, p.rule, p.index],
	)
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	some p in judged_peers
	selects_a_namespace(p.peer)
	not selects_pods(p.peer, p.pod_selector)
	namespaces := peer_namespaces(p.peer)
	not unknown_contents(namespaces)
	field := concat(".", [path(p), selector_field(p.peer)])
	msg := sprintf(
		"%s: %s rule %d peer %d matches no workload in the scanned set (%s)",
		[core.display, p.direction, p.rule, p.index, describe(p, namespaces)],
	)
}

# judged_peers holds the pod and namespace selector peers of the policy's effective
# rules, with what they select: {"direction": "ingress", "peers": "from", "rule": 0,
# "index": 1, "peer": ..., "namespaces": {...}, "pod_selector": <the podSelector,
# compiled>}. Peers whose selectors the API server would reject are left out.
judged_peers contains p if {
	core.kind == "NetworkPolicy"
	netpol.reviewed
	some r in netpol.effective_rules(core.resource)
	some entry in netpol.peers(r.rule, r.peers)
	peer := entry.peer
	netpol.absent(peer, "ipBlock")
	not selects_by_nothing(peer)
	namespace_selector_well_formed(peer)
	pod_selector := cluster.compiled(peer_pod_selector(peer))
	p := {
		"direction": r.direction,
		"peers": r.peers,
		"rule": r.index,
		"index": entry.index,
		"peer": peer,
		"pod_selector": pod_selector,
	}
}

# path is the peer's path in the manifest: spec.ingress[0].from[1].
path(p) := sprintf("spec.%s[%d].%s[%d]", [p.direction, p.rule, p.peers, p.index])

# selects_by_nothing is true for a peer with neither selector, which the API server rejects.
selects_by_nothing(peer) if {
	netpol.absent(peer, "podSelector")
	netpol.absent(peer, "namespaceSelector")
}

# peer_pod_selector is the peer's podSelector, the empty selector (every pod) when
# absent.
peer_pod_selector(peer) := {} if {
	netpol.absent(peer, "podSelector")
} else := peer.podSelector

# peer_namespaces is the set of namespaces the peer selects: the policy's own without a
# namespaceSelector; undefined when the API server would reject the selector.
peer_namespaces(peer) := {core.namespace} if {
	netpol.absent(peer, "namespaceSelector")
} else := cluster.selected_namespaces(peer.namespaceSelector, external) if {
	selector.well_formed(peer.namespaceSelector)
}

selector_field(peer) := "podSelector" if not netpol.absent(peer, "podSelector")

else := "namespaceSelector"

# external is the set of namespaces assumed to hold pods outside the scanned set.
external := {ns |
	some ns in core.parameter(rego.metadata.chain(), "external_namespaces")
	is_string(ns)
}

# unknown_contents is true when the peer selects an external namespace whose pods the
# scanned set does not show.
unknown_contents(namespaces) if {
	some ns in namespaces
	ns in external
	not cluster.has_pods(ns)
}

# namespace_selector_well_formed is true unless the peer's namespaceSelector is one the
# API server would reject.
namespace_selector_well_formed(peer) if netpol.absent(peer, "namespaceSelector")

namespace_selector_well_formed(peer) if selector.well_formed(peer.namespaceSelector)

# selects_a_namespace is true when the peer selects some namespace (see peer_namespaces),
# found without building the whole set.
selects_a_namespace(peer) if netpol.absent(peer, "namespaceSelector")

selects_a_namespace(peer) if {
	some ns in cluster.candidate_namespaces(peer.namespaceSelector, external)
	selector.matches(peer.namespaceSelector, cluster.namespace_labels(ns))
}

# selects_pods is true when the peer's podSelector matches pods in a namespace it
# selects, found without building the whole set of namespaces.
selects_pods(peer, pod_selector) if {
	netpol.absent(peer, "namespaceSelector")
	cluster.selects_pods(core.namespace, pod_selector)
}

selects_pods(peer, pod_selector) if {
	some ns in cluster.candidate_namespaces(peer.namespaceSelector, external)
	cluster.selects_pods(ns, pod_selector)
	selector.matches(peer.namespaceSelector, cluster.namespace_labels(ns))
}

# describe says what the peer selects, for the message.
describe(p, namespaces) := sprintf("podSelector in namespace %q", [core.namespace]) if {
	netpol.absent(p.peer, "namespaceSelector")
} else := sprintf("podSelector in %s", [names(namespaces)]) if {
	not netpol.absent(p.peer, "podSelector")
} else := sprintf("every pod in %s", [names(namespaces)])

# names lists namespaces for a message: 'namespace "a"', or 'namespaces "a", "b"' with up
# to five names, sorted, and how many more there are.
names(namespaces) := sprintf("namespace %q", [ns]) if {
	count(namespaces) == 1
	some ns in namespaces
} else := concat("", ["namespaces ", quoted(sort(namespaces))]) if {
	count(namespaces) <= 5
} else := sprintf("namespaces %s and %d more", [quoted(array.slice(sort(namespaces), 0, 5)), count(namespaces) - 5])

quoted(list) := concat(", ", [sprintf("%q", [x]) | some x in list])
