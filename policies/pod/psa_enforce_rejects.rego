# METADATA
# title: Workload its namespace's Pod Security enforce level rejects
# description: >-
#   Pod Security Admission rejects pods that fail the enforce level of their namespace
#   (the pod-security.kubernetes.io/enforce and enforce-version labels, read as upstream
#   reads them: an invalid level means restricted, an invalid version latest). For a
#   Pod that is an error at apply time; for a Deployment, Job or any other controller the
#   object is accepted with a warning at most, and its pods are then refused one by one,
#   so the workload never runs. The rule evaluates every pod template against the
#   namespace's effective level and version and names the failing checks. The namespace
#   must be in the scanned set (or the cluster); namespaces without an enforce label get
#   the cluster defaults of the default_level and default_version parameters, as the API
#   server's AdmissionConfiguration sets them.
# scope: package
# custom:
#   id: RF-POD-035
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
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Fix the pod template so it meets the namespace's level (the findings of the Pod
#     Security Standards rules RF-POD-001 to RF-POD-023 at that level say how), or, if the
#     workload truly needs more, move it to a namespace whose enforce level allows it.
#   references:
#     - "Pod Security Admission: enforce mode"
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#   parameters:
#     - name: default_level
#       type: string
#       default: privileged
#       description: >-
#         the enforce level the API server applies to namespaces without an enforce label
#         (the defaults.enforce of its PodSecurity AdmissionConfiguration)
#     - name: default_version
#       type: string
#       default: latest
#       description: >-
#         the enforce version the API server applies to namespaces without an
#         enforce-version label (defaults.enforce-version)
#     - name: exempt_namespaces
#       type: array
#       items: string
#       default: []
#       description: >-
#         namespaces the AdmissionConfiguration exempts (exemptions.namespaces)
#     - name: exempt_runtime_classes
#       type: array
#       items: string
#       default: []
#       description: >-
#         runtime class names the AdmissionConfiguration exempts
#         (exemptions.runtimeClasses)
package ringfence.rules.pod.psa_enforce_rejects

import data.ringfence.lib.core
import data.ringfence.lib.inventory
import data.ringfence.lib.psa
import data.ringfence.lib.pss

# The enforce level and version are those of psa.policy(labels, defaults), each computed
# on its own, the level first: most namespaces that do not enforce stop there.
deny contains {"msg": msg, "field": ps.path} if {
	ns := inventory.cluster_named("Namespace", core.namespace)
	labels := namespace_labels(ns)
	chain := rego.metadata.chain()
	level := psa.mode_level(labels, "enforce", core.parameter(chain, "default_level"))
	level != "privileged"
	not exempt_namespace(chain)
	version := psa.mode_version(labels, "enforce", core.parameter(chain, "default_version"))
	some ps in core.pod_specs
	not exempt_runtime_class(ps, chain)
	failing := pss.failing(ps, level, version)
	count(failing) > 0
	msg := sprintf(
		"%s: namespace %s enforces Pod Security level %s:%s and the pod spec fails %s: Pod Security Admission rejects its pods",
		[core.display, core.namespace, level, version, concat(", ", sort(failing))],
	)
}

namespace_labels(ns) := ns.metadata.labels if is_object(ns.metadata.labels)

else := {}

exempt_namespace(chain) if core.namespace in core.parameter(chain, "exempt_namespaces")

exempt_runtime_class(ps, chain) if ps.spec.runtimeClassName in core.parameter(chain, "exempt_runtime_classes")
