# METADATA
# title: Load balancer open to any source address
# description: >-
#   A Service of type LoadBalancer gets a public address, and unless source ranges restrict
#   it the cloud firewall admits every address on the internet. The effective ranges are
#   spec.loadBalancerSourceRanges, or, when that is empty, the legacy
#   service.beta.kubernetes.io/load-balancer-source-ranges annotation (comma-separated),
#   which cloud providers then honour instead; with neither, the default is 0.0.0.0/0. Any
#   range with prefix length 0 (0.0.0.0/0, ::/0) admits everyone. Load balancers the
#   annotations make internal (GKE, AWS, Azure, OCI, OpenStack, Alibaba Cloud, IBM Cloud)
#   have no public address and are not reported.
# scope: package
# custom:
#   id: RF-EXP-002
#   severity: medium
#   kinds:
#     - {apiVersion: v1, kind: Service}
#   remediation: >-
#     List the client networks that need the service in spec.loadBalancerSourceRanges, or
#     make the load balancer internal with your cloud provider's annotation, or publish the
#     service through an Ingress or Gateway instead of its own load balancer.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/
#     - https://kubernetes.io/docs/reference/labels-annotations-taints/#service-beta-kubernetes-io-load-balancer-source-ranges
#     - https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer
#   parameters: []
package ringfence.rules.exposure.lb_source_ranges

import data.ringfence.lib.core
import data.ringfence.lib.service

source_ranges_annotation := "service.beta.kubernetes.io/load-balancer-source-ranges"

annotation_field := sprintf("metadata.annotations[%q]", [source_ranges_annotation])

deny contains {"msg": msg, "field": "spec.loadBalancerSourceRanges"} if {
	core.kind == "Service"
	public_load_balancer
	not spec_governs
	count(annotation_ranges) == 0
	msg := sprintf("%s: load balancer has no spec.loadBalancerSourceRanges and accepts traffic from any address", [core.display])
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "Service"
	public_load_balancer
	spec_governs
	some i, r in service.spec.loadBalancerSourceRanges
	open_range(r)
	field := sprintf("spec.loadBalancerSourceRanges[%d]", [i])
	msg := sprintf("%s: spec.loadBalancerSourceRanges admits %q, which is any address", [core.display, r])
}

deny contains {"msg": msg, "field": annotation_field} if {
	core.kind == "Service"
	public_load_balancer
	not spec_governs
	some r in annotation_ranges
	open_range(r)
	msg := sprintf("%s: annotation %s admits %q, which is any address", [core.display, source_ranges_annotation, r])
}

public_load_balancer if {
	service.is_load_balancer
	not service.internal_load_balancer
}

# spec_governs is true when spec.loadBalancerSourceRanges lists anything: cloud providers
# then ignore the annotation.
spec_governs if {
	is_array(service.spec.loadBalancerSourceRanges)
	count(service.spec.loadBalancerSourceRanges) > 0
}

# annotation_ranges holds the annotation's comma-separated ranges, blanks dropped.
annotation_ranges contains r if {
	value := core.annotations[source_ranges_annotation]
	is_string(value)
	some part in split(value, ",")
	r := trim_space(part)
	r != ""
}

# open_range is true for a CIDR with prefix length 0, which matches every address.
open_range(r) if {
	is_string(r)
	endswith(trim_space(r), "/0")
}
