# METADATA
# title: Host namespaces shared with the node
# description: >-
#   A pod that shares the node's network, process ID or IPC namespace sees and reaches
#   what the node does: its loopback services and every interface, every process on the
#   node, and shared memory of other pods. This is the Pod Security Standards check
#   hostNamespaces (baseline); it applies at the baseline and restricted levels, as the
#   version parameter's Kubernetes release defines it.
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
#   podSecurity: {check: hostNamespaces, level: baseline}
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
#     - Pod Security Admission check hostNamespaces (k8s.io/pod-security-admission)
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
package ringfence.rules.pod.host_namespaces

import data.ringfence.lib.pss

deny contains finding if {
	some finding in pss.violations("hostNamespaces", rego.metadata.chain())
}
