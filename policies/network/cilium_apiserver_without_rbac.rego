# METADATA
# title: Cilium policy opens the API server to pods with no RBAC binding
# description: >-
#   The kube-apiserver entity lets pods reach the Kubernetes API server. Pods need that
#   only to use permissions RBAC gives their service account; for a service account no
#   binding names, the access serves nothing but probing the API server (discovery,
#   anonymous endpoints, exploits) and is wider than needed. An egress allow item (in
#   spec.egress or an entry of specs) of a CiliumNetworkPolicy or
#   CiliumClusterwideNetworkPolicy that Cilium accepts, with kube-apiserver in toEntities,
#   is reported once per service account of the workloads of the scanned set whose pods
#   the rule's endpointSelector selects (in the policy's namespace for a
#   CiliumNetworkPolicy, in every namespace for a clusterwide one; pods run as
#   spec.serviceAccountName, default when unset) when no RoleBinding of that namespace
#   and no ClusterRoleBinding in the scanned set names the service account: as a
#   ServiceAccount subject, as the user system:serviceaccount:<namespace>:<name>, or
#   through the groups system:serviceaccounts, system:serviceaccounts:<namespace> or
#   system:authenticated. What the bound role grants is not looked at, nor are the
#   default bindings a cluster has that the scanned set does not hold (they give every
#   account discovery only). The entity all, which also holds the API server, is left to
#   RF-NET-060. Check a workload's manifests together with its RBAC objects.
# scope: package
# custom:
#   id: RF-NET-062
#   severity: low
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding}
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
#     Remove kube-apiserver from the egress rule of pods that do not call the API, or
#     narrow the endpointSelector to the pods that do; give those a service account of
#     their own bound to the role they need.
#   references:
#     - https://docs.cilium.io/en/stable/security/policy/language/#entities-based
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   parameters: []
package ringfence.rules.network.cilium_apiserver_without_rbac

import data.ringfence.lib.bindings
import data.ringfence.lib.cilium
import data.ringfence.lib.core

policy := core.resource

deny contains {"msg": msg, "field": field} if {
	cilium.reviewed
	some r in cilium.effective_rules(policy)
	some i, item in cilium.array_field(r.rule, "egress")
	some j, e in cilium.array_field(item, "toEntities")
	e == "kube-apiserver"
	c := cilium.subject(policy, r.rule)
	workloads := cilium.selected_workloads(policy, c)
	some [ns, sa] in {[w.namespace, w.service_account] | some w in workloads}
	not bindings.binds_service_account(ns, sa)
	field := sprintf("%s.egress[%d].toEntities[%d]", [r.path, i, j])
	msg := sprintf(
		"%s: %s.egress[%d] allows kube-apiserver to pods of service account %s/%s (%s), which no RoleBinding or ClusterRoleBinding in the scanned set binds, so they have no use for the API server",
		[
			core.display, r.path, i, ns, sa,
			cilium.workload_list([w | some w in workloads; w.namespace == ns; w.service_account == sa]),
		],
	)
}
