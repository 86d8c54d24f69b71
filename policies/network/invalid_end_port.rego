# METADATA
# title: NetworkPolicy endPort the API server rejects
# description: >-
#   A port range needs a numeric start: the API server refuses a NetworkPolicy port entry
#   whose endPort comes without a port, with a named port (a string, even one of digits
#   such as "8080"), below its port, or above 65535, so the policy is never created and
#   the isolation it was written for never happens. Each ports entry of every ingress and
#   egress rule is checked, whatever the policyTypes (the API server validates them all);
#   endPort null is no endPort. A valid range is still only as good as the network
#   plugin: one that does not support endPort enforces the single port instead.
# scope: package
# custom:
#   id: RF-NET-010
#   severity: low
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}
#     - {apiVersion: extensions/v1beta1, kind: NetworkPolicy}
#   remediation: >-
#     Give every range a numeric port as its first port and an endPort at or above it
#     (port 32000, endPort 32768); for a named port, drop endPort and list each name in
#     its own entry.
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
#     - https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
#   parameters: []
package ringfence.rules.network.invalid_end_port

import data.ringfence.lib.core
import data.ringfence.lib.netpol

deny contains {"msg": msg, "field": concat(".", [e.path, "endPort"])} if {
	core.kind == "NetworkPolicy"
	some e in ranges
	msg := problem(e)
}

# problem says why the API server rejects a range; the four cases exclude each other
# (no port, a named port, a numeric port above endPort or with endPort above 65535).
problem(e) := sprintf("%s: %s sets endPort %v without a port, so the API server rejects the policy", [core.display, e.name, e.port.endPort]) if {
	netpol.absent(e.port, "port")
}

problem(e) := msg if {
	is_string(e.port.port)
	msg := sprintf(
		"%s: %s sets endPort %v with the named port %q, so the API server rejects the policy",
		[core.display, e.name, e.port.endPort, e.port.port],
	)
}

problem(e) := msg if {
	is_number(e.port.port)
	e.port.endPort < e.port.port
	msg := sprintf(
		"%s: %s sets endPort %v below port %v, so the API server rejects the policy",
		[core.display, e.name, e.port.endPort, e.port.port],
	)
}

problem(e) := sprintf("%s: %s sets endPort %v above 65535, so the API server rejects the policy", [core.display, e.name, e.port.endPort]) if {
	is_number(e.port.port)
	e.port.endPort >= e.port.port
	e.port.endPort > 65535
}

# ranges holds every ports entry with a numeric endPort, of every rule, with its path
# and a name for messages: {"port": <NetworkPolicyPort>, "path": "spec.ingress[0].ports[1]",
# "name": "ingress rule 0 ports[1]"}.
ranges contains e if {
	netpol.reviewed
	some r in netpol.all_rules(core.resource)
	is_array(r.rule.ports)
	some j, p in r.rule.ports
	is_number(p.endPort)
	e := {
		"port": p,
		"path": sprintf("spec.%s[%d].ports[%d]", [r.direction, r.index, j]),
		"name": sprintf("%s rule %d ports[%d]", [r.direction, r.index, j]),
	}
}
