# METADATA
# title: NetworkPolicy selects no workload
# description: >-
#   A NetworkPolicy whose podSelector matches none of the pods its namespace runs
#   protects nothing, and usually means a label typo or a renamed app: the pods it was
#   written for are left without the isolation the policy was meant to give them. A
#   Kubernetes NetworkPolicy (networking.k8s.io or extensions) is reported when its
#   podSelector (matchLabels and matchExpressions, ANDed) matches the pod template labels
#   of no workload of its namespace in the scanned set (Pods, PodTemplates and the pod
#   templates of Deployments, StatefulSets, DaemonSets, ReplicaSets,
#   ReplicationControllers, Jobs and CronJobs) and matches the selector of no Service of
#   the namespace (a Service's selector is taken as the labels of pods that exist, so pods
#   an operator creates from a custom resource still count when a Service reaches them).
#   A policy that selects every pod (absent
#   or empty podSelector) is never reported: in a namespace without workloads it is a
#   default deny waiting for pods. Policies whose podSelector the API server would
#   reject are left to it. The labels controllers add to pods (pod-template-hash,
#   job-name, statefulset.kubernetes.io/pod-name, ...) are not modelled, and the rule
#   only knows the objects it is given: check a namespace's manifests together.
# scope: package
# custom:
#   id: RF-NET-022
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   inventory: true
#   sync:
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
#     Fix the podSelector to match the labels of the pods it is meant for (compare with
#     the workload's spec.template.metadata.labels), or delete the policy if those pods
#     are gone.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#   parameters: []
package ringfence.rules.network.dangling_policy

import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.selector

deny contains {"msg": msg, "field": "spec.podSelector"} if {
	core.kind == "NetworkPolicy"
	netpol.reviewed
	pod_selector := netpol.pod_selector(core.resource)
	compiled := cluster.compiled(pod_selector)
	not selector.selects_all(pod_selector)
	not cluster.selects_pods(core.namespace, compiled)
	msg := sprintf(
		"%s: its podSelector matches no workload of namespace %q in the scanned set, so the policy applies to no pods",
		[core.display, core.namespace],
	)
}
