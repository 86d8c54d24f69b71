# METADATA
# title: Cilium toFQDNs pattern matches any name
# description: >-
#   toFQDNs lets pods connect to the addresses of the DNS names it matches. A matchPattern
#   of "*" alone matches every name (Cilium compiles "*", "**", "*." and the like to a
#   match-all), and a pattern made only of wildcards and dots ("*.*", "**.*") matches
#   every name with that many labels under any domain, one an attacker can register
#   included: the egress allowlist then allows the whole internet by name, and the DNS
#   proxy gives no control. An entry of toFQDNs in an egress allow item (spec.egress or an
#   entry of specs) of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that
#   Cilium accepts is reported when its matchPattern, with surrounding spaces removed,
#   holds only "*" and "." and at least one "*". DNS rules (toPorts rules.dns), which
#   only let the DNS proxy see lookups, are not reported.
# scope: package
# custom:
#   id: RF-NET-061
#   severity: medium
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy}
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   remediation: >-
#     List the names the workload calls with matchName, or patterns anchored in domains
#     you control ("*.api.example.com"); route other traffic to the internet through an
#     egress proxy.
#   references:
#     - https://docs.cilium.io/en/stable/security/policy/language/#dns-based
#     - https://docs.cilium.io/en/stable/security/dns/
#   parameters: []
package ringfence.rules.network.cilium_fqdn_any_name

import data.ringfence.lib.cilium
import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	cilium.reviewed
	some r in cilium.effective_rules(core.resource)
	some i, item in cilium.array_field(r.rule, "egress")
	some j, f in cilium.array_field(item, "toFQDNs")
	pattern := f.matchPattern
	is_string(pattern)
	any_name(trim_space(pattern))
	field := sprintf("%s.egress[%d].toFQDNs[%d].matchPattern", [r.path, i, j])
	msg := sprintf(
		"%s: %s.egress[%d].toFQDNs[%d] matchPattern %q matches names under every domain, so the pods it selects can reach any host on the internet by name",
		[core.display, r.path, i, j, pattern],
	)
}

any_name(p) if {
	contains(p, "*")
	regex.match(`^[*.]+$`, p)
}
