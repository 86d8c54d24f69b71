# METADATA
# title: Calico Pass in the last tier
# description: >-
#   A Pass rule, or a Tier whose defaultAction is Pass, hands traffic to the next tier
#   that has a policy for the endpoint; after the last tier, Calico evaluates the
#   endpoint's profiles, and the profiles Calico creates for Kubernetes namespaces and
#   service accounts allow everything. A Pass in the last tier therefore allows what it
#   seems to defer. Tiers are ordered by spec.order of the Tier objects in the inventory
#   (lower first, no order last, ties by name); the default tier exists implicitly with
#   order 1,000,000 (a Tier object named default keeps that order unless it sets one).
#   The kube-admin (adminnetworkpolicy) tier Calico creates sits at order 1,000, before
#   the default tier, so it never follows a user tier that the default tier does not.
#   The baseline tier (kube-baseline, baselineadminnetworkpolicy) holds only
#   BaselineAdminNetworkPolicy and its defaultAction is Pass, so traffic passed to it
#   still reaches the profiles unless a baseline policy acts on it: it is not counted as
#   a later tier unless the inventory declares it as a Tier. Policies whose tier is not
#   in the inventory (and not default) are skipped. Pass rules are read in both
#   directions, whatever spec.types says.
# scope: package
# custom:
#   id: RF-NET-043
#   severity: medium
#   kinds:
#     - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: projectcalico.org/v3, kind: Tier}
#     - {apiVersion: crd.projectcalico.org/v1, kind: NetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: Tier}
#   inventory: true
#   sync:
#     - {apiVersion: projectcalico.org/v3, kind: Tier}
#     - {apiVersion: crd.projectcalico.org/v1, kind: Tier}
#   remediation: >-
#     Replace the Pass with the Allow or Deny it should be, or add the tier that is meant
#     to decide the passed traffic after this one (with a default deny of its own). Give
#     the last tier defaultAction Deny.
#   references:
#     - https://docs.tigera.io/calico/latest/reference/resources/tier
#     - https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
#     - https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule
#     - https://docs.tigera.io/calico/latest/reference/resources/profile
#   parameters: []
package ringfence.rules.network.calico_pass_last_tier

import data.ringfence.lib.calico
import data.ringfence.lib.core

deny contains {"msg": msg, "field": sprintf("spec.%s[%d].action", [d, r.index])} if {
	calico.reviewed
	tier := calico.tier(core.resource)
	calico.last_tier(tier)
	some d, _ in calico.directions
	some r in calico.rules(core.resource, d)
	calico.action(r.rule) == "Pass"
	msg := sprintf(
		"%s: %s rule %d passes traffic on from tier %q, the last tier, so it reaches the endpoint's profiles, which allow it by default",
		[core.display, d, r.index, tier],
	)
}

deny contains {"msg": msg, "field": "spec.defaultAction"} if {
	core.kind == "Tier"
	calico.is_tier(core.resource)
	core.resource.spec.defaultAction == "Pass"
	calico.last_tier(core.name)
	msg := sprintf(
		"%s: defaultAction Pass in the last tier hands traffic no policy decides to the endpoints' profiles, which allow it by default",
		[core.display],
	)
}
