# METADATA
# title: NetworkPolicy isolates egress without allowing DNS
# description: >-
#   Pods whose egress is isolated can resolve no names unless some rule allows DNS, so
#   every connection by host name fails, often far from the policy that caused it. A
#   policy is reported when its effective policyTypes include Egress (unset or empty
#   policyTypes include it only when spec.egress has a rule) and none of its egress
#   rules allows port 53 over UDP or TCP: a rule allows it when its ports list is absent,
#   null or empty, or an entry of that protocol (TCP when unset) has no port, port 53, a
#   range holding 53, or the named port the cluster DNS pods give port 53 (dns over UDP,
#   dns-tcp over TCP). A rule's destinations are not judged: any rule allowing port 53
#   counts. Since DNS is often allowed by a policy of its own, the rule judges the
#   scanned set (or the cluster, live and under Gatekeeper): it stays silent when
#   another Kubernetes NetworkPolicy of the same namespace whose effective policyTypes
#   include Egress selects every pod (podSelector {}) or has the same podSelector, and
#   allows DNS, and, when the scanned set holds workloads whose pods the policy selects,
#   when each of them is selected by such a policy that allows DNS (a default deny beside
#   one allow policy per application).
# scope: package
# custom:
#   id: RF-NET-013
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
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
#     Add an egress rule allowing UDP and TCP port 53 to the cluster DNS pods
#     (namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector
#     k8s-app: kube-dns), here or in a policy of the namespace with podSelector {}. If
#     the pods really need no network at all, exempt the policy with a reason.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
#     - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
#   parameters: []
package ringfence.rules.network.egress_without_dns

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind == "NetworkPolicy"
	"Egress" in netpol.reviewed_types
	policy := core.resource
	netpol.normalized_selector(netpol.pod_selector(policy))
	not allows_dns(policy)
	not allowed_elsewhere(policy)
	field := dns_field(policy)
	msg := sprintf(
		"%s: the policy isolates egress but allows no DNS (port 53 over UDP or TCP), and in the scanned set no other NetworkPolicy of namespace %q allows it to the pods this one selects",
		[core.display, core.namespace],
	)
}

# allows_dns is true when one of the policy's egress rules allows port 53 over UDP or TCP.
allows_dns(policy) if {
	some r in netpol.rules(policy, "egress")
	some protocol in {"UDP", "TCP"}
	netpol.admits_port(r.rule, protocol, 53)
}

allows_dns(policy) if {
	some r in netpol.rules(policy, "egress")
	is_array(r.rule.ports)
	some p in r.rule.ports
	dns_port_names[p.port] == netpol.port_protocol(p)
}

# dns_port_names are the names the CoreDNS and kube-dns pods give port 53, with their protocol.
dns_port_names := {"dns": "UDP", "dns-tcp": "TCP"}

# allowed_elsewhere is true when another NetworkPolicy of the namespace, affecting egress,
# applies to every pod or to the same pods and allows DNS.
allowed_elsewhere(policy) if {
	some other in dns_policies
	same_pods_or_all(other, policy)
}

# When the scanned set holds pods the policy selects (host-network pods aside, which
# NetworkPolicy does not govern), DNS is allowed elsewhere when, for each of them, some
# egress policy of the namespace that selects it allows DNS: a default deny beside one
# allow policy per application.
allowed_elsewhere(policy) if {
	count(dns_policies) > 0
	selected := [w |
		some w in cluster.workloads(core.namespace)
		not cluster.host_network(w.spec)
		netpol.selects(policy, w.labels)
	]
	count(selected) > 0
	every w in selected {
		dns_allowed_for(w.labels)
	}
}

dns_allowed_for(labels) if {
	some other in dns_policies
	netpol.selects(other, labels)
}

# dns_policies holds the NetworkPolicies of the namespace that affect egress and allow
# DNS, found once for the policy under review. Most policies have no egress rules
# (netpol.rules finds none unless spec.egress is a list), so they are rejected first.
dns_policies := [other |
	some api_version
	some other in data.inventory.namespace[core.namespace][api_version].NetworkPolicy
	is_array(other.spec.egress)
	allows_dns(other)
	netpol.is_network_policy(other)
	netpol.affects_egress(other)
]

same_pods_or_all(other, _) if netpol.selects_all_pods(other)

same_pods_or_all(other, policy) if netpol.same_pod_selector(other, policy)

# dns_field points at the egress rules, or at policyTypes when there are none.
dns_field(policy) := "spec.egress" if {
	count(netpol.rules(policy, "egress")) > 0
} else := "spec.policyTypes"
