# METADATA
# title: Segmentation invariant broken
# description: >-
#   Checks the segmentation invariants given in the invariants parameter against the
#   connectivity model of the scanned set: from the workloads (Pods and the pod templates
#   of every workload kind), the Namespaces with their labels and the Kubernetes
#   NetworkPolicies, ringfence computes which connections are allowed (both the source's
#   egress and the destination's ingress must allow them, with the full NetworkPolicy
#   semantics, as ringfence netmap shows them) and reports every allowed connection an
#   invariant forbids, on the destination workload (the source when the destination is
#   outside the cluster), naming the policies that allow it. An invariant has a name and
#   either from and to (no connection from a matching source to a matching destination;
#   no from means every source, the outside world included) or to and onlyFrom (only
#   matching sources may reach a matching destination). A selector is namespaces (names),
#   namespaceSelector and podSelector (label selectors, all given must match), or cidr
#   (outside addresses: an allowed CIDR that overlaps it and does not except it counts).
#   The model needs the whole input set, so the rule runs in the library, the CLI and
#   audits only, not in OPA, conftest or Gatekeeper; with no invariants it reports nothing.
# scope: package
# custom:
#   id: RF-NET-030
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
#   runtimes: [library, cli, audit]
#   model: segmentation
#   remediation: >-
#     Tighten the policies named in the finding: narrow the peer that admits the source
#     (a namespaceSelector with labels instead of {}, a podSelector, an ipBlock with
#     except), isolate the destination for ingress or the source for egress with a
#     default-deny policy, or change the invariant if the connection is intended.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined"
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/
#   parameters:
#     - name: invariants
#       type: array
#       items: object
#       default: []
#       description: >-
#         segmentation invariants, each {name, from, to} or {name, to, onlyFrom}; a
#         selector is {namespaces, namespaceSelector, podSelector} or {cidr}
package ringfence.rules.network.segmentation_invariant

import data.ringfence.lib.core

deny contains {"msg": v.msg} if {
	core.is_workload
	some v in data.ringfence.model.segmentation[core.object_key]
	is_string(v.msg)
}
