# METADATA
# title: Ingress host served without TLS
# description: >-
#   An Ingress host that no spec.tls entry covers is served over plain HTTP, so credentials,
#   session cookies and data cross the network readable and modifiable by anyone on the
#   path. As the Ingress API defines it, a spec.tls entry covers the hosts it lists, a
#   listed wildcard covers one label of its parent domain (*.example.com covers
#   a.example.com, not a.b.example.com nor example.com; a wildcard host needs the same
#   wildcard), and an entry without hosts (hosts omitted, null or empty) covers every host
#   of the Ingress, since its hosts default to the controller's wildcard host. The default
#   backend and rules without a host answer requests for any name: only an entry without
#   hosts covers them. A covered host is served over TLS with the certificate of the
#   entry's secretName; when no entry covering it names one, the ingress controller's
#   default certificate is served (often self-signed, or issued for other names), which
#   clients cannot trust for that host, and the finding says so. Each uncovered host, the
#   default backend and each rule without a host are reported once.
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
#     holding a certificate for those names in its secretName (cert-manager can issue and
#     renew it), and give every rule a host. Serve the default backend only over TLS, with a
#     tls entry without hosts that names a Secret, or remove it.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressSpec
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
	msg := sprintf("%s: host %q is served without TLS: no spec.tls entry lists it or a wildcard that covers it, and none is without hosts", [core.display, host])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	is_ingress
	some host in hosts
	covered(host)
	not covered_with_secret(host)
	field := sprintf("spec.rules[%d].host", [first_rule(host)])
	msg := sprintf("%s: host %q is served with the ingress controller's default certificate: no spec.tls entry that covers it names a secretName", [core.display, host])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	some field in catch_all
	not tls_default_host
	msg := sprintf("%s: %s without TLS: no spec.tls entry without hosts covers it", [core.display, catch_all_text(field)])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Ingress"
	some field in catch_all
	tls_default_host
	not tls_default_secret
	msg := sprintf("%s: %s with the ingress controller's default certificate: no spec.tls entry without hosts names a secretName", [core.display, catch_all_text(field)])
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

# catch_all holds the fields that answer requests for any host: the default backend and
# every rule without a host that routes something.
catch_all contains field if {
	is_ingress
	key := backend_fields[core.api_version]
	is_object(spec[key])
	field := sprintf("spec.%s", [key])
}

catch_all contains field if {
	is_ingress
	some i, rule in rules
	hostless(rule)
	is_object(rule.http)
	field := sprintf("spec.rules[%d]", [i])
}

# catch_all_text describes what a catch_all field does, for messages.
catch_all_text(field) := sprintf("%s has no host and serves requests for any host", [field]) if {
	startswith(field, "spec.rules[")
} else := sprintf("%s serves requests that match no rule", [field])

# first_rule is the index of the first rule naming host.
first_rule(host) := min({i | some i, rule in rules; rule.host == host})

tls_entries contains entry if {
	is_array(spec.tls)
	some entry in spec.tls
	is_object(entry)
}

# hostless_entry is true for a tls entry without hosts (omitted, null or empty): the API
# defaults its hosts to the controller's wildcard host, so it covers every host.
hostless_entry(entry) if object.get(entry, "hosts", null) == null

hostless_entry(entry) if entry.hosts == []

# with_secret is true for a tls entry that names the Secret holding its certificate.
with_secret(entry) if {
	is_string(entry.secretName)
	entry.secretName != ""
}

# listed holds every host a tls entry lists, lower-cased (DNS names ignore case), each
# with whether some entry listing it names a secretName.
listed[lower(host)] := secret if {
	some entry in tls_entries
	is_array(entry.hosts)
	some host in entry.hosts
	is_string(host)
	secret := listed_with_secret(lower(host))
}

listed_with_secret(host) if {
	some entry in tls_entries
	with_secret(entry)
	is_array(entry.hosts)
	some h in entry.hosts
	is_string(h)
	lower(h) == host
}

default listed_with_secret(_) := false

# tls_default_host is true when a tls entry lists no hosts: it covers every host.
tls_default_host if {
	some entry in tls_entries
	hostless_entry(entry)
}

# tls_default_secret is true when an entry without hosts names a secretName.
tls_default_secret if {
	some entry in tls_entries
	hostless_entry(entry)
	with_secret(entry)
}

# covered is true for a host some tls entry covers: one without hosts, or one listing the
# host or the wildcard for its parent domain.
covered(_) if tls_default_host

covered(host) if {
	count(listed) > 0
	some name in tls_names(host)
	_ = listed[name]
}

covered_with_secret(_) if tls_default_secret

covered_with_secret(host) if {
	some name in tls_names(host)
	listed[name] == true
}

# tls_names holds the names a tls entry may list to cover host: the host itself and, for
# a host with a parent domain, the one-label wildcard over it.
tls_names(host) := {lower(host)} | {wildcard |
	labels := split(lower(host), ".")
	count(labels) > 1
	wildcard := concat(".", array.concat(["*"], array.slice(labels, 1, count(labels))))
}
