# METADATA
# title: ringfence Istio library
# description: >-
#   Istio semantics shared by the mesh rules: the workload selector of Istio's security
#   policies (spec.selector.matchLabels, where an absent or empty one covers the
#   namespace, or the mesh in the root namespace) and of Sidecars
#   (spec.workloadSelector.labels), and the mutual TLS mode PeerAuthentications in
#   data.inventory give a namespace or a set of workloads, resolved as Istio does: a
#   workload policy (with a selector) overrides the namespace policy (without one), which
#   overrides the mesh policy (without one, in the root namespace); UNSET, a missing mode
#   or one Istio does not know inherits; with no policy setting a mode the mesh is
#   PERMISSIVE. Among several policies of one level Istio takes the oldest; this library
#   takes the first by creationTimestamp, then name. PeerAuthentications with a selector
#   in the root namespace are ignored, as Istio ignores them. The root namespace is an
#   argument (rules take it as a parameter): libraries read no configuration. Every value
#   is safe on objects of any shape.
# scope: package
package ringfence.lib.istio

# mtls_modes are the PeerAuthentication modes that decide; every other value inherits.
mtls_modes := {"STRICT", "PERMISSIVE", "DISABLE"}

# weak_modes accept plaintext.
weak_modes := {"PERMISSIVE", "DISABLE"}

# selector_labels is a security policy's non-empty spec.selector.matchLabels object;
# undefined when the policy selects no workloads in particular (absent, empty or
# malformed selector).
selector_labels(spec) := labels if {
	labels := spec.selector.matchLabels
	is_object(labels)
	count(labels) > 0
}

# has_selector is true for a policy spec with a non-empty selector.
has_selector(spec) if selector_labels(spec)

# sidecar_labels is a Sidecar's non-empty spec.workloadSelector.labels object.
sidecar_labels(spec) := labels if {
	labels := spec.workloadSelector.labels
	is_object(labels)
	count(labels) > 0
}

# has_target_refs is true for a policy spec that names targetRef or targetRefs (policies
# attached to Gateways, Services or waypoints rather than selected workloads).
has_target_refs(spec) if is_object(spec.targetRef)

has_target_refs(spec) if {
	is_array(spec.targetRefs)
	count(spec.targetRefs) > 0
}

# mode is the mode an mtls object (spec.mtls, or a portLevelMtls entry) sets: STRICT,
# PERMISSIVE or DISABLE, else "UNSET" (inherit), also for values that are not objects.
mode(mtls) := m if {
	m := mtls.mode
	m in mtls_modes
} else := "UNSET"

# policy_mode is the mode of a PeerAuthentication object.
policy_mode(pa) := mode(pa.spec.mtls) if is_object(pa.spec)

else := "UNSET"

# weak_ports holds the ports whose portLevelMtls entry of the PeerAuthentication sets
# PERMISSIVE or DISABLE, as {"port": "8080", "mode": "DISABLE"}. Istio honours port
# settings only on policies with a selector.
weak_ports(pa) := {{"port": port_string(port), "mode": m} |
	has_selector(pa.spec)
	is_object(pa.spec.portLevelMtls)
	some port, setting in pa.spec.portLevelMtls
	m := mode(setting)
	m in weak_modes
}

port_string(p) := p if is_string(p)

else := sprintf("%v", [p])

# peer_authentications holds the security.istio.io PeerAuthentications of namespace ns.
peer_authentications(ns) := [pa |
	some api_version, kinds in data.inventory.namespace[ns]
	startswith(api_version, "security.istio.io/")
	some pa in kinds.PeerAuthentication
	is_object(pa)
]

# pa_namespaces is the set of namespaces of data.inventory that hold a PeerAuthentication.
pa_namespaces := {ns |
	some ns, versions in data.inventory.namespace
	some api_version, kinds in versions
	startswith(api_version, "security.istio.io/")
	is_object(kinds.PeerAuthentication)
	count(kinds.PeerAuthentication) > 0
}

# namespace_policy is the PeerAuthentication without a selector that governs namespace
# ns (the oldest, then the first by name), undefined when there is none.
namespace_policy(ns) := first([pa |
	some pa in peer_authentications(ns)
	not has_selector(pa.spec)
])

# workload_policy is the PeerAuthentication of namespace ns whose matchLabels equal
# labels (undefined when none, and in the root namespace, where Istio ignores them).
workload_policy(ns, labels, root) := first([pa |
	ns != root
	some pa in peer_authentications(ns)
	selector_labels(pa.spec) == labels
])

# workload_policies holds the PeerAuthentications with a selector of namespace ns that
# Istio applies (none in the root namespace).
workload_policies(ns, root) := [pa |
	ns != root
	some pa in peer_authentications(ns)
	has_selector(pa.spec)
]

first(pas) := pas[i] if {
	count(pas) > 0
	keys := sort([[timestamp(pa), name(pa), j] | some j, pa in pas])
	i := keys[0][2]
}

timestamp(pa) := t if {
	t := pa.metadata.creationTimestamp
	is_string(t)
} else := ""

name(pa) := n if {
	n := pa.metadata.name
	is_string(n)
} else := "<unnamed>"

# display names a namespaced inventory object: "PeerAuthentication shop/default".
display(ns, pa) := sprintf("PeerAuthentication %s/%s", [ns, name(pa)])

# mesh_mode is the mesh-wide mode, {"mode": m, "source": <why>}: that of the root
# namespace's PeerAuthentication without a selector, or PERMISSIVE, Istio's default.
mesh_mode(root) := {"mode": m, "source": display(root, pa)} if {
	pa := namespace_policy(root)
	m := policy_mode(pa)
	m != "UNSET"
} else := {"mode": "PERMISSIVE", "source": sprintf("no PeerAuthentication of root namespace %s sets a mode, and Istio's default is PERMISSIVE", [root])}

# namespace_mode is the mode of the workloads of namespace ns that no workload policy
# covers, {"mode": m, "source": <why>}.
namespace_mode(ns, root) := mesh_mode(root) if {
	ns == root
} else := {"mode": m, "source": display(ns, pa)} if {
	pa := namespace_policy(ns)
	m := policy_mode(pa)
	m != "UNSET"
} else := mesh_mode(root)

# workload_mode is the mode of the workloads of namespace ns that a policy selecting
# exactly labels covers: the workload PeerAuthentication with those matchLabels, else the
# namespace's mode.
workload_mode(ns, labels, root) := {"mode": m, "source": display(ns, pa)} if {
	pa := workload_policy(ns, labels, root)
	m := policy_mode(pa)
	m != "UNSET"
} else := namespace_mode(ns, root)
