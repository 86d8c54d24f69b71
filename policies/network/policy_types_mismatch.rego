# METADATA
# title: NetworkPolicy policyTypes contradict its rules
# description: >-
#   When spec.policyTypes is set, it alone decides which directions the policy governs:
#   rules of a direction it leaves out are ignored, so a policy with policyTypes
#   [Egress] and ingress rules neither isolates its pods for ingress nor allows what
#   those rules name, while it reads as if it restricted ingress. A policy is reported
#   when policyTypes is a non-empty list that leaves out Ingress while spec.ingress has
#   rules, or leaves out Egress while spec.egress has rules (a null entry is a rule, the
#   empty one; an empty list is not); unset or empty policyTypes are defaulted from the
#   rules present and never contradict them. Each policyTypes entry other than Ingress
#   and Egress (the values are case-sensitive) is reported too, since the API server
#   rejects the policy; entries that are not strings are decoding errors left to schema
#   validation.
# scope: package
# custom:
#   id: RF-NET-012
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Add the missing direction to policyTypes if its rules are meant to apply (the
#     direction then becomes isolated, with the rules as its allow list), or delete the
#     ignored rules. Spell the types exactly Ingress and Egress.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
#   parameters: []
package ringfence.rules.network.policy_types_mismatch

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": concat(".", ["spec", direction])} if {
	core.kind == "NetworkPolicy"
	types := listed_types
	some direction, info in netpol.directions
	not info.type in types
	n := count(netpol.rules(core.resource, direction))
	n > 0
	msg := sprintf(
		"%s: spec.policyTypes [%s] leaves out %s, so the %s of spec.%s %s ignored",
		[core.display, concat(", ", [t | some t in types; is_string(t)]), info.type, rules_noun(n), direction, verb(n)],
	)
}

deny contains {"msg": msg, "field": sprintf("spec.policyTypes[%d]", [i])} if {
	core.kind == "NetworkPolicy"
	some i, t in listed_types
	is_string(t)
	not t in {"Ingress", "Egress"}
	msg := sprintf(
		"%s: spec.policyTypes[%d] is %q, not Ingress or Egress, so the API server rejects the policy",
		[core.display, i, t],
	)
}

# listed_types is spec.policyTypes when it is a non-empty list.
listed_types := types if {
	netpol.reviewed
	types := netpol.spec(core.resource).policyTypes
	is_array(types)
	count(types) > 0
}

rules_noun(1) := "rule"

rules_noun(n) := sprintf("%d rules", [n]) if n != 1

verb(1) := "is"

verb(n) := "are" if n != 1
