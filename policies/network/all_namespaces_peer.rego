# METADATA
# title: NetworkPolicy peer selects every namespace
# description: >-
#   A peer with namespaceSelector {} matches pods in every namespace of the cluster,
#   including namespaces created later and those of other teams or tenants, so one
#   compromised pod anywhere can use the rule. Each ingress from and egress to peer is
#   reported whose namespaceSelector is empty ({} or with null matchLabels and
#   matchExpressions); the message says whether it has no podSelector or an empty one
#   (every pod of every namespace) or a podSelector with requirements (the pods it
#   matches, in every namespace). A namespaceSelector that is absent or null limits the
#   peer to the policy's own namespace and is not reported; peers that also carry an
#   ipBlock are rejected by the API server and are not read. Rules are only read for the
#   directions among the policy's effective policyTypes (unset or empty policyTypes mean
#   Ingress, plus Egress when spec.egress has a rule).
# scope: package
# custom:
#   id: RF-NET-006
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Give the namespaceSelector the labels of the namespaces that need the traffic, for
#     example kubernetes.io/metadata.name (set by the API server on every namespace), and
#     combine it with a podSelector naming the client or server pods.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
#   parameters: []
package ringfence.rules.network.all_namespaces_peer

import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.selector

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	netpol.reviewed
	some r in netpol.effective_rules(core.resource)
	some p in netpol.peers(r.rule, r.peers)
	netpol.all_namespaces(p.peer)
	what := pods(p.peer)
	field := sprintf("spec.%s[%d].%s[%d].namespaceSelector", [r.direction, r.index, r.peers, p.index])
	msg := sprintf(
		"%s: %s rule %d %s[%d] has namespaceSelector {} %s, so it %s %s",
		[core.display, r.direction, r.index, r.peers, p.index, what.selector, verbs[r.direction], what.pods],
	)
}

verbs := {"ingress": "admits traffic from", "egress": "allows traffic to"}

# pods describes the peer's podSelector and the pods it selects in every namespace; a
# malformed podSelector (rejected by the API server) leaves it undefined.
pods(peer) := {"selector": "and no podSelector", "pods": "every pod in every namespace"} if {
	netpol.absent(peer, "podSelector")
} else := {"selector": "and podSelector {}", "pods": "every pod in every namespace"} if {
	selector.selects_all(peer.podSelector)
} else := {"selector": "with a podSelector", "pods": "the pods its podSelector matches in every namespace"} if {
	selector.well_formed(peer.podSelector)
}
