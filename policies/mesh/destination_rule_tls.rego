# METADATA
# title: Istio DestinationRule weakens TLS to its host
# description: >-
#   A DestinationRule's TLS settings decide how the client proxy talks to the host. Mode
#   DISABLE toward a host inside the cluster (a short name, or a name ending in .svc or
#   .svc.cluster.local) turns Istio's automatic mutual TLS off and sends plaintext, without
#   a workload identity, to a service that could take mutual TLS. insecureSkipVerify true
#   accepts any server certificate, so anyone on the path can impersonate the host. Mode
#   SIMPLE or MUTUAL with neither caCertificates nor credentialName and no subjectAltNames
#   pins neither the issuing CA nor the server's name (older proxies then verify nothing;
#   newer ones trust any certificate the system CAs sign). The settings are read in
#   spec.trafficPolicy, its portLevelSettings, and every subset's trafficPolicy and
#   portLevelSettings. networking.istio.io v1, v1beta1 and v1alpha3 are read.
# scope: package
# custom:
#   id: RF-MESH-005
#   severity: high
#   kinds:
#     - {apiVersion: networking.istio.io/v1, kind: DestinationRule}
#     - {apiVersion: networking.istio.io/v1beta1, kind: DestinationRule}
#     - {apiVersion: networking.istio.io/v1alpha3, kind: DestinationRule}
#   remediation: >-
#     Use ISTIO_MUTUAL (or leave tls out, so automatic mutual TLS applies) toward services
#     in the mesh; toward other TLS servers use SIMPLE or MUTUAL with caCertificates or
#     credentialName and subjectAltNames naming the server, and never insecureSkipVerify.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
#     - https://istio.io/latest/docs/ops/best-practices/security/#configure-tls-verification-in-destination-rule-when-using-tls-origination
#     - https://istio.io/latest/docs/ops/configuration/traffic-management/tls-configuration/
#   parameters: []
package ringfence.rules.mesh.destination_rule_tls

import data.ringfence.lib.core

deny contains {"msg": msg, "field": concat(".", [s.path, "mode"])} if {
	some s in tls_settings
	s.tls.mode == "DISABLE"
	in_cluster(core.resource.spec.host)
	msg := sprintf("%s: %s.mode is DISABLE toward in-cluster host %q, so traffic to it is plaintext without mutual TLS", [core.display, s.path, core.resource.spec.host])
}

deny contains {"msg": msg, "field": concat(".", [s.path, "insecureSkipVerify"])} if {
	some s in tls_settings
	s.tls.insecureSkipVerify == true
	msg := sprintf("%s: %s.insecureSkipVerify is true, so any server certificate is accepted", [core.display, s.path])
}

deny contains {"msg": msg, "field": concat(".", [s.path, "mode"])} if {
	some s in tls_settings
	s.tls.mode in {"SIMPLE", "MUTUAL"}
	not pins_ca(s.tls)
	not has_list(s.tls, "subjectAltNames")
	msg := sprintf("%s: %s.mode is %s with neither caCertificates, credentialName nor subjectAltNames, so the server's certificate is not pinned", [core.display, s.path, s.tls.mode])
}

# tls_settings holds every ClientTLSSettings object of the rule, with its path.
tls_settings contains {"tls": tls, "path": concat(".", [p.path, "tls"])} if {
	core.kind == "DestinationRule"
	core.group == "networking.istio.io"
	some p in traffic_policies
	tls := p.policy.tls
	is_object(tls)
}

tls_settings contains {"tls": tls, "path": sprintf("%s.portLevelSettings[%d].tls", [p.path, i])} if {
	core.kind == "DestinationRule"
	core.group == "networking.istio.io"
	some p in traffic_policies
	is_array(p.policy.portLevelSettings)
	some i, setting in p.policy.portLevelSettings
	tls := setting.tls
	is_object(tls)
}

traffic_policies contains {"policy": core.resource.spec.trafficPolicy, "path": "spec.trafficPolicy"} if {
	is_object(core.resource.spec.trafficPolicy)
}

traffic_policies contains {"policy": subset.trafficPolicy, "path": sprintf("spec.subsets[%d].trafficPolicy", [i])} if {
	is_array(core.resource.spec.subsets)
	some i, subset in core.resource.spec.subsets
	is_object(subset.trafficPolicy)
}

pins_ca(tls) if {
	is_string(tls.caCertificates)
	tls.caCertificates != ""
}

pins_ca(tls) if {
	is_string(tls.credentialName)
	tls.credentialName != ""
}

has_list(obj, key) if {
	is_array(obj[key])
	count(obj[key]) > 0
}

# in_cluster is true for hosts that name Kubernetes services: short names (no dot),
# names ending in .svc or .svc.cluster.local, and the wildcard *.svc.cluster.local forms.
in_cluster(host) if {
	is_string(host)
	host != ""
	not contains(host, ".")
}

in_cluster(host) if {
	is_string(host)
	some suffix in [".svc", ".svc.cluster.local"]
	endswith(host, suffix)
}
