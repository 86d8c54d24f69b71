# METADATA
# title: Namespace enforces the privileged Pod Security level
# description: >-
#   A namespace labelled pod-security.kubernetes.io/enforce=privileged admits every pod:
#   privileged containers, host namespaces, hostPath volumes and added capabilities pass
#   Pod Security Admission unchecked, and anyone who may create pods there can take over
#   the node. Only the exact value privileged counts; other values that are not a level
#   are enforced as restricted (RF-POD-032).
# scope: package
# custom:
#   id: RF-POD-031
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   remediation: >-
#     Enforce baseline or restricted in the namespace, and move the workloads that
#     genuinely need host access (CNI and storage agents, node exporters) into a dedicated
#     namespace that few can deploy to, listed in privileged_namespaces.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.1: Ensure that the cluster has at least one active policy control mechanism in place"
#     - "Pod Security Standards: Privileged profile"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/
#   parameters:
#     - name: privileged_namespaces
#       type: array
#       items: string
#       default: ["kube-system"]
#       description: names of namespaces that may enforce the privileged level
package ringfence.rules.pod.psa_privileged_namespace

import data.ringfence.lib.core
import data.ringfence.lib.psa

deny contains {"msg": msg, "field": field} if {
	core.kind == "Namespace"
	core.group == ""
	core.labels[psa.enforce_label] == "privileged"
	not allowed
	field := sprintf("metadata.labels[\"%s\"]", [psa.enforce_label])
	msg := sprintf(
		"%s: label %s is \"privileged\", so Pod Security admission admits any pod, privileged and host-access pods included",
		[core.display, psa.enforce_label],
	)
}

allowed if {
	names := core.parameter(rego.metadata.chain(), "privileged_namespaces")
	is_array(names)
	name := core.metadata.name
	is_string(name)
	name in names
}
