# METADATA
# title: Container port bound to a host port
# description: >-
#   A container port with a hostPort is bound on the node's own network interfaces: it is
#   reachable by anything that can reach the node, outside the Service abstraction and
#   often outside NetworkPolicy enforcement, and it ties the pod to nodes where that port
#   is free. Init, regular and ephemeral containers are checked. Pods with hostNetwork
#   listen on the node whatever their ports say; RF-POD-002 reports those.
# scope: package
# custom:
#   id: RF-POD-003
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Pod}
#     - {apiVersion: v1, kind: PodTemplate}
#     - {apiVersion: v1, kind: ReplicationController}
#     - {apiVersion: apps/v1, kind: Deployment}
#     - {apiVersion: apps/v1, kind: StatefulSet}
#     - {apiVersion: apps/v1, kind: DaemonSet}
#     - {apiVersion: apps/v1, kind: ReplicaSet}
#     - {apiVersion: extensions/v1beta1, kind: Deployment}
#     - {apiVersion: extensions/v1beta1, kind: DaemonSet}
#     - {apiVersion: extensions/v1beta1, kind: ReplicaSet}
#     - {apiVersion: batch/v1, kind: Job}
#     - {apiVersion: batch/v1, kind: CronJob}
#   remediation: >-
#     Remove hostPort from the container's ports (or set it to 0) and expose the port
#     through a Service (ClusterIP, or NodePort/LoadBalancer behind source restrictions)
#     or an Ingress. Host ports a node agent genuinely needs can be listed in the
#     allowed_host_ports parameter.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.13: Minimize the admission of containers which use HostPorts"
#     - "Pod Security Standards (baseline): Host Ports"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     - https://kubernetes.io/docs/concepts/configuration/overview/#services
#   parameters:
#     - name: allowed_host_ports
#       type: array
#       items: integer
#       default: []
#       description: >-
#         host port numbers (integers) that containers may use, the "known list" the Pod
#         Security Standards allow; empty forbids every host port
package ringfence.rules.pod.host_ports

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some c in core.containers
	ports := c.container.ports
	is_array(ports)
	some i, port in ports
	host_port := port.hostPort
	is_number(host_port)
	host_port != 0
	not allowed(host_port)
	field := sprintf("%s.ports[%d].hostPort", [c.path, i])
	msg := sprintf("%s: container %q binds host port %v/%s on the node", [core.display, c.name, host_port, protocol(port)])
}

# allowed is true when the allowed_host_ports parameter lists the port.
allowed(host_port) if {
	ports := core.parameter(rego.metadata.chain(), "allowed_host_ports")
	is_array(ports)
	some p in ports
	is_number(p)
	p == host_port
}

# protocol is the port's protocol, "TCP" (the API default) when unset.
protocol(port) := port.protocol if {
	is_string(port.protocol)
	port.protocol != ""
} else := "TCP"
