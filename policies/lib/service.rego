# METADATA
# title: ringfence Service library
# description: >-
#   What a core/v1 Service opens to the world: its type, its ports, its external IPs,
#   whether a cloud provider builds an internal load balancer for it, and whether it is
#   reachable from outside the cluster at all. Every value is safe on objects of any shape.
# scope: package
package ringfence.lib.service

import data.ringfence.lib.core

# is_service is true for core/v1 Services only: Knative's serving.knative.dev Service and
# other custom kinds named Service are something else.
is_service if {
	core.kind == "Service"
	core.group == ""
}

default spec := {}

spec := core.resource.spec if {
	is_service
	is_object(core.resource.spec)
}

# type is spec.type, "ClusterIP" (the API default) when unset.
default type := "ClusterIP"

type := spec.type if {
	is_string(spec.type)
	spec.type != ""
}

is_node_port if {
	is_service
	type == "NodePort"
}

is_load_balancer if {
	is_service
	type == "LoadBalancer"
}

# is_headless is true when spec.clusterIP is "None": kube-proxy programs nothing for it.
is_headless if spec.clusterIP == "None"

# proxied is true when kube-proxy (or a replacement) programs the Service's addresses:
# ExternalName and headless Services only answer DNS.
proxied if {
	is_service
	type != "ExternalName"
	not is_headless
}

# external_ips holds every external IP the Service lists, with its index:
# {"ip": "203.0.113.10", "index": 0}. Entries that are not strings are ignored.
external_ips contains {"ip": ip, "index": i} if {
	is_service
	is_array(spec.externalIPs)
	some i, ip in spec.externalIPs
	is_string(ip)
	ip != ""
}

# ports holds every entry of spec.ports that is an object, with its index:
# {"port": <ServicePort>, "index": 0}.
ports contains {"port": p, "index": i} if {
	is_service
	is_array(spec.ports)
	some i, p in spec.ports
	is_object(p)
}

# exposed_by says how the Service is reachable from outside the cluster: "type NodePort",
# "type LoadBalancer" (internal load balancers included: they are reachable from outside
# the cluster, if not from the internet) or "spec.externalIPs". Undefined for Services only
# the cluster can reach.
# (A Service has one type, so the first branch that holds decides.)
exposed_by := "type NodePort" if {
	is_node_port
} else := "type LoadBalancer" if {
	is_load_balancer
} else := "spec.externalIPs" if {
	proxied
	count(external_ips) > 0
}

# reachable_from_outside is true when something outside the cluster can connect to the
# Service: through node ports, a cloud load balancer or external IPs.
reachable_from_outside if exposed_by

# internal_load_balancer is true when the annotations ask the cloud provider for a load
# balancer on a private network instead of one with a public address.
internal_load_balancer if {
	some key, values in internal_lb_annotations
	value := core.annotations[key]
	is_string(value)
	lower(trim_space(value)) in values
}

# AWS's legacy provider treats any value but "false" as internal (old manifests say
# "0.0.0.0/0"), so only the explicit "false" and the empty string keep it public.
internal_load_balancer if {
	value := core.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]
	is_string(value)
	not lower(trim_space(value)) in {"", "false"}
}

# internal_lb_annotations maps each provider's annotation to the values that make it internal.
internal_lb_annotations := {
	"networking.gke.io/load-balancer-type": {"internal"},
	"cloud.google.com/load-balancer-type": {"internal"},
	"service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
	"service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
	"service.beta.kubernetes.io/oci-load-balancer-internal": {"true"},
	"service.beta.kubernetes.io/openstack-internal-load-balancer": {"true"},
	"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": {"intranet"},
	"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": {"private"},
}

# listed is true when entries (a rule's allowed_services parameter) names the Service:
# an entry "namespace/name" names one Service, "namespace/*" every Service of the
# namespace. The namespace is the Service's, "default" when the manifest sets none;
# entries that are not strings or not of that form are ignored.
listed(entries) if {
	is_service
	is_array(entries)
	some entry in entries
	is_string(entry)
	parts := split(trim_space(entry), "/")
	count(parts) == 2
	parts[0] == core.namespace
	parts[1] in {core.name, "*"}
}
