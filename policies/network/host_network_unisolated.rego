# METADATA
# title: Host-network workload that NetworkPolicy cannot isolate
# description: >-
#   Pods with hostNetwork share the node's network namespace: NetworkPolicy does not
#   govern their traffic (the API leaves host-network pods out of its scope, and most
#   network plugins neither filter them nor match them as peers), so they accept
#   connections on every port they open from anything that reaches the node, and reach
#   anything the node reaches. A workload of any kind whose pod template sets
#   spec.hostNetwork to true is reported, outside the namespaces in allowed_namespaces.
#   The finding says whether a Kubernetes NetworkPolicy of its namespace in the scanned
#   set selects the pods: such a policy makes them look isolated when they are not.
#   RF-POD-002 reports host namespaces as a pod-security matter; this rule reports the
#   gap in network isolation that RF-NET-001 and RF-NET-021 leave to it.
# scope: package
# custom:
#   id: RF-NET-024
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
#   remediation: >-
#     Remove hostNetwork: true unless the workload must bind the node's addresses (node
#     agents, CNI and ingress daemons); serve through a Service or a hostPort-free
#     container port instead. Where it must stay, restrict the node's traffic with host
#     firewall rules or the network plugin's host endpoint policies (Calico
#     HostEndpoint, Cilium host policies), run it in a namespace listed in
#     allowed_namespaces, and do not rely on NetworkPolicies that select it.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.5: Minimize the admission of containers wishing to share the host network namespace"
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - "Pod Security Standards (baseline): Host Namespaces"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods
#   parameters:
#     - name: allowed_namespaces
#       type: array
#       items: string
#       default: ["kube-system"]
#       description: names of namespaces whose workloads may use the host network
package ringfence.rules.network.host_network_unisolated

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	some ps in core.pod_specs
	cluster.host_network(ps.spec)
	not allowed(core.namespace)
	pod := netpol.template_labels(ps)
	field := concat(".", [ps.path, "hostNetwork"])
	msg := sprintf("%s: its pods run on the host network (%s), which NetworkPolicy cannot isolate; %s", [
		core.display, field, selected_by(pod.labels),
	])
}

allowed(ns) if {
	allowed_namespaces := core.parameter(rego.metadata.chain(), "allowed_namespaces")
	is_array(allowed_namespaces)
	ns in allowed_namespaces
}

# selected_by says which NetworkPolicies of the namespace select the pods, if any.
selected_by(labels) := sprintf("NetworkPolicy %s in the scanned set selects them, so they look isolated but are not", [names[0]]) if {
	names := selecting(labels)
	count(names) == 1
} else := sprintf("NetworkPolicies %s in the scanned set select them, so they look isolated but are not", [concat(", ", names)]) if {
	names := selecting(labels)
	count(names) > 1
} else := "no NetworkPolicy in the scanned set selects them"

# selecting lists, sorted, the namespace/name of the NetworkPolicies that select pods with labels.
selecting(labels) := sort({sprintf("%s/%s", [core.namespace, cluster.name(p)]) |
	some s in cluster.selecting(core.namespace, labels)
	p := s.policy
})
