# METADATA
# title: Container port bound to a host port
# description: >-
#   A container port with a hostPort is bound on the node's own network interfaces: it is
#   reachable by anything that can reach the node, outside the Service abstraction and
#   often outside NetworkPolicy enforcement, and it ties the pod to nodes where that port
#   is free. Init, regular and ephemeral containers are checked. On the host network the
#   API server sets every regular and init container port's hostPort to its
#   containerPort, so those ports are reported too. This is the Pod Security Standards
#   check hostPorts (baseline); it applies at the baseline and restricted levels, as the
#   version parameter's Kubernetes release defines it.
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
#   podSecurity: {check: hostPorts, level: baseline}
#   remediation: >-
#     Remove hostPort from the container ports and expose the workload through a Service;
#     if a node agent must listen on the node, list the port in allowed_host_ports and
#     keep the agent in a dedicated namespace.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.13: Minimize the admission of containers which use HostPorts"
#     - "Pod Security Standards (baseline): Host Ports"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - Pod Security Admission check hostPorts (k8s.io/pod-security-admission)
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#   parameters:
#     - name: level
#       type: string
#       default: restricted
#       description: >-
#         the Pod Security Standards level to hold pods to: baseline or restricted
#         (privileged turns the check off; any other value means restricted, as Pod
#         Security Admission reads an invalid label); the podSecurity block of ringfence
#         configuration sets it for every such rule
#     - name: version
#       type: string
#       default: latest
#       description: >-
#         the Kubernetes release whose definition of the standard applies: latest or v1.N
#         (versions after the newest known one, and invalid values, mean latest)
#     - name: allowed_host_ports
#       type: array
#       items: integer
#       default: []
#       description: >-
#         host port numbers (integers) that containers may use, the "known list" the Pod
#         Security Standards allow; empty forbids every host port, as Pod Security
#         Admission does
package ringfence.rules.pod.host_ports

import data.ringfence.lib.core
import data.ringfence.lib.pss

deny contains {"msg": sprintf("%s: %s", [core.display, v.msg]), "field": v.field} if {
	some ps in core.pod_specs
	chain := rego.metadata.chain()
	pss.enabled("hostPorts", chain)
	some v in pss.host_ports(ps)
	not allowed(v.port, chain)
}

allowed(port, chain) if {
	ports := core.parameter(chain, "allowed_host_ports")
	is_array(ports)
	some p in ports
	is_number(p)
	p == port
}
