# METADATA
# title: Role writes Services, Endpoints or EndpointSlices
# description: >-
#   create, update or patch on services (core group) lets a subject set
#   spec.externalIPs, which kube-proxy honours for traffic from every pod to those
#   addresses, or change a selector, and so intercept traffic meant for other services
#   or hosts (CVE-2020-8554); update or patch on services/status does the same through
#   status.loadBalancer.ingress. create, update or patch on endpoints (core group) or
#   endpointslices (discovery.k8s.io) points a Service at any address, including ones
#   outside the namespace (CVE-2021-25740). resourceNames does not exempt update or
#   patch: one named Service or Endpoints is enough; a rule restricted by name grants no
#   create, whose requests carry no object name. delete is not reported: it takes
#   traffic away but redirects none. Matching follows the RBAC authorizer ("*",
#   "*/status"; plain services does not match services/status). Aggregated ClusterRoles
#   are skipped; the ClusterRoles they aggregate are checked themselves.
# scope: package
# custom:
#   id: RF-RBAC-013
#   severity: medium
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Grant write access to Services only to deployers that own them, and to Endpoints,
#     EndpointSlices and services/status only to the controllers that maintain them;
#     block spec.externalIPs with the DenyServiceExternalIPs admission plugin or a policy
#     (RF-EXP-001 reports Services that set it).
#   references:
#     - "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs"
#     - "CVE-2021-25740: Endpoint and EndpointSlice permissions allow cross-Namespace forwarding"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#write-access-for-endpoints
#     - https://kubernetes.io/docs/concepts/services-networking/service/#external-ips
#   parameters: []
package ringfence.rules.rbac.service_write

import data.ringfence.lib.rbac

# targets maps each resource to its API group and the verbs that redirect traffic.
targets := {
	"services": {"group": "", "verbs": {"create", "update", "patch"}},
	"services/status": {"group": "", "verbs": {"update", "patch"}},
	"endpoints": {"group": "", "verbs": {"create", "update", "patch"}},
	"endpointslices": {"group": "discovery.k8s.io", "verbs": {"create", "update", "patch"}},
}

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches one of the targets to the
# resources it matches, for rbac.matching.
resource_entries := {
	"services": ["services"],
	"services/status": ["services/status"],
	"*/status": ["services/status"],
	"endpoints": ["endpoints"],
	"endpointslices": ["endpointslices"],
	"*": ["endpoints", "endpointslices", "services", "services/status"],
}

grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	some [i, resource] in rbac.matching(resource_entries)
	t := targets[resource]
	rule := rbac.rules[i]
	rbac.group_matches(rule, t.group)
	verbs := rbac.verb_labels(rule, rbac.name_verbs(rule, t.verbs))
}
