# METADATA
# title: Istio DENY policy matches peer identities without STRICT mutual TLS
# description: >-
#   Istio takes a peer's principal and namespace from its mutual TLS certificate, so a
#   plaintext request has none, and source principals, source namespaces and the
#   source.principal and source.namespace conditions never match it. A DENY policy that
#   names identities in those positive fields therefore does not deny plaintext requests
#   from the very peers it names: where mutual TLS is not STRICT for the workloads the
#   policy covers, they get through by leaving mutual TLS out (Istio security bulletin
#   ISTIO-SECURITY-2021-004). The negative fields (notPrincipals, notNamespaces) are not
#   this bypass: in a DENY they compare the empty identity of a plaintext request, which
#   is in no list, so they deny it and fail closed, which is what Istio's best practices
#   recommend (DENY with negative matching); they are not reported. The mode is resolved
#   from the PeerAuthentications of the inventory as Istio does: a workload policy
#   (selector) overrides the namespace policy (no selector), which overrides the mesh
#   policy (no selector, in the root namespace, the root_namespace parameter); UNSET
#   inherits, and without any policy the mesh is PERMISSIVE. A DENY policy without a
#   selector covers its namespace (the whole mesh in the root namespace), so a weaker
#   namespace or workload policy under it is reported too; one with a selector takes the
#   workload PeerAuthentication with the same matchLabels if there is one, else the
#   namespace (or mesh) mode, and a root namespace one also every namespace's. Port-level
#   settings of workload policies matter when they weaken a STRICT policy to PERMISSIVE
#   or DISABLE. Workload policies whose labels differ from the DENY policy's are not
#   matched against workloads, and policies attached with targetRef or targetRefs
#   (gateways, waypoints) are not judged. Both security.istio.io/v1 and v1beta1 are read.
# scope: package
# custom:
#   id: RF-MESH-006
#   severity: high
#   kinds:
#     - {apiVersion: security.istio.io/v1, kind: AuthorizationPolicy}
#     - {apiVersion: security.istio.io/v1beta1, kind: AuthorizationPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: security.istio.io/v1, kind: PeerAuthentication}
#     - {apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication}
#   remediation: >-
#     Make mutual TLS STRICT for the workloads the DENY policy covers (a PeerAuthentication
#     with mtls.mode STRICT, without PERMISSIVE or DISABLE ports), or rewrite the rule with
#     negative matching (notPrincipals, notNamespaces) so that plaintext requests are
#     denied as well, or add a DENY rule for requests without a principal.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
#     - https://istio.io/latest/docs/ops/best-practices/security/#safer-authorization-policy-patterns
#     - https://istio.io/latest/news/security/istio-security-2021-004/
#     - https://istio.io/latest/docs/reference/config/security/peer_authentication/
#   parameters:
#     - name: root_namespace
#       type: string
#       default: istio-system
#       description: Istio's root namespace (meshConfig.rootNamespace)
package ringfence.rules.mesh.deny_identity_without_mtls

import data.ringfence.lib.core
import data.ringfence.lib.istio

deny contains {"msg": msg, "field": field} if {
	deny_policy
	some field in identity_fields
	count(gaps) > 0
	msg := sprintf(
		"%s: %s matches peer identities, which only mutual TLS carries, but %s, so plaintext requests, which carry none, escape this DENY rule",
		[core.display, field, concat("; ", sort(gaps))],
	)
}

deny_policy if {
	core.kind == "AuthorizationPolicy"
	core.group == "security.istio.io"
	core.resource.spec.action == "DENY"
	not istio.has_target_refs(core.resource.spec)
}

root := r if {
	r := core.parameter(rego.metadata.chain(), "root_namespace")
	is_string(r)
}

source_fields := {"principals", "namespaces"}

condition_keys := {"source.principal", "source.namespace"}

# identity_fields holds the paths of the rule fields that match peer identities
# positively: non-empty source principals and namespaces, and the values of
# source.principal and source.namespace conditions.
identity_fields contains sprintf("spec.rules[%d].from[%d].source.%s", [i, j, attr]) if {
	some i, rule in rules
	is_array(rule.from)
	some j, from in rule.from
	some attr in source_fields
	non_empty_list(from.source[attr])
}

