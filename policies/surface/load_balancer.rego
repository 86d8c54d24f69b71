# METADATA
# title: LoadBalancer Service outside the exposure allow-list
# description: >-
#   Every Service of type LoadBalancer asks the cloud provider for a load balancer with a
#   public address, so anyone who may create Services in a namespace can put a workload on
#   the internet, bypassing the Ingress controller or Gateway, its TLS and its
#   authentication. Clusters that publish services through a few chosen entry points list
#   them in allowed_services, and any other public load balancer is reported. Load
#   balancers the provider annotations make internal (GKE, AWS, Azure, OCI, OpenStack,
#   Alibaba Cloud, IBM Cloud) have no public address and are not reported.
# scope: package
# custom:
#   id: RF-SURF-003
#   severity: low
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     Use type ClusterIP and publish the service through the cluster's Ingress controller
#     or Gateway, or make the load balancer internal with the provider's annotation. If
#     the Service is an approved entry point, add "namespace/name" to allowed_services.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer
#     - https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer
#     - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
#   parameters:
#     - name: allowed_services
#       type: array
#       items: string
#       default: []
#       description: >-
#         Services that may be public load balancers, as "namespace/name" ("default" for
#         manifests without a namespace); a name of "*" allows every Service of the
#         namespace
package ringfence.rules.surface.load_balancer

import data.ringfence.lib.core
import data.ringfence.lib.service

deny contains {"msg": msg, "field": "spec.type"} if {
	core.kind == "Service"
	service.is_load_balancer
	not service.internal_load_balancer
	not service.listed(core.parameter(rego.metadata.chain(), "allowed_services"))
	msg := sprintf("%s: type LoadBalancer gives the Service a public address, and it is not in the exposure allow-list (allowed_services)", [core.display])
}
