# METADATA
# title: Namespace without a Pod Security enforce label
# description: >-
#   Pod Security Admission enforces, in each namespace, the level its
#   pod-security.kubernetes.io/enforce label names. A namespace without that label gets
#   the cluster default, which is privileged (every pod admitted, host namespaces,
#   privileged containers and hostPath volumes included) unless the API server's
#   AdmissionConfiguration sets another default, and nothing in the namespace says
#   which. A label that is present with an empty or invalid value is not missing:
#   upstream enforces restricted then, and RF-POD-032 reports it.
# scope: package
# custom:
#   id: RF-POD-030
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Label the namespace with the level its workloads need, for example
#     pod-security.kubernetes.io/enforce=baseline or restricted (kubectl label namespace
#     NAME pod-security.kubernetes.io/enforce=restricted), after checking with a
#     server-side dry run that the running pods comply. List namespaces deliberately left
#     to the cluster default in exempt_namespaces.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.1: Ensure that the cluster has at least one active policy control mechanism in place"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/
#   parameters:
#     - name: exempt_namespaces
#       type: array
#       items: string
#       default: []
#       description: names of namespaces left to the cluster's default Pod Security level
package ringfence.rules.pod.psa_labels_missing

import data.ringfence.lib.core
import data.ringfence.lib.psa

deny contains {"msg": msg, "field": "metadata.labels"} if {
	core.kind == "Namespace"
	core.group == ""
	not psa.has_label(core.labels, psa.enforce_label)
	not exempt
	msg := sprintf(
		"%s: no %s label, so the cluster's default Pod Security level applies (privileged unless the API server's AdmissionConfiguration sets another)",
		[core.display, psa.enforce_label],
	)
}

exempt if {
	exempt_namespaces := core.parameter(rego.metadata.chain(), "exempt_namespaces")
	is_array(exempt_namespaces)
	name := core.metadata.name
	is_string(name)
	name in exempt_namespaces
}
