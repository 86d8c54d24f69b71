# METADATA
# title: Calico untracked or pre-DNAT policy that Calico rejects
# description: >-
#   doNotTrack (untracked) and preDNAT GlobalNetworkPolicies act on host endpoints
#   before connection tracking or DNAT, so they see forwarded traffic too: Calico
#   requires applyOnForward true for both, accepts only one of them per policy, and
#   accepts no egress for a pre-DNAT policy (no egress rules, no Egress type). A policy
#   that breaks one of these is rejected on apply, so the host protection it was meant
#   to give is not there. The rule reports spec.doNotTrack or spec.preDNAT set to true
#   without spec.applyOnForward true, both set to true, and preDNAT with egress rules or
#   Egress among spec.types. Applies to projectcalico.org/v3 and crd.projectcalico.org/v1
#   GlobalNetworkPolicy.
# scope: package
# custom:
#   id: RF-NET-044
#   severity: low
#   kinds:
#     - {apiVersion: projectcalico.org/v3, kind: GlobalNetworkPolicy}
#     - {apiVersion: crd.projectcalico.org/v1, kind: GlobalNetworkPolicy}
#   remediation: >-
#     Set applyOnForward true on untracked and pre-DNAT policies, split a policy that
#     needs both into two, and move egress rules of a pre-DNAT policy to a normal or
#     untracked policy.
#   references:
#     - https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
#     - https://docs.tigera.io/calico/latest/reference/host-endpoints/forwarded
#     - https://docs.tigera.io/calico/latest/network-policy/extreme-traffic/high-connection-workloads
#     - https://docs.tigera.io/calico/latest/network-policy/hosts/host-forwarded-traffic
#   parameters: []
package ringfence.rules.network.calico_host_policy_flags

import data.ringfence.lib.calico
import data.ringfence.lib.core

spec := calico.spec(core.resource)

flags := {"doNotTrack": "untracked", "preDNAT": "pre-DNAT"}

deny contains {"msg": msg, "field": sprintf("spec.%s", [flag])} if {
	core.kind == "GlobalNetworkPolicy"
	calico.reviewed
	some flag, word in flags
	spec[flag] == true
	not spec.applyOnForward == true
	msg := sprintf(
		"%s: spec.%s is true but spec.applyOnForward is not, which Calico rejects: %s policy must apply to forwarded traffic",
		[core.display, flag, word],
	)
}

deny contains {"msg": msg, "field": "spec.preDNAT"} if {
	core.kind == "GlobalNetworkPolicy"
	calico.reviewed
	spec.doNotTrack == true
	spec.preDNAT == true
	msg := sprintf("%s: spec.doNotTrack and spec.preDNAT are both true, which Calico rejects: a policy is either untracked or pre-DNAT", [core.display])
}

deny contains {"msg": msg, "field": "spec.egress"} if {
	core.kind == "GlobalNetworkPolicy"
	calico.reviewed
	spec.preDNAT == true
	is_array(spec.egress)
	count(spec.egress) > 0
	msg := sprintf("%s: spec.preDNAT is true and the policy has egress rules, which Calico rejects: pre-DNAT policy applies to ingress only", [core.display])
}

deny contains {"msg": msg, "field": sprintf("spec.types[%d]", [i])} if {
	core.kind == "GlobalNetworkPolicy"
	calico.reviewed
	spec.preDNAT == true
	is_array(spec.types)
	some i, t in spec.types
	t == "Egress"
	msg := sprintf("%s: spec.preDNAT is true and spec.types includes Egress, which Calico rejects: pre-DNAT policy applies to ingress only", [core.display])
}
