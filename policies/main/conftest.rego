# ringfence under conftest. conftest queries deny in the namespace it is given:
# conftest test --namespace ringfence.main. Each finding becomes a failure whose message
# starts with the rule id, with the rule id, field and object in its metadata. One
# document at a time, the cross-object rules see only data.inventory (empty unless given
# with --data). With --combine, conftest passes every document at once as
# [{"path", "contents"}]: the inventory is built from all of them, as ringfence test
# builds it, and every object is checked against it.
package ringfence.main

import data.ringfence.lib.core

# deny holds one conftest result per finding.
deny contains result if {
	not combined
	some f in findings
	result := conftest_result(f, core.resource, null)
}

deny contains result if {
	combined
	inventory := combined_inventory
	some doc in input
	is_object(doc.contents)
	found := findings with input as doc.contents with data.inventory as inventory
	some f in found
	result := conftest_result(f, doc.contents, doc.path)
}

conftest_result(f, obj, path) := {
	"msg": sprintf("%s: %s", [f.rule, f.msg]),
	"rule": f.rule,
	"field": object.get(f, "field", ""),
	"object": identity(obj),
	"file": path,
}

identity(obj) := {
	"apiVersion": object.get(obj, "apiVersion", ""),
	"kind": object.get(obj, "kind", ""),
	"namespace": object.get(obj, ["metadata", "namespace"], ""),
	"name": object.get(obj, ["metadata", "name"], ""),
}

# combined is true for conftest --combine input: an array of {"path", "contents"}.
combined if {
	is_array(input)
	every doc in input {
		is_object(doc)
		"contents" in object.keys(doc)
	}
}

# entries lists the combined objects that have an identity, with where each lands: a
# namespaced object without a namespace lands in "default", as with kubectl apply.
entries := [e |
	some i, doc in input
	obj := doc.contents
	is_string(obj.apiVersion)
	is_string(obj.kind)
	is_string(obj.metadata.name)
	e := {
		"index": i,
		"apiVersion": obj.apiVersion,
		"kind": obj.kind,
		"name": obj.metadata.name,
		"namespace": landing_namespace(obj),
		"object": obj,
	}
]

# keyed adds each entry's identity, for grouping.
keyed := [object.union(e, {"key": [e.namespace, e.apiVersion, e.kind, e.name]}) | some e in entries]

landing_namespace(obj) := "" if {
	cluster_scoped(obj.apiVersion, obj.kind)
} else := obj.metadata.namespace if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := "default"

# cluster_scoped uses the scope CustomResourceDefinitions in the input declare, else
# the well-known cluster-scoped kinds ringfence ships as data.ringfence.cluster_scoped.
cluster_scoped(api_version, kind) := scope == "Cluster" if {
	scope := crd_scopes[group_kind(api_version, kind)]
} else := well_known_cluster_scoped(group_kind(api_version, kind))

well_known_cluster_scoped(gk) if gk in data.ringfence.cluster_scoped

default well_known_cluster_scoped(_) := false

crd_scopes[gk] := scope if {
	some doc in input
	crd := doc.contents
	crd.kind == "CustomResourceDefinition"
	startswith(crd.apiVersion, "apiextensions.k8s.io/")
	gk := sprintf("%s/%s", [crd.spec.group, crd.spec.names.kind])
	scope := crd.spec.scope
}

group_kind(api_version, kind) := sprintf("%s/%s", [group, kind]) if {
	parts := split(api_version, "/")
	group := concat("/", array.slice(parts, 0, count(parts) - 1))
}

# combined_inventory is data.inventory in Gatekeeper's shape. Objects with the same
# identity keep the last one, as a later kubectl apply would. Both steps are linear in
# the number of objects: the grouping comprehension is indexed by OPA, and
# object.union_n merges the single-object trees in one pass.
combined_inventory := object.union_n(array.concat(
	[{"namespace": {}, "cluster": {}}],
	[tree(e) |
		some i
		e := keyed[i]
		last_index[e.key] == i
	],
))

last_index := {key: max(indexes) |
	some i
	key := keyed[i].key
	indexes := [j | some j; keyed[j].key == key]
}

tree(e) := {"cluster": {e.apiVersion: {e.kind: {e.name: e.object}}}} if {
	e.namespace == ""
} else := {"namespace": {e.namespace: {e.apiVersion: {e.kind: {e.name: e.object}}}}}
