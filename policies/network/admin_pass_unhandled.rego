# METADATA
# title: AdminNetworkPolicy passes traffic that nothing below decides
# description: >-
#   An AdminNetworkPolicy rule with action Pass skips the rest of the admin tier and hands
#   the traffic to the NetworkPolicies of the subject's namespaces, then to the
#   BaselineAdminNetworkPolicy (at most one, named default). When a namespace the subject
#   selects holds no NetworkPolicy whose effective policyTypes include the rule's
#   direction, and no BaselineAdminNetworkPolicy with a rule of that direction selects
#   the namespace, the passed traffic is allowed by default, which a Pass rule written
#   as "let the owners decide" rarely intends. The rule names up to three such
#   namespaces among the Namespaces of the scanned set. When the subject selects no
#   known Namespace (the policy reviewed alone, or Namespaces not synced) it stays quiet:
#   nothing shows where the traffic lands. Pod subjects are judged by their
#   namespaceSelector only. A v1alpha2 ClusterNetworkPolicy of tier Admin is checked the
#   same way, its lower tier being the ClusterNetworkPolicies of tier Baseline.
# scope: package
# custom:
#   id: RF-NET-051
#   severity: medium
#   kinds:
#     - {apiVersion: policy.networking.k8s.io/v1alpha1, kind: AdminNetworkPolicy}
#     - {apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy}
#   inventory: true
#   sync:
#     - {apiVersion: v1, kind: Namespace}
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#     - {apiVersion: policy.networking.k8s.io/v1alpha1, kind: BaselineAdminNetworkPolicy}
#     - {apiVersion: policy.networking.k8s.io/v1alpha2, kind: ClusterNetworkPolicy}
#   remediation: >-
#     Add NetworkPolicies for that direction to the namespaces (a default deny at least),
#     or a BaselineAdminNetworkPolicy named default (for ClusterNetworkPolicy, a policy of
#     tier Baseline) that decides the passed traffic, or replace Pass with Allow or Deny
#     (Accept or Deny) if the admin tier should decide.
#   references:
#     - https://network-policy-api.sigs.k8s.io/reference/spec/#policy.networking.k8s.io/v1alpha1.AdminNetworkPolicyRuleAction
#     - https://network-policy-api.sigs.k8s.io/api-overview/#precedence
#     - https://network-policy-api.sigs.k8s.io/api-overview/#the-baselineadminnetworkpolicy-resource
#     - https://network-policy-api.sigs.k8s.io/reference/spec/#policy.networking.k8s.io/v1alpha2.ClusterNetworkPolicy
#   parameters: []
package ringfence.rules.network.admin_pass_unhandled

import data.ringfence.lib.anp
import data.ringfence.lib.cluster
import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": field} if {
	core.kind_in({"AdminNetworkPolicy", "ClusterNetworkPolicy"})
	anp.admin_tier(core.resource)
	some direction in ["ingress", "egress"]
	some r in anp.rules(core.resource, direction)
	r.rule.action == "Pass"
	open := sort([ns |
		some ns in subject_namespaces
		not isolates(ns, type_of[direction])
		not anp.lower_tier_covers(core.resource, ns, direction)
	])
	count(open) > 0
	field := sprintf("spec.%s[%d].action", [direction, r.index])
	msg := sprintf(
		"%s: %s rule %d%s passes traffic to the NetworkPolicies, but no NetworkPolicy isolates %s and no %s decides it in %s, so the passed traffic is allowed by default",
		[core.display, direction, r.index, rule_name(r.rule), direction, lower_tier, namespace_list(open)],
	)
}

type_of := {"ingress": "Ingress", "egress": "Egress"}

lower_tier := "Baseline-tier ClusterNetworkPolicy" if core.kind == "ClusterNetworkPolicy"

else := "BaselineAdminNetworkPolicy"

subject_namespaces := anp.subject_namespaces(core.resource.spec.subject)

isolates(ns, type) if {
	some p in cluster.policies(ns)
	type in netpol.policy_types(p)
}

rule_name(rule) := sprintf(" (%q)", [rule.name]) if {
	is_string(rule.name)
	rule.name != ""
} else := ""

namespace_list(names) := sprintf("namespace %s", [names[0]]) if {
	count(names) == 1
} else := sprintf("namespaces %s", [concat(", ", names)]) if {
	count(names) <= 3
} else := sprintf("namespaces %s and %d more", [concat(", ", array.slice(names, 0, 3)), count(names) - 3])
