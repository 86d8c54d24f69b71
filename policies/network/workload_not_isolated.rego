# METADATA
# title: Workload not isolated by any NetworkPolicy
# description: >-
#   Pods that no NetworkPolicy selects for ingress are non-isolated: they accept
#   connections from every pod in the cluster and from any address that can route to
#   them, so one compromised pod can reach them freely. A workload is reported when no
#   Kubernetes NetworkPolicy (networking.k8s.io or extensions, read from the inventory) in
#   its namespace has a podSelector matching the labels of its pod template and
#   effective policyTypes that include Ingress (unset or empty policyTypes default to
#   Ingress; a missing podSelector selects every pod), and no Cilium policy puts its pods
#   into ingress default deny: a rule of a CiliumNetworkPolicy of its namespace or of a
#   CiliumClusterwideNetworkPolicy (cilium.io) that Cilium accepts, with a non-empty
#   ingress or ingressDeny list, enableDefaultDeny.ingress not false and an
#   endpointSelector that selects the pods' Cilium identity (their labels after Cilium's
#   default label filter, which drops pod-template-hash, kubernetes.io/... and the like,
#   plus the namespace name and labels, service account and cluster labels Cilium adds).
#   Policies Cilium refuses (no rule with an item, not exactly one of endpointSelector
#   and nodeSelector, an invalid item) and host policies (nodeSelector) isolate nothing.
#   A policy that selects the pods isolates them whatever its rules allow; RF-NET-002
#   reports policies that admit all ingress. Pods with hostNetwork are not reported:
#   NetworkPolicy does not govern them. Calico and AdminNetworkPolicy objects are not
#   considered.
# scope: package
# custom:
#   id: RF-NET-001
#   severity: high
#   kinds:
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
#   inventory: true
#   sync:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Add a default-deny ingress NetworkPolicy to the namespace (podSelector: {},
#     policyTypes: [Ingress], no ingress rules), then NetworkPolicies that select the
#     workload's pods and admit only the clients and ports it serves. Check that the
#     cluster's network plugin enforces NetworkPolicy.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/
#     - https://docs.cilium.io/en/stable/security/policy/intro/
#   parameters: []
package ringfence.rules.network.workload_not_isolated

import data.ringfence.lib.cilium
import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": pod.path} if {
	some ps in core.pod_specs
	not host_network(ps.spec)
	pod := netpol.template_labels(ps)
	not isolated(pod.labels)
	not cilium.isolated(core.namespace, cluster.namespace_labels(core.namespace), pod.labels, ps.spec, "ingress")
	msg := sprintf(
		"%s: no NetworkPolicy in namespace %q in the scanned set selects its pods for ingress and no Cilium policy puts them into default deny for ingress, so they accept traffic from any source",
		[core.display, core.namespace],
	)
}

host_network(spec) if spec.hostNetwork == true

# isolated is true when a Kubernetes NetworkPolicy (netpol.is_network_policy) of the
# object's namespace selects pods with these labels for ingress.
isolated(labels) if {
	some s in cluster.selecting(core.namespace, labels)
	s.strict
	netpol.affects_ingress(s.policy)
}
