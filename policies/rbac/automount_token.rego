# METADATA
# title: Service account token mounted automatically
# description: >-
#   Pods get a token for their service account mounted at
#   /var/run/secrets/kubernetes.io/serviceaccount unless the pod spec or the service
#   account sets automountServiceAccountToken to false; anyone who compromises the
#   container can then call the API server with that account's permissions. As in
#   Kubernetes, the pod spec's setting wins when it is set; otherwise the setting of the
#   pod's service account (serviceAccountName, the deprecated serviceAccount, or
#   "default") decides, looked up in the inventory; a service account that is not in the
#   inventory is taken to mount the token, as Kubernetes' default does.
# scope: package
# custom:
#   id: RF-RBAC-001
#   severity: low
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
#     - {apiVersion: v1, kind: ServiceAccount}
#   remediation: >-
#     Set automountServiceAccountToken to false in the pod spec of workloads that do not
#     call the Kubernetes API, or on their ServiceAccount (and on each namespace's default
#     ServiceAccount). Workloads that need the API should use a dedicated ServiceAccount
#     with minimal permissions, or mount a short-lived token explicitly with a projected
#     serviceAccountToken volume.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only mounted where necessary"
#     - "CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are not actively used"
#     - "NSA/CISA Kubernetes Hardening Guide: Protecting Pod service account tokens"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
#   parameters: []
package ringfence.rules.rbac.automount_token

import data.ringfence.lib.core
import data.ringfence.lib.inventory

deny contains {"msg": msg, "field": field} if {
	some ps in core.pod_specs
	what := token_mount(ps.spec)
	field := sprintf("%s.automountServiceAccountToken", [ps.path])
	msg := sprintf("%s: %s", [core.display, what])
}

# token_mount says why the pod spec gets its service account's token mounted, and is
# undefined when it does not: the pod spec opts in explicitly; or it says nothing and its
# service account opts in explicitly; or neither says anything (or the service account
# is not in the inventory), and Kubernetes mounts the token.
token_mount(spec) := "pod spec sets automountServiceAccountToken to true" if {
	spec.automountServiceAccountToken == true
} else := sprintf(
	"service account %q sets automountServiceAccountToken to true and the pod spec does not override it",
	[sa],
) if {
	not pod_spec_decides(spec)
	sa := service_account_name(spec)
	service_account_automount(sa) == true
} else := sprintf(
	"neither the pod spec nor service account %q sets automountServiceAccountToken to false, so the token is mounted automatically",
	[sa],
) if {
	not pod_spec_decides(spec)
	sa := service_account_name(spec)
	not service_account_decides(sa)
}

# pod_spec_decides is true when the pod spec sets automountServiceAccountToken to a
# boolean. (A helper, because OPA evaluates a reference passed to a function outside the
# negation: "not is_boolean(spec.missing)" is undefined, not true.)
pod_spec_decides(spec) if is_boolean(spec.automountServiceAccountToken)

# service_account_decides is true when the named ServiceAccount is in the inventory and
# sets automountServiceAccountToken to a boolean.
service_account_decides(sa_name) if is_boolean(service_account_automount(sa_name))

# service_account_name is the account the pod runs as: serviceAccountName, else the
# deprecated serviceAccount alias (which the API server copies into serviceAccountName),
# else "default".
service_account_name(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
} else := "default"

# service_account_automount is the boolean automountServiceAccountToken of the named
# ServiceAccount in the object's namespace; undefined when the account is not in the
# inventory or does not set it.
service_account_automount(sa_name) := setting if {
	sa := inventory.namespaced_named(core.namespace, "ServiceAccount", sa_name)
	setting := sa.automountServiceAccountToken
	is_boolean(setting)
}
