# METADATA
# title: NodePort Service
# description: >-
#   A NodePort Service opens its ports on every node's addresses, so clients reach the pods
#   around the Ingress controller, the load balancer's source ranges and any
#   authentication in front of them, and every node becomes an entry point. Only type
#   NodePort is reported: LoadBalancer Services also allocate node ports by default, but
#   the load balancer needs them and is the exposure RF-EXP-002 reviews, so reporting every
#   load balancer here would be noise. Services the administrators chose to expose on
#   node ports are listed in allowed_services.
# scope: package
# custom:
#   id: RF-SURF-001
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Use type ClusterIP and publish the service through an Ingress, a Gateway or a
#     LoadBalancer with source ranges. If node ports are unavoidable, restrict them with
#     the nodes' firewall and NetworkPolicies, and list the Service in allowed_services.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
#     - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
#   parameters:
#     - name: allowed_services
#       type: array
#       items: string
#       default: []
#       description: >-
#         Services that may be of type NodePort, as "namespace/name" ("default" for
#         manifests without a namespace); a name of "*" allows every Service of the
#         namespace
package ringfence.rules.surface.node_port

import data.ringfence.lib.core
import data.ringfence.lib.service

deny contains {"msg": msg, "field": "spec.type"} if {
	core.kind == "Service"
	service.is_node_port
	not service.listed(core.parameter(rego.metadata.chain(), "allowed_services"))
	msg := sprintf("%s: type NodePort opens its ports on every node's address, bypassing ingress controls", [core.display])
}
