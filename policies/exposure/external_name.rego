# METADATA
# title: ExternalName Service points at an internal or metadata host
# description: >-
#   A Service of type ExternalName is a DNS alias, and Ingress controllers, Gateways and
#   proxies that route to it connect to spec.externalName on the Service's behalf. An
#   alias for the cloud metadata service, a loopback, link-local, private or unspecified
#   address, localhost, or the cluster's own names (the API server's kubernetes.default,
#   any name under .svc or the cluster domain) lets whoever may create Services make
#   those components reach hosts the namespace could not reach itself: instance
#   credentials, the API server, other namespaces' services, bypassing NetworkPolicies
#   that trust the Ingress controller (CVE-2021-25740). The API server accepts an IPv4
#   address written as a name, which DNS never resolves but proxies take as an address,
#   so such names are checked as addresses. Names are compared without case and without
#   the trailing dot of a fully qualified name.
# scope: package
# custom:
#   id: RF-EXP-007
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Point the ExternalName at the public name of an external service, or, for a
#     service inside the cluster, route to it directly (a Gateway API route with a
#     ReferenceGrant across namespaces) instead of aliasing it. Configure Ingress
#     controllers to refuse ExternalName backends where tenants may create Services, and
#     restrict who may create Services of that type.
#   references:
#     - "CVE-2021-25740: Endpoint & EndpointSlice permissions allow cross-Namespace forwarding"
#     - https://github.com/kubernetes/kubernetes/issues/103675
#     - https://kubernetes.io/docs/concepts/services-networking/service/#externalname
#     - https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
#     - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#   parameters:
#     - name: cluster_domain
#       type: string
#       default: cluster.local
#       description: the cluster's DNS domain (the kubelet's clusterDomain)
#     - name: allowed_names
#       type: array
#       items: string
#       default: []
#       description: >-
#         names ExternalName Services may alias although they are internal, such as
#         another namespace's Service an administrator accepts
#         (db.data.svc.cluster.local), compared without case and trailing dot
package ringfence.rules.exposure.external_name

import data.ringfence.lib.core
import data.ringfence.lib.service

deny contains {"msg": msg, "field": "spec.externalName"} if {
	core.kind == "Service"
	service.is_service
	service.type == "ExternalName"
	written := service.spec.externalName
	is_string(written)
	not allowed(host(written))
	what := target(host(written))
	msg := sprintf(
		"%s: spec.externalName %q is %s, which Ingress controllers and proxies routing to this Service would reach on its behalf",
		[core.display, written, what],
	)
}

# host is the name as DNS compares it: lower case, without surrounding blanks or the
# trailing dot of a fully qualified name.
host(name) := trim_right(lower(trim_space(name)), ".")

default cluster_domain := "cluster.local"

cluster_domain := d if {
	value := core.parameter(rego.metadata.chain(), "cluster_domain")
	is_string(value)
	d := host(value)
	d != ""
}

metadata_hosts := {
	"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal",
	"169.254.169.254", "fd00:ec2::254", "100.100.100.200",
}

api_server_hosts := {
	"kubernetes", "kubernetes.default", "kubernetes.default.svc",
	concat(".", ["kubernetes.default.svc", cluster_domain]),
}

# target describes what the name points at, undefined for names outside the cluster.
target(name) := "the cloud metadata service" if {
	name in metadata_hosts
} else := "the cluster's API server (kubernetes.default)" if {
	name in api_server_hosts
} else := sprintf("%s address", [address_class(name)]) if {
	address_class(name)
} else := "localhost" if {
	name == "localhost"
} else := "localhost" if {
	endswith(name, ".localhost")
} else := "a name inside the cluster" if {
	cluster_name(name)
}

# address_class names the range of an address written as a name, undefined for names
# that are not addresses and for public addresses.
address_class(name) := class if {
	not contains(name, ":")
	net.cidr_is_valid(concat("", [name, "/32"]))
	some class, ranges in ipv4_ranges
	some r in ranges
	net.cidr_contains(r, name)
}

address_class(name) := class if {
	contains(name, ":")
	net.cidr_is_valid(concat("", [name, "/128"]))
	some class, ranges in ipv6_ranges
	some r in ranges
	net.cidr_contains(r, name)
}

ipv4_ranges := {
	"an unspecified": ["0.0.0.0/8"],
	"a loopback": ["127.0.0.0/8"],
	"a link-local": ["169.254.0.0/16"],
	"a private": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"],
}

ipv6_ranges := {
	"an unspecified": ["::/128"],
	"a loopback": ["::1/128"],
	"a link-local": ["fe80::/10"],
	"a private": ["fc00::/7"],
}

# cluster_name is true for the names cluster DNS answers: under .svc, and the cluster
# domain and its subdomains.
cluster_name(name) if endswith(name, ".svc")

cluster_name(name) if name == cluster_domain

cluster_name(name) if endswith(name, concat("", [".", cluster_domain]))

allowed(name) if {
	some a in core.parameter(rego.metadata.chain(), "allowed_names")
	is_string(a)
	host(a) == name
}
