# METADATA
# title: Workload not isolated for egress by any NetworkPolicy
# description: >-
#   Pods that no NetworkPolicy selects for egress may connect anywhere: to every pod and
#   Service of the cluster, to the cloud metadata service and to the internet, so a
#   compromised pod can move laterally and exfiltrate data freely. A workload is
#   reported when no Kubernetes NetworkPolicy (networking.k8s.io or extensions) of its
#   namespace in the scanned set has a podSelector matching the labels of its pod
#   template and effective policyTypes that include Egress. Unset or empty policyTypes
#   include Egress only when spec.egress has at least one rule, so a policy without
#   egress rules isolates egress only when policyTypes lists Egress; a missing
#   podSelector selects every pod. A policy that selects the pods isolates them whatever
#   its rules allow; RF-NET-004 reports egress rules open to the internet. Nor is it
#   reported when a Cilium policy puts its pods into egress default deny: a rule of a
#   CiliumNetworkPolicy of its namespace or of a CiliumClusterwideNetworkPolicy
#   (cilium.io) that Cilium accepts, with a non-empty egress or egressDeny list,
#   enableDefaultDeny.egress not false and an endpointSelector that selects the pods'
#   Cilium identity (as in RF-NET-001). Pods with hostNetwork are not reported:
#   NetworkPolicy does not govern them (RF-NET-024 reports them). Calico and
#   AdminNetworkPolicy objects are not considered. This is the egress counterpart of
#   RF-NET-001.
# scope: package
# custom:
#   id: RF-NET-021
#   severity: medium
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
#     Add a default-deny egress NetworkPolicy to the namespace (podSelector: {},
#     policyTypes: [Egress], no egress rules), then NetworkPolicies that select the
#     workload's pods and allow only the destinations and ports it needs (cluster DNS
#     first). Check that the cluster's network plugin enforces egress policies.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
#     - https://docs.cilium.io/en/stable/security/policy/intro/
#   parameters: []
package ringfence.rules.network.workload_not_isolated_egress

import data.ringfence.lib.cilium
import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": pod.path} if {
	some ps in core.pod_specs
	not cluster.host_network(ps.spec)
	pod := netpol.template_labels(ps)
	not cluster.isolated(core.namespace, pod.labels, "Egress")
	not cilium.isolated(core.namespace, cluster.namespace_labels(core.namespace), pod.labels, ps.spec, "egress")
	msg := sprintf(
		"%s: no NetworkPolicy of namespace %q in the scanned set selects its pods for egress and no Cilium policy puts them into default deny for egress, so they can connect to any destination",
		[core.display, core.namespace],
	)
}
