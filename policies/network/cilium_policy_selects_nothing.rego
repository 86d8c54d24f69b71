# METADATA
# title: Cilium policy selects no workload
# description: >-
#   A Cilium policy rule whose endpointSelector matches none of the pods it may apply to
#   protects nothing, and usually means a label typo, a renamed app or a selector on a
#   label Cilium leaves out of identities: the pods it was written for keep the access it
#   was meant to take away. A rule (spec or an entry of specs) of a CiliumNetworkPolicy
#   or CiliumClusterwideNetworkPolicy that Cilium accepts is reported when its
#   endpointSelector selects the Cilium identity of no workload of the scanned set (Pods,
#   PodTemplates and the pod templates of Deployments, StatefulSets, DaemonSets,
#   ReplicaSets, ReplicationControllers, Jobs and CronJobs; in the policy's namespace for
#   a CiliumNetworkPolicy, in every namespace for a clusterwide one) and of no pods a
#   Service's selector picks (taken as the labels of pods that exist, their service
#   account unknown). An identity holds the pod's labels after Cilium's default label
#   filter (pod-template-hash, controller-revision-hash, statefulset.kubernetes.io/pod-name,
#   labels under kubernetes.io, k8s.io and the like are left out, so selectors on them
#   match nothing), plus the namespace name and labels, service account and cluster.
#   Rules with nodeSelector (host policies), and rules whose endpointSelector reads only
#   labels every pod of a namespace shares ({}, the namespace name or its labels), are not
#   reported: they select whole namespaces, whose pods may come later. Nothing is reported
#   when the scanned set shows no pods at all, and policies Cilium refuses are left out.
# scope: package
# custom:
#   id: RF-NET-064
#   severity: low
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Service}
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
#     Fix the endpointSelector to match the labels of the pods it is meant for (compare
#     with the workload's spec.template.metadata.labels, and select on labels Cilium keeps
#     in identities), or delete the policy if those pods are gone.
#   references:
#     - https://docs.cilium.io/en/stable/security/policy/language/
#     - https://docs.cilium.io/en/stable/security/policy/kubernetes/
#     - https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/
#   parameters: []
package ringfence.rules.network.cilium_policy_selects_nothing

import data.ringfence.lib.cilium
import data.ringfence.lib.core

policy := core.resource

deny contains {"msg": msg, "field": sprintf("%s.endpointSelector", [r.path])} if {
	cilium.reviewed
	cilium.shows_pods
	some r in cilium.effective_rules(policy)
	c := cilium.subject(policy, r.rule)
	not cilium.namespace_wide(c)
	not cilium.selects_pods(policy, c)
	msg := sprintf("%s: the endpointSelector of %s matches no workload %s in the scanned set, so the rule applies to no pods", [core.display, r.path, scope])
}

scope := "of any namespace" if {
	cilium.clusterwide(policy)
} else := sprintf("of namespace %q", [core.namespace])
