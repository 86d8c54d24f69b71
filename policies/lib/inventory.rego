# METADATA
# title: ringfence inventory library
# description: >-
#   Access to data.inventory in Gatekeeper's shape:
#   data.inventory.namespace[ns][apiVersion][kind][name] and
#   data.inventory.cluster[apiVersion][kind][name]. ringfence builds it from the input set
#   (manifests) or the cluster (live); Gatekeeper fills it from its sync config.
# scope: package
package ringfence.lib.inventory

# namespaced returns the objects of kind in namespace ns, across every API version.
namespaced(ns, kind) := [o |
	some api_version
	some o in data.inventory.namespace[ns][api_version][kind]
]

# cluster_scoped returns the cluster-scoped objects of kind across every API version.
cluster_scoped(kind) := [o |
	some api_version
	some o in data.inventory.cluster[api_version][kind]
]

# namespaced_named returns the object of kind called name in namespace ns, if there is one.
namespaced_named(ns, kind, name) := found[0] if {
	found := [o | some api_version; o := data.inventory.namespace[ns][api_version][kind][name]]
	count(found) > 0
}

# cluster_named returns the cluster-scoped object of kind called name, if there is one.
cluster_named(kind, name) := found[0] if {
	found := [o | some api_version; o := data.inventory.cluster[api_version][kind][name]]
	count(found) > 0
}
