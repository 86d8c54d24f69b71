# METADATA
# title: Istio mesh without mesh-wide STRICT mutual TLS
# description: >-
#   Without a mesh-wide PeerAuthentication in STRICT mode, Istio's default is PERMISSIVE:
#   every workload in the mesh accepts plaintext next to mutual TLS unless a namespace or
#   workload policy says otherwise, so any pod, in the mesh or not, can reach them without
#   an identity. A mesh-wide policy is a PeerAuthentication in Istio's root namespace (the
#   root_namespace parameter, istio-system by default, as meshConfig.rootNamespace is)
#   without a selector or with an empty one. The rule reports the root namespace's
#   Namespace object when the scanned set (or the cluster's inventory) has no such policy
#   with spec.mtls.mode STRICT; it is silent where the root namespace is not in the set,
#   so clusters without Istio are not reported. Namespace and workload policies that
#   weaken a STRICT mesh are RF-MESH-001's concern.
# scope: package
# custom:
#   id: RF-MESH-002
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Namespace}
#   inventory: true
#   sync:
#     - {apiVersion: security.istio.io/v1, kind: PeerAuthentication}
#     - {apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication}
#   remediation: >-
#     Add a PeerAuthentication named default in the root namespace with no selector and
#     spec.mtls.mode STRICT, after every client of the mesh's workloads has a sidecar or
#     ztunnel; keep exceptions as namespace or workload policies with PERMISSIVE on the
#     ports that need it.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://istio.io/latest/docs/reference/config/security/peer_authentication/
#     - https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/#lock-down-mutual-tls-for-the-entire-mesh
#     - https://istio.io/latest/docs/concepts/security/#peer-authentication
#   parameters:
#     - name: root_namespace
#       type: string
#       default: istio-system
#       description: Istio's root namespace (meshConfig.rootNamespace)
package ringfence.rules.mesh.mesh_mtls_not_strict

import data.ringfence.lib.core
import data.ringfence.lib.inventory
import data.ringfence.lib.istio

deny contains {"msg": msg, "field": "metadata.name"} if {
	core.kind == "Namespace"
	core.api_version == "v1"
	root := core.parameter(rego.metadata.chain(), "root_namespace")
	is_string(root)
	core.name == root
	not strict_mesh_policy(root)
	msg := sprintf(
		"%s: Istio's root namespace has no PeerAuthentication without a selector in STRICT mode, so the mesh accepts plaintext by default (PERMISSIVE)",
		[core.display],
	)
}

# strict_mesh_policy is true when the root namespace holds a selector-less STRICT
# PeerAuthentication of security.istio.io.
strict_mesh_policy(root) if {
	some pa in inventory.namespaced(root, "PeerAuthentication")
	startswith(object.get(pa, "apiVersion", ""), "security.istio.io/")
	not istio.has_selector(object.get(pa, "spec", {}))
	pa.spec.mtls.mode == "STRICT"
}
