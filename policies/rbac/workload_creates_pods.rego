# METADATA
# title: Workload's service account creates pods or workloads
# description: >-
#   A workload whose service account may create pods, or workloads that create pods
#   (Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs,
#   CronJobs), can start a pod with any service account of the namespace and any host
#   access Pod Security admission lets through, and read every secret the namespace's
#   pods may mount.
#   The harness resolves RBAC over the whole scanned set the way the API server's RBAC
#   authorizer does (RoleBindings and ClusterRoleBindings to users, groups and service
#   accounts, RoleBindings of ClusterRoles, aggregated ClusterRoles, Kubernetes' default
#   roles and bindings for those the set does not define) and reports each workload whose
#   pods get a token for their service account (automountServiceAccountToken as the
#   kubelet combines the pod spec's and the ServiceAccount's, or a projected
#   serviceAccountToken volume), once per binding that gives the permission, naming the
#   binding, the role and the rule. Rules restricted by resourceNames are not counted.
#   The resolution needs the whole input set, so the rule runs in the library, the CLI
#   and audits only, not in OPA, conftest or Gatekeeper.
# scope: package
# custom:
#   id: RF-RBAC-022
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
#   runtimes: [library, cli, audit]
#   model: permissions
#   remediation: >-
#     Remove create on pods and workload kinds from the roles bound to the workload's
#     service account; controllers that must create pods should run with their own
#     service account in a namespace that enforces the restricted Pod Security level.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.4: Minimize access to create pods"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/
#   parameters: []
package ringfence.rules.rbac.workload_creates_pods

import data.ringfence.lib.core

deny contains {"msg": v.msg, "field": v.field} if {
	core.is_workload
	some v in data.ringfence.model.permissions["create-workloads"][core.object_key]
	is_string(v.msg)
	is_string(v.field)
}
