# METADATA
# title: Ingress host served without TLS
# description: >-
#   An Ingress host that no spec.tls entry covers is served over plain HTTP, so credentials,
#   session cookies and data cross the network readable and modifiable by anyone on the
#   path. A host is covered by a spec.tls entry that lists it, or that lists the wildcard
#   for its parent domain (*.example.com covers a.example.com, not a.b.example.com nor
#   example.com; a wildcard host needs the same wildcard). The Kubernetes documentation warns
#   that TLS does not work on the default rule and that tls hosts must match rule hosts
#   explicitly, so a named host is never covered by a tls entry without hosts. Conversely,
#   the default backend and rules without a host answer requests for any name: only a tls
#   entry without hosts, which the API defines as the controller's default (wildcard) host,
#   covers them. Each uncovered host, the default backend and each rule without a host are
#   reported once.
# scope: package
# custom:
#   id: RF-EXP-003
#   severity: medium
#   kinds:
#     - {apiVersion: networking.k8s.io/v1, kind: Ingress}
#     - {apiVersion: networking.k8s.io/v1beta1, kind: Ingress}
#     - {apiVersion: extensions/v1beta1, kind: Ingress}
#   remediation: >-
#     Add a spec.tls entry whose hosts list every host the Ingress serves, with a Secret
#     holding a certificate for those names (cert-manager can issue and renew it), and give
#     every rule a host. Serve the default backend only over TLS, with a tls entry without
#     hosts, or remove it.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/
#   parameters: []
package ringfence.rules.exposure.ingress_tls

import data.ringfence.lib.core

# backend_fields names the default backend field of each Ingress API version.
backend_fields := {
	"networking.k8s.io/v1": "defaultBackend",
	"networking.k8s.io/v1beta1": "backend",
	"extensions/v1beta1": "backend",
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	is_ingress
	some host in hosts
	not covered(host)
	field := sprintf("spec.rules[%d].host", [first_rule(host)])
	msg := sprintf("%s: host %q is served without TLS: no spec.tls entry lists it or a wildcard that covers it", [core.display, host])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	key := backend_fields[core.api_version]
	is_object(spec[key])
	not tls_default_host
	field := sprintf("spec.%s", [key])
	msg := sprintf("%s: %s serves requests that match no rule without TLS: no spec.tls entry without hosts covers it", [core.display, field])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	is_ingress
	some i, rule in rules
	hostless(rule)
	is_object(rule.http)
	not tls_default_host
	field := sprintf("spec.rules[%d]", [i])
	msg := sprintf("%s: %s has no host and serves requests for any host without TLS: no spec.tls entry without hosts covers it", [core.display, field])
}

is_ingress if _ = backend_fields[core.api_version]

default spec := {}

spec := core.resource.spec if is_object(core.resource.spec)

# rules maps the index of every rule that is an object to the rule.
rules[i] := rule if {
	is_array(spec.rules)
	some i, rule in spec.rules
	is_object(rule)
}

# hosts holds the named hosts of the rules, as written.
hosts contains host if {
	some rule in rules
	host := rule.host
	is_string(host)
	host != ""
}

hostless(rule) if object.get(rule, "host", null) == null

hostless(rule) if rule.host == ""

# first_rule is the index of the first rule naming host.
first_rule(host) := min({i | some i, rule in rules; rule.host == host})

tls_entries contains entry if {
	is_array(spec.tls)
	some entry in spec.tls
	is_object(entry)
}

# tls_hosts holds every host a tls entry lists, lower-cased (DNS names ignore case).
tls_hosts contains lower(host) if {
	some entry in tls_entries
	is_array(entry.hosts)
	some host in entry.hosts
	is_string(host)
}

# tls_default_host is true when a tls entry lists no hosts: it then applies to the
# controller's default (wildcard) host.
tls_default_host if {
	some entry in tls_entries
	object.get(entry, "hosts", null) == null
}

tls_default_host if {
	some entry in tls_entries
	entry.hosts == []
}

covered(host) if lower(host) in tls_hosts

# A wildcard covers exactly one label: *.example.com covers a.example.com.
covered(host) if {
	labels := split(lower(host), ".")
	count(labels) > 1
	wildcard := concat(".", array.concat(["*"], array.slice(labels, 1, count(labels))))
	wildcard in tls_hosts
}
