# METADATA
# title: Host namespaces shared with the node
# description: >-
#   A pod spec that sets hostNetwork, hostPID or hostIPC to true joins the node's network,
#   process ID or IPC namespace: its containers can sniff and bind the node's interfaces
#   and reach services listening on localhost, see and signal every process on the node
#   (and read their environment and files through /proc), or read the node's shared
#   memory. NetworkPolicies do not apply to host-network pods.
# scope: package
# custom:
#   id: RF-POD-002
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
#     Remove hostNetwork, hostPID and hostIPC from the pod spec or set them to false.
#     Expose network services through a Service instead of the node's network, and keep
#     node-level agents that truly need a host namespace in a dedicated, tightly
#     controlled namespace.
#   references:
#     - "CIS Kubernetes Benchmark 5.2.3: Minimize the admission of containers wishing to share the host process ID namespace"
#     - "CIS Kubernetes Benchmark 5.2.4: Minimize the admission of containers wishing to share the host IPC namespace"
#     - "CIS Kubernetes Benchmark 5.2.5: Minimize the admission of containers wishing to share the host network namespace"
#     - "Pod Security Standards (baseline): Host Namespaces"
#     - "NSA/CISA Kubernetes Hardening Guide: Pod security enforcement"
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/
#   parameters: []
package ringfence.rules.pod.host_namespaces

import data.ringfence.lib.core

deny contains {"msg": msg, "field": field} if {
	some ps in core.pod_specs
	some name, shared in host_namespaces
	ps.spec[name] == true
	field := sprintf("%s.%s", [ps.path, name])
	msg := sprintf("%s: pod spec sets %s to true and shares the node's %s", [core.display, name, shared])
}

# host_namespaces maps each pod spec field to the node namespace it shares.
host_namespaces := {
	"hostNetwork": "network namespace",
	"hostPID": "process ID namespace",
	"hostIPC": "IPC namespace",
}
