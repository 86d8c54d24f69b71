# METADATA
# title: Workload uses the default service account
# description: >-
#   Every namespace has a ServiceAccount called default, and every pod that names no
#   other account runs as it. Permissions granted to it therefore reach every such pod in
#   the namespace, and which workload needs which permission can no longer be audited.
#   A pod spec is reported when it runs as default (serviceAccountName and the deprecated
#   serviceAccount are missing, empty or "default"; serviceAccountName wins when both are
#   set) and gets a token for the account: either the token is mounted automatically (the
#   pod spec sets automountServiceAccountToken to true, or leaves it unset and the
#   namespace's default ServiceAccount, looked up in the inventory, does not set it to
#   false; an account missing from the inventory mounts it, as in Kubernetes), or a
#   projected volume requests a serviceAccountToken. A pod without the token cannot use
#   the account's permissions, which is what CIS 5.1.5 asks for, so it is not reported;
#   the token mount itself is RF-RBAC-001's concern. A CSI driver configured with
#   tokenRequests receives the pod's token even then; that is cluster configuration the
#   pod spec does not show.
# scope: package
# custom:
#   id: RF-RBAC-017
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
#     - {apiVersion: v1, kind: ServiceAccount}
#   remediation: >-
#     Create a ServiceAccount for each workload that calls the Kubernetes API, grant it
#     only what the workload needs and set serviceAccountName to it. For workloads that do
#     not call the API, set automountServiceAccountToken to false in the pod spec, and set
#     it to false on every namespace's default ServiceAccount, which should have no role
#     bindings of its own.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are not actively used"
#     - "CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only mounted where necessary"
#     - "NSA/CISA Kubernetes Hardening Guide: Protecting Pod service account tokens"
#     - https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#use-the-default-service-account-to-access-the-api-server
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#   parameters: []
package ringfence.rules.rbac.default_service_account

import data.ringfence.lib.core
import data.ringfence.lib.inventory

deny contains {"msg": msg, "field": field} if {
	some ps in core.pod_specs
	choice := account_choice(ps.spec)
	tokens := token_sources(ps.spec)
	count(tokens) > 0
	field := sprintf("%s.%s", [ps.path, choice.field])
	msg := sprintf(
		"%s: pod spec %s, so it runs as the namespace's default service account, and %s",
		[core.display, choice.how, concat(" and ", sort(tokens))],
	)
}

# account_choice says why the pod spec runs as default and which field to change; it is
# undefined when the pod spec names another account. As in the API server,
# serviceAccountName wins, and the deprecated serviceAccount only counts when
# serviceAccountName is empty; a value that is not a string counts as unset.
account_choice(spec) := {"how": `sets serviceAccountName to "default"`, "field": "serviceAccountName"} if {
	spec.serviceAccountName == "default"
} else := {"how": `sets the deprecated serviceAccount to "default"`, "field": "serviceAccount"} if {
	not names_account(object.get(spec, "serviceAccountName", null))
	spec.serviceAccount == "default"
} else := {"how": "sets no serviceAccountName", "field": "serviceAccountName"} if {
	not names_account(object.get(spec, "serviceAccountName", null))
	not names_account(object.get(spec, "serviceAccount", null))
}

# names_account is true for a non-empty string. (Callers pass object.get's result: OPA
# evaluates a reference passed to a function outside the negation, so
# "not names_account(spec.missing)" would be undefined, not true.)
names_account(x) if {
	is_string(x)
	x != ""
}

# token_sources describes how the pod gets a token for its account.
token_sources(spec) := automount_source(spec) | {sprintf("volume %q projects a token for it", [volume_name(v)]) |
	is_array(spec.volumes)
	some v in spec.volumes
	projects_token(v)
}

automount_source(spec) := {"its token is mounted automatically"} if mounts_automatically(spec)

else := set()

# mounts_automatically: the pod spec's setting wins; without one, the default
# ServiceAccount's does; without that, Kubernetes mounts the token.
mounts_automatically(spec) if spec.automountServiceAccountToken == true

mounts_automatically(spec) if {
	not is_boolean(object.get(spec, "automountServiceAccountToken", null))
	not default_account_opts_out
}

default_account_opts_out if {
	sa := inventory.namespaced_named(core.namespace, "ServiceAccount", "default")
	sa.automountServiceAccountToken == false
}

projects_token(volume) if {
	is_array(volume.projected.sources)
	some source in volume.projected.sources
	is_object(source.serviceAccountToken)
}

volume_name(v) := v.name if is_string(v.name)

else := "<unnamed>"
