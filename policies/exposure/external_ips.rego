# METADATA
# title: Service with external IPs
# description: >-
#   Any user who may create or edit Services can list an arbitrary address in
#   spec.externalIPs, and kube-proxy then captures traffic to that address from every node
#   and pod, intercepting connections meant for another workload or an outside host
#   (CVE-2020-8554, unpatchable by design). Unless an address is one an administrator has
#   assigned, external IPs should be rejected.
# scope: package
# custom:
#   id: RF-EXP-001
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Remove spec.externalIPs and expose the Service through a LoadBalancer or an Ingress. If
#     the address is one the cluster administrators assigned, add it to allowed_external_ips.
#     Enable the DenyServiceExternalIPs admission plugin (or an equivalent admission policy)
#     so that nobody can claim external IPs.
#   references:
#     - "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs"
#     - https://github.com/kubernetes/kubernetes/issues/97076
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
#     - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#denyserviceexternalips
#   parameters:
#     - name: allowed_external_ips
#       type: array
#       items: string
#       default: []
#       description: >-
#         external IP addresses the cluster administrators assigned, compared as written
#         (case-insensitive); Services may list these
package ringfence.rules.exposure.external_ips

import data.ringfence.lib.core
import data.ringfence.lib.service

deny contains {"msg": msg, "field": field} if {
	core.kind == "Service"
	some entry in service.external_ips
	not allowed(entry.ip)
	field := sprintf("spec.externalIPs[%d]", [entry.index])
	msg := sprintf("%s: spec.externalIPs claims %q, which is not an allowed external IP (CVE-2020-8554)", [core.display, entry.ip])
}

allowed(ip) if {
	some a in core.parameter(rego.metadata.chain(), "allowed_external_ips")
	is_string(a)
	lower(trim_space(a)) == lower(trim_space(ip))
}
