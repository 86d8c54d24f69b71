# METADATA
# title: Istio PeerAuthentication accepts plaintext
# description: >-
#   A PeerAuthentication whose mTLS mode is PERMISSIVE accepts plaintext connections next
#   to mutual TLS, and one whose mode is DISABLE accepts plaintext only: the sidecars or
#   ztunnel of the workloads it covers then take traffic that carries no workload identity
#   and crosses the network unencrypted, and AuthorizationPolicies that match principals or
#   namespaces cannot tell who sent it. The mode is read from spec.mtls.mode (for the
#   namespace, or for the workloads spec.selector picks) and from every spec.portLevelMtls
#   entry, which overrides it for one port. UNSET and a missing mode inherit from the
#   parent policy and are not reported here (a mesh without a STRICT mesh-wide policy is
#   RF-MESH-002's concern). Both security.istio.io/v1 and the older v1beta1 are read.
# scope: package
# custom:
#   id: RF-MESH-001
#   severity: high
#   kinds:
#     - {apiVersion: security.istio.io/v1, kind: PeerAuthentication}
#     - {apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication}
#   remediation: >-
#     Set spec.mtls.mode and every portLevelMtls mode to STRICT once every client of the
#     workloads has a sidecar or ztunnel; during a migration, keep PERMISSIVE only on the
#     ports that still take plaintext, and remove it when they are done.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic with TLS)"
#     - https://istio.io/latest/docs/reference/config/security/peer_authentication/
#     - https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
#     - https://istio.io/latest/docs/ops/best-practices/security/#mutual-tls
#   parameters: []
package ringfence.rules.mesh.peer_authentication_plaintext

import data.ringfence.lib.core
import data.ringfence.lib.istio

plaintext_modes := {
	"PERMISSIVE": "accepts plaintext as well as mutual TLS",
	"DISABLE": "accepts plaintext only",
}

deny contains {"msg": msg, "field": "spec.mtls.mode"} if {
	core.kind == "PeerAuthentication"
	core.group == "security.istio.io"
	mode := core.resource.spec.mtls.mode
	what := plaintext_modes[mode]
	msg := sprintf("%s: spec.mtls.mode is %s, so %s %s", [core.display, mode, scope, what])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "PeerAuthentication"
	core.group == "security.istio.io"
	is_object(core.resource.spec.portLevelMtls)
	some port, setting in core.resource.spec.portLevelMtls
	mode := setting.mode
	what := plaintext_modes[mode]
	field := sprintf("spec.portLevelMtls[%q].mode", [format_port(port)])
	msg := sprintf("%s: %s is %s, so port %s of %s %s", [core.display, field, mode, format_port(port), scope, what])
}

# scope says whom the policy covers: the workloads its selector picks, or every workload
# of its namespace (of the whole mesh, in the root namespace; the rule cannot know which
# namespace is the root, so it says the namespace).
scope := "the workloads its selector picks" if {
	istio.has_selector(core.resource.spec)
} else := sprintf("every workload of namespace %s", [core.namespace])

format_port(p) := istio.port_string(p)