identity_fields contains sprintf("spec.rules[%d].when[%d].values", [i, k]) if {
	some i, rule in rules
	is_array(rule.when)
	some k, condition in rule.when
	condition.key in condition_keys
	non_empty_list(condition.values)
}

rules := r if {
	r := core.resource.spec.rules
	is_array(r)
} else := []

non_empty_list(x) if {
	is_array(x)
	count(x) > 0
}

selector_labels := istio.selector_labels(core.resource.spec)

# gaps says why mutual TLS is not STRICT for the workloads the policy covers.

# A workload policy outside the root namespace: its workloads' mode.
gaps contains sprintf("mutual TLS is %s for the workloads it selects (%s)", [wm.mode, wm.source]) if {
	core.namespace != root
	wm := istio.workload_mode(core.namespace, selector_labels, root)
	wm.mode != "STRICT"
}

gaps contains port_gap(core.namespace, pa, p) if {
	core.namespace != root
	istio.workload_mode(core.namespace, selector_labels, root).mode == "STRICT"
	pa := istio.workload_policy(core.namespace, selector_labels, root)
	some p in istio.weak_ports(pa)
}

# A namespace policy: the namespace's mode, and the workload policies that weaken it.
gaps contains sprintf("mutual TLS is %s for namespace %s (%s)", [nm.mode, core.namespace, nm.source]) if {
	core.namespace != root
	not selector_labels
	nm := istio.namespace_mode(core.namespace, root)
	nm.mode != "STRICT"
}

gaps contains gap if {
	core.namespace != root
	not selector_labels
	istio.namespace_mode(core.namespace, root).mode == "STRICT"
	some gap in workload_gaps(core.namespace)
}

# A policy of the root namespace covers the mesh: the mesh's mode, then each namespace's.
gaps contains sprintf("mutual TLS is %s mesh-wide (%s)", [mm.mode, mm.source]) if {
	core.namespace == root
	mm := istio.mesh_mode(root)
	mm.mode != "STRICT"
}

gaps contains sprintf("mutual TLS is %s for namespace %s (%s)", [nm.mode, ns, nm.source]) if {
	core.namespace == root
	not selector_labels
	istio.mesh_mode(root).mode == "STRICT"
	some ns in istio.pa_namespaces
	ns != root
	nm := istio.namespace_mode(ns, root)
	nm.mode != "STRICT"
}

gaps contains gap if {
	core.namespace == root
	not selector_labels
	istio.mesh_mode(root).mode == "STRICT"
	some ns in istio.pa_namespaces
	ns != root
	istio.namespace_mode(ns, root).mode == "STRICT"
	some gap in workload_gaps(ns)
}

gaps contains sprintf("mutual TLS is %s for its workloads in namespace %s (%s)", [wm.mode, ns, wm.source]) if {
	core.namespace == root
	istio.mesh_mode(root).mode == "STRICT"
	some ns in istio.pa_namespaces
	ns != root
	wm := istio.workload_mode(ns, selector_labels, root)
	wm.mode != "STRICT"
}

gaps contains port_gap(ns, pa, p) if {
	core.namespace == root
	istio.mesh_mode(root).mode == "STRICT"
	some ns in istio.pa_namespaces
	ns != root
	istio.workload_mode(ns, selector_labels, root).mode == "STRICT"
	pa := istio.workload_policy(ns, selector_labels, root)
	some p in istio.weak_ports(pa)
}

# workload_gaps says which workload policies of namespace ns weaken its STRICT mode.
workload_gaps(ns) := {gap |
	some pa in istio.workload_policies(ns, root)
	some gap in policy_gaps(ns, pa)
}

policy_gaps(ns, pa) := {sprintf("%s sets %s for the workloads it selects", [istio.display(ns, pa), m]) |
	m := istio.policy_mode(pa)
	m in istio.weak_modes
} | {port_gap(ns, pa, p) |
	some p in istio.weak_ports(pa)
}

port_gap(ns, pa, p) := sprintf("%s sets port %s to %s", [istio.display(ns, pa), p.port, p.mode])
