# METADATA
# title: Namespace without a default-deny egress NetworkPolicy
# description: >-
#   Without a default-deny egress policy, every pod that no other NetworkPolicy selects
#   for egress can open connections to any destination: other namespaces, the cloud
#   metadata service, the internet. A compromised pod can then move laterally and
#   exfiltrate data freely. A Namespace is reported when the scanned set holds no
#   Kubernetes NetworkPolicy in it that selects every pod (podSelector {} or absent), has
#   effective policyTypes including Egress and has no egress rules (egress absent, null
#   or []). Egress is among the effective policyTypes of such a policy only when
#   policyTypes lists it: unset or empty policyTypes default to Ingress, plus Egress only
#   when spec.egress has a rule. A policy with any egress rule, even one that matches
#   nothing, is not a default deny. A Cilium policy counts as a default deny when it puts
#   every pod of the namespace into egress default deny: a rule of a CiliumNetworkPolicy
#   of the namespace or of a CiliumClusterwideNetworkPolicy (cilium.io) that Cilium
#   accepts, with a non-empty egress or egressDeny list and enableDefaultDeny.egress not
#   false, whose endpointSelector reads only labels every pod of the namespace shares (as
#   in RF-NET-003) and selects the namespace's pods. Calico and AdminNetworkPolicy objects
#   are not considered. This is the egress counterpart of RF-NET-003.
# scope: package
# custom:
#   id: RF-NET-020
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
#     Add a NetworkPolicy to the namespace with podSelector {}, policyTypes [Egress] and no
#     egress rules, then allow the destinations each workload needs (cluster DNS first)
#     with policies that select its pods. List namespaces that must stay open in
#     exempt_namespaces.
#   references:
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
#     - https://docs.cilium.io/en/stable/security/policy/intro/
#   parameters:
#     - name: exempt_namespaces
#       type: array
#       items: string
#       default: ["kube-system", "kube-public", "kube-node-lease"]
#       description: names of namespaces that need no default-deny egress policy
package ringfence.rules.network.namespace_default_deny_egress

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
	not cilium.namespace_default_deny(name, object.union(core.labels, {"kubernetes.io/metadata.name": name}), "egress")
	msg := sprintf(
		"%s: no NetworkPolicy of the namespace in the scanned set denies egress by default (podSelector {}, policyTypes including Egress, no egress rules) and no Cilium policy puts all its pods into default deny for egress",
		[core.display],
	)
}

exempt(name) if {
	exempt_namespaces := core.parameter(rego.metadata.chain(), "exempt_namespaces")
	is_array(exempt_namespaces)
	name in exempt_namespaces
}

# default_deny is true when a Kubernetes NetworkPolicy of the namespace denies egress by default.
default_deny(name) if "Egress" in netpol.default_denials(inventory.namespaced(name, "NetworkPolicy"))
