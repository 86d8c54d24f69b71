# METADATA
# title: Cilium clusterwide allow rule admits pods of every namespace
# description: >-
#   In a CiliumClusterwideNetworkPolicy, a fromEndpoints or toEndpoints selector is not
#   limited to a namespace: unless it names the namespace, it selects matching pods of
#   every namespace of the cluster. An allow rule with such a peer lets the pods it
#   selects talk to pods of every namespace, which voids the segmentation between
#   namespaces (tenants, environments) other policies build. A peer selector of an allow
#   item (spec.ingress[].fromEndpoints or spec.egress[].toEndpoints, or those of an entry
#   of specs) of a CiliumClusterwideNetworkPolicy that Cilium accepts is reported when it
#   is {} or reads only labels that do not tell namespaces apart: pod labels (a
#   requirement that can only fail on a label Cilium leaves out of identities, such as
#   pod-template-hash, selects no pod and is not reported), the service account and
#   cluster labels, and io.kubernetes.pod.namespace with Exists. A selector naming the
#   namespace (io.kubernetes.pod.namespace other than Exists) or a namespace label
#   (io.cilium.k8s.namespace.labels.<key>), with the k8s: or any: source or none, or a
#   label of another source (reserved:...), is not reported. The message says whether
#   the item allows every port, only those of its toPorts, or only ICMP. Host policies
#   (nodeSelector) are not read, nor are entities such as cluster and all (RF-NET-060
#   reports all).
# scope: package
# custom:
#   id: RF-NET-065
#   severity: medium
#   kinds:
#     - {apiVersion: cilium.io/v2, kind: CiliumClusterwideNetworkPolicy}
#   remediation: >-
#     Add the namespaces the peers live in to the selector
#     (k8s:io.kubernetes.pod.namespace, or a namespace label under
#     k8s:io.cilium.k8s.namespace.labels.), or move the rule into CiliumNetworkPolicies of
#     the namespaces concerned, whose peer selectors default to their own namespace.
#   references:
#     - "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"
#     - https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumclusterwidenetworkpolicy
#     - https://docs.cilium.io/en/stable/security/policy/kubernetes/
#   parameters: []
package ringfence.rules.network.cilium_clusterwide_allow_all_namespaces

import data.ringfence.lib.cilium
import data.ringfence.lib.core

policy := core.resource

peers := {
	"ingress": {"field": "fromEndpoints", "verb": "accept connections from pods of every namespace"},
	"egress": {"field": "toEndpoints", "verb": "can connect to pods of every namespace"},
}

deny contains {"msg": msg, "field": field} if {
	core.kind == "CiliumClusterwideNetworkPolicy"
	cilium.reviewed
	some r in cilium.effective_rules(policy)
	_ = cilium.subject(policy, r.rule)
	some direction, peer in peers
	some i, item in cilium.array_field(r.rule, direction)
	some j, s in cilium.array_field(item, peer.field)
	every_namespace(s)
	field := sprintf("%s.%s[%d].%s[%d]", [r.path, direction, i, peer.field, j])
	msg := sprintf(
		"%s: %s does not restrict the namespace, so the pods the rule selects %s %s",
		[core.display, field, peer.verb, ports(item)],
	)
}

ports(item) := "on every port" if {
	cilium.every_port(item)
} else := "on the ports of its toPorts" if {
	count(cilium.array_field(item, "toPorts")) > 0
} else := "for the ICMP messages of its icmps"

# every_namespace is true for a peer selector that selects pods of every namespace.
every_namespace(s) if {
	c := cilium.compiled(s)
	every pair in c.labels {
		open_label(pair[0])
	}
	every e in c.expressions {
		open_expression(e)
	}
}

# open_label is true for a matchLabels key that neither tells namespaces apart nor can
# only fail (a label the filter leaves out of identities).
open_label(k) if {
	cilium.pod_label_key(k)
	not cilium.namespace_scope_key(k)
	cilium.kept(k)
}

open_expression(e) if {
	e.key == cilium.namespace_key
	e.operator == "Exists"
}

open_expression(e) if {
	open_label(e.key)
}

open_expression(e) if {
	cilium.pod_label_key(e.key)
	not cilium.namespace_scope_key(e.key)
	not cilium.kept(e.key)
	e.operator in {"NotIn", "DoesNotExist"}
}
