# METADATA
# title: Role grants exec, attach, port-forward or node proxy
# description: >-
#   create on pods/exec or pods/attach runs commands in, or attaches to, a pod's
#   containers, with their service account tokens, mounted secrets and host access;
#   create on pods/portforward reaches ports the pod does not expose. get counts too:
#   the API server has long authorized the WebSocket upgrade of these requests, a GET,
#   with get. nodes/proxy reaches the kubelet API, which runs commands in every pod on
#   the node (a get is enough for a WebSocket exec), past the admission control and
#   audit of pods/exec; get, create, update, patch and delete are reported, the verbs the
#   API server and the kubelet authorize proxied requests with. Matching
#   follows the RBAC authorizer ("*", "*/exec"; plain pods or nodes do not match their
#   subresources). A rule restricted with resourceNames reaches the named pods alone and
#   is not reported for pods; for nodes/proxy it is, since one node's kubelet gives
#   every pod on that node. nodes/proxy is cluster-scoped, so only ClusterRoles grant it.
#   Aggregated ClusterRoles are skipped; the ClusterRoles they aggregate are checked
#   themselves.
# scope: package
# custom:
#   id: RF-RBAC-006
#   severity: high
#   kinds:
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: Role}
#     - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole}
#   remediation: >-
#     Remove pods/exec, pods/attach and pods/portforward from roles that do not need an
#     interactive session, or limit them to named pods with resourceNames; grant
#     nodes/proxy to nobody but the API server and monitoring that cannot use
#     nodes/metrics or nodes/stats instead.
#   references:
#     - "CIS Kubernetes Benchmark 5.1.10: Minimize access to the proxy sub-resource of nodes"
#     - "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (role-based access control)"
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes
#     - https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/#kubelet-authorization
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
#   parameters: []
package ringfence.rules.rbac.exec_and_node_proxy

import data.ringfence.lib.rbac

pod_subresources := {"pods/exec", "pods/attach", "pods/portforward"}

node_proxy_verbs := {"get", "create", "update", "patch", "delete"}

deny contains f if {
	rbac.is_role
	rbac.resources_listed & object.keys(resource_entries) != set()
	some f in rbac.findings(grants)
}

# resource_entries maps each resources entry that matches one of the pod subresources
# or nodes/proxy to the resources it matches, for rbac.matching.
resource_entries := {
	"pods/exec": ["pods/exec"],
	"*/exec": ["pods/exec"],
	"pods/attach": ["pods/attach"],
	"*/attach": ["pods/attach"],
	"pods/portforward": ["pods/portforward"],
	"*/portforward": ["pods/portforward"],
	"nodes/proxy": ["nodes/proxy"],
	"*/proxy": ["nodes/proxy"],
	"*": ["nodes/proxy", "pods/attach", "pods/exec", "pods/portforward"],
}

grants contains {"index": i, "resource": resource, "verbs": verbs} if {
	some [i, resource] in rbac.matching(resource_entries)
	pod_subresources[resource]
	rule := rbac.rules[i]
	rbac.group_matches(rule, "")
	not rbac.restricts_named(rule)
	verbs := rbac.verb_labels(rule, {"create", "get"})
}

grants contains {"index": i, "resource": "nodes/proxy", "verbs": verbs} if {
	rbac.cluster_role
	some [i, resource] in rbac.matching(resource_entries)
	resource == "nodes/proxy"
	rule := rbac.rules[i]
	rbac.group_matches(rule, "")
	verbs := rbac.verb_labels(rule, node_proxy_verbs)
}
