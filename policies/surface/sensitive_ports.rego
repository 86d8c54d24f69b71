# METADATA
# title: Sensitive port reachable from outside the cluster
# description: >-
#   A Service reachable from outside the cluster (type NodePort, type LoadBalancer, internal
#   load balancers included, or external IPs) that exposes a port commonly used by an
#   administrative or data service (SSH, Telnet, the Docker API, etcd, databases, the
#   Kubernetes API, the kubelet, caches, search engines) hands attackers the most valuable
#   targets in the cluster, often without authentication. Both port and an integer
#   targetPort are checked; a named targetPort cannot be resolved from the Service alone.
# scope: package
# custom:
#   id: RF-SURF-002
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Make the Service type ClusterIP without external IPs and reach the service from
#     inside the cluster, through a bastion, a VPN or kubectl port-forward. If it must be
#     reachable from outside, put authentication and TLS in front of it and restrict the
#     sources with loadBalancerSourceRanges and firewall rules.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - "CIS Kubernetes Benchmark 4.2.1: Ensure that the --anonymous-auth argument is set to false (kubelet API, 10250)"
#     - "CIS Kubernetes Benchmark 4.2.4: Verify that the --read-only-port argument is set to 0 (kubelet read-only API, 10255)"
#     - https://kubernetes.io/docs/reference/networking/ports-and-protocols/
#     - https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
#     - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
#   parameters:
#     - name: sensitive_ports
#       type: array
#       items: integer
#       default: [22, 23, 2375, 2376, 2379, 2380, 3306, 5432, 6379, 6443, 9200, 10250, 10255, 11211, 27017]
#       description: >-
#         port numbers of administrative and data services that must not be reachable from
#         outside the cluster
package ringfence.rules.surface.sensitive_ports

import data.ringfence.lib.core
import data.ringfence.lib.service

deny contains {"msg": msg, "field": field} if {
	core.kind == "Service"
	exposure := service.exposed_by
	some entry in service.ports
	port := entry.port.port
	sensitive(port)
	field := sprintf("spec.ports[%d].port", [entry.index])
	msg := sprintf("%s: port %v is a sensitive port, reachable from outside the cluster through %s", [core.display, port, exposure])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Service"
	exposure := service.exposed_by
	some entry in service.ports
	target := entry.port.targetPort
	sensitive(target)
	target != entry.port.port
	field := sprintf("spec.ports[%d].targetPort", [entry.index])
	msg := sprintf("%s: port %v forwards to sensitive target port %v, reachable from outside the cluster through %s", [core.display, entry.port.port, target, exposure])
}

sensitive(port) if {
	is_number(port)
	some p in core.parameter(rego.metadata.chain(), "sensitive_ports")
	is_number(p)
	p == port
}
