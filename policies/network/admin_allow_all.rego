# METADATA
# title: AdminNetworkPolicy rule allows all traffic
# description: >-
#   AdminNetworkPolicy rules take effect before every NetworkPolicy: traffic an Allow rule
#   matches is allowed whatever the NetworkPolicies of the subject's namespaces say, at
#   any priority (only a lower-numbered AdminNetworkPolicy can still deny it). An Allow
#   rule without a ports restriction whose peers select every namespace (namespaces {},
#   or pods with namespaceSelector {} and podSelector {}) or, for egress, every node
#   (nodes {}) or every address (networks holding 0.0.0.0/0 or ::/0, which cluster pods
#   are checked against too) therefore overrides the NetworkPolicies of every namespace
#   owner for the subject's pods. Peers in the v0.1.1-and-earlier shape (namespaces with
#   namespaceSelector) are read too; peers relating namespaces with sameLabels or
#   notSameLabels are not taken as selecting everything. The message gives the priority
#   and says when the subject selects every pod as well. The v1alpha2
#   ClusterNetworkPolicy of tier Admin is checked the same way, for Accept rules without
#   protocols; its Baseline tier sits below the NetworkPolicies and is not reported.
# scope: package
# custom:
#   id: RF-NET-050
#   severity: high
#   kinds:
#     - {apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy}
#     - {apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy}
#   remediation: >-
#     Name the peers the subject's pods must reach or be reached from (namespaces or pods
#     with labels, specific networks) and the ports, or use action Pass to let namespace
#     owners decide with NetworkPolicies. Keep cluster-wide allowances in the
#     BaselineAdminNetworkPolicy, which NetworkPolicies can still narrow.
#   references:
#     - https://network-policy-api.sigs.k8s.io/reference/spec/#policy.networking.k8s.io/v1alpha1.AdminNetworkPolicy
#     - https://network-policy-api.sigs.k8s.io/api-overview/#the-adminnetworkpolicy-resource
#     - https://network-policy-api.sigs.k8s.io/reference/spec/#policy.networking.k8s.io/v1alpha2.ClusterNetworkPolicy
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#   parameters: []
package ringfence.rules.network.admin_allow_all

import data.ringfence.lib.anp
import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"AdminNetworkPolicy", "ClusterNetworkPolicy"})
	anp.admin_tier(core.resource)
	priority := core.resource.spec.priority
	is_number(priority)
	some direction in ["ingress", "egress"]
	some r in anp.rules(core.resource, direction)
	action := anp.allow_action(core.resource)
	r.rule.action == action
	anp.unrestricted_ports(r.rule)
	covered := {what |
		some p in anp.peers(r.rule, direction)
		some what in anp.everything(p, direction)
	}
	count(covered) > 0
	field := sprintf("spec.%s[%d]", [direction, r.index])
	msg := sprintf(
		"%s: %s rule %d%s %s all traffic %s %s on every port at priority %v%s, ahead of every NetworkPolicy of the pods it applies to%s",
		[core.display, direction, r.index, rule_name(r.rule), verb[action], preposition[direction], concat(" and ", sort(covered)), priority, tier_note, subject_note],
	)
}

preposition := {"ingress": "from", "egress": "to"}

verb := {"Allow": "allows", "Accept": "accepts"}

tier_note := " of the Admin tier" if core.kind == "ClusterNetworkPolicy"

else := ""

rule_name(rule) := sprintf(" (%q)", [rule.name]) if {
	is_string(rule.name)
	rule.name != ""
} else := ""

subject_note := "; its subject selects every pod in every namespace" if {
	anp.subject_selects_all(core.resource.spec.subject)
} else := ""
