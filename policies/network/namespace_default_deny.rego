# METADATA
# title: Namespace without a default-deny ingress NetworkPolicy
# description: >-
#   Without a default-deny ingress policy, every pod that no other NetworkPolicy selects
#   accepts traffic from any source, including pods added later that nobody wrote a
#   policy for. A Namespace is reported when the inventory holds no Kubernetes
#   NetworkPolicy in it that selects every pod (podSelector {} or absent), has effective
#   policyTypes including Ingress (unset or empty policyTypes default to it) and has no
#   ingress rules (ingress absent, null or []). A policy with any ingress rule, even one
#   that matches nothing, is not a default deny, and the pre-1.7
#   net.beta.kubernetes.io/network-policy namespace annotation no longer isolates
#   anything. A Cilium policy counts as a default deny when it puts every pod of the
#   namespace into ingress default deny: a rule of a CiliumNetworkPolicy of the namespace
#   or of a CiliumClusterwideNetworkPolicy (cilium.io) that Cilium accepts, with a
#   non-empty ingress or ingressDeny list and enableDefaultDeny.ingress not false, whose
#   endpointSelector reads only labels every pod of the namespace shares (it is {} in a
#   CiliumNetworkPolicy, or it names only io.kubernetes.pod.namespace,
#   io.cilium.k8s.namespace.labels.<key> or io.cilium.k8s.policy.cluster, with the k8s:
#   or any: source or none) and selects the namespace's pods. Its rules do not matter:
#   Cilium's deny-all example has ingress [{}]. Policies Cilium refuses and host policies
#   (nodeSelector) count for nothing. Calico and AdminNetworkPolicy objects are not
#   considered. This rule checks ingress only; a default-deny egress policy (policyTypes
#   [Egress], no egress rules) is worth adding too.
# scope: package
# custom:
#   id: RF-NET-003
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   inventory: true
#   sync:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   remediation: >-
#     Add a NetworkPolicy to the namespace with podSelector {}, policyTypes [Ingress] and
#     no ingress rules, then allow the traffic each workload needs with policies that
#     select its pods. List namespaces that must stay open in exempt_namespaces.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
#     - https://docs.cilium.io/en/stable/security/policy/intro/
#   parameters:
#     - name: exempt_namespaces
#       type: array
#       items: string
#       default: ["kube-system", "kube-public", "kube-node-lease"]
#       description: names of namespaces that need no default-deny ingress policy
package ringfence.rules.network.namespace_default_deny

import data.ringfence.lib.cilium
import data.ringfence.lib.core
import data.ringfence.lib.inventory
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": "metadata.name"} if {
	core.kind == "Namespace"
	core.group == ""
	name := core.metadata.name
	is_string(name)
	name != ""
	not exempt(name)
	not default_deny(name)
	not cilium.namespace_default_deny(name, object.union(core.labels, {"kubernetes.io/metadata.name": name}), "ingress")
	msg := sprintf(
		"%s: no NetworkPolicy in the namespace in the scanned set denies ingress by default (podSelector {}, policyTypes including Ingress, no ingress rules) and no Cilium policy puts all its pods into default deny for ingress",
		[core.display],
	)
}

exempt(name) if {
	exempt_namespaces := core.parameter(rego.metadata.chain(), "exempt_namespaces")
	is_array(exempt_namespaces)
	name in exempt_namespaces
}

# default_deny is true when a Kubernetes NetworkPolicy of the namespace denies ingress by default.
default_deny(name) if "Ingress" in netpol.default_denials(inventory.namespaced(name, "NetworkPolicy"))
