# METADATA
# title: Workload's service account runs commands in other pods
# description: >-
#   A workload whose service account may use pods/exec or pods/attach (create, or get,
#   with which WebSocket connections were authorized), or nodes/proxy (through which the
#   kubelet runs commands in any pod of a node), can run commands in other pods and take
#   over their credentials.
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
#   id: RF-RBAC-023
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
#     Remove pods/exec, pods/attach and nodes/proxy from the roles bound to the
#     workload's service account.
#   references:
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#kubelet-api
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/
#   parameters: []
package ringfence.rules.rbac.workload_execs

import data.ringfence.lib.core

deny contains {"msg": v.msg, "field": v.field} if {
	core.is_workload
	some v in data.ringfence.model.permissions.exec[core.object_key]
	is_string(v.msg)
	is_string(v.field)
}
