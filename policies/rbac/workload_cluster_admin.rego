# METADATA
# title: Workload runs as a cluster-admin equivalent service account
# description: >-
#   A workload whose service account may use every verb on every resource in every API
#   group cluster-wide is cluster-admin in all but name: whoever compromises one of its
#   containers owns the cluster.
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
#   id: RF-RBAC-020
#   severity: critical
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
#     Bind the workload's service account to a role that grants only what it uses, in
#     its own namespace with a RoleBinding where possible; give it a dedicated service
#     account, and set automountServiceAccountToken to false if it does not call the API.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.1: Ensure that the cluster-admin role is only used where required"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/
#   parameters: []
package ringfence.rules.rbac.workload_cluster_admin

import data.ringfence.lib.core

deny contains {"msg": v.msg, "field": v.field} if {
	core.is_workload
	some v in data.ringfence.model.permissions["cluster-admin"][core.object_key]
	is_string(v.msg)
	is_string(v.field)
}
