# METADATA
# title: ringfence scanned-set library
# description: >-
#   The objects of data.inventory seen the way the network sees them: the workloads of
#   each namespace with the labels, pod spec and container ports of the pods they create,
#   the labels of each namespace (with the kubernetes.io/metadata.name label the API server
#   always sets, so a namespace known only from the workloads in it still has it), the
#   Kubernetes NetworkPolicies of each namespace and which of them isolate given pods.
#   Lookups are bucketed by namespace, so each costs the size of one namespace rather
#   than of the whole set, and within one evaluation each is computed once. Every value
#   is safe on objects of any shape. Calls to functions cost more than lookups and
#   built-ins in OPA, so the loops over workloads call none per workload.
# scope: package
package ringfence.lib.cluster

import data.ringfence.lib.core
import data.ringfence.lib.netpol
import data.ringfence.lib.selector

# name_label is the label the API server sets on every Namespace to its name.
name_label := "kubernetes.io/metadata.name"

# pod_sources says, for each workload kind, the API groups it may come from (as in
# core.workload_groups, keyed by the part of the apiVersion before its slash, so "v1"
# stands for the core group: split is a built-in, cheaper than a function) and where its
# objects keep the labels and the spec of the pods they create: a Pod is its own
# template, a PodTemplate keeps it under template, a CronJob under
# spec.jobTemplate.spec.template, the other kinds under spec.template.
pod_sources := {
	"Pod": {"groups": {"v1"}, "labels": ["metadata", "labels"], "spec": ["spec"]},
	"PodTemplate": {"groups": {"v1"}, "labels": ["template", "metadata", "labels"], "spec": ["template", "spec"]},
	"ReplicationController": {"groups": {"v1"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"Deployment": {"groups": {"apps", "extensions"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"StatefulSet": {"groups": {"apps"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"DaemonSet": {"groups": {"apps", "extensions"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"ReplicaSet": {"groups": {"apps", "extensions"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"Job": {"groups": {"batch"}, "labels": ["spec", "template", "metadata", "labels"], "spec": ["spec", "template", "spec"]},
	"CronJob": {
		"groups": {"batch"},
		"labels": ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
		"spec": ["spec", "jobTemplate", "spec", "template", "spec"],
	},
}

# workloads holds a view of every workload of namespace ns in the inventory that has a
# pod spec, across every API version and workload kind: {"object": <the object>,
# "labels": <its pods' labels>, "spec": <their PodSpec>}. Missing labels are empty;
# labels that are not an object are kept as they are (normalizing them would cost every
# workload): matches, selector.matches and object.subset treat them as no labels.
workloads(ns) := [w |
	some api_version, kinds in data.inventory.namespace[ns]
	some kind, objects in kinds
	src := pod_sources[kind]
	src.groups[split(api_version, "/")[0]]
	spec_path := src.spec
	labels_path := src.labels
	some obj in objects
	spec := object.get(obj, spec_path, null)
	is_object(spec)
	w := {"object": obj, "labels": object.get(obj, labels_path, {}), "spec": spec}
]

# selected_workloads holds the view (see workloads) of the workloads of namespace ns whose
# pods carry every label of labels, as a Service's selector picks them. It filters before
# it builds the views.
selected_workloads(ns, labels) := [w |
	some api_version, kinds in data.inventory.namespace[ns]
	some kind, objects in kinds
	src := pod_sources[kind]
	src.groups[split(api_version, "/")[0]]
	spec_path := src.spec
	labels_path := src.labels
	some obj in objects
	pod_labels := object.get(obj, labels_path, {})
	is_object(pod_labels)
	object.subset(pod_labels, labels)
	spec := object.get(obj, spec_path, null)
	is_object(spec)
	w := {"object": obj, "labels": pod_labels, "spec": spec}
]

# service_selectors holds the selectors of the core/v1 Services of namespace ns that pick
# their endpoints from pod labels (a non-empty selector object, not ExternalName). Each is
# evidence that pods with at least those labels run there, even when the scanned set does
# not hold what creates them (operators create pods from custom resources).
service_selectors(ns) := [sel |
	some svc in data.inventory.namespace[ns].v1.Service
	sel := svc.spec.selector
	is_object(sel)
	count(sel) > 0
	object.get(svc.spec, "type", "") != "ExternalName"
]

# has_pods is true when the scanned set shows pods in namespace ns: a workload, or a
# Service that selects pods.
has_pods(ns) if has_workloads(ns)

has_pods(ns) if count(service_selectors(ns)) > 0

# selects_pods is true when a compiled pod selector c matches the pods of a workload of
# namespace ns, or the selector of one of its Services (taken as the labels of the pods
# it reaches).
selects_pods(ns, c) if {
	wanted := c.labels
	expressions := c.expressions
	some api_version, kinds in data.inventory.namespace[ns]
	some kind, objects in kinds
	src := pod_sources[kind]
	src.groups[split(api_version, "/")[0]]
	labels_path := src.labels
	spec_path := src.spec
	some obj in objects
	labels := object.get(obj, labels_path, {})
	is_object(labels)
	object.subset(labels, wanted)
	every expr in expressions {
		selector.expression_matches(expr, labels)
	}
	is_object(object.get(obj, spec_path, null))
}

# Labels that are not an object are no labels (see matches).
selects_pods(ns, c) if {
	some api_version, kinds in data.inventory.namespace[ns]
	some kind, objects in kinds
	src := pod_sources[kind]
	src.groups[split(api_version, "/")[0]]
	labels_path := src.labels
	spec_path := src.spec
	some obj in objects
	labels := object.get(obj, labels_path, {})
	not is_object(labels)
	matches(c, labels)
	is_object(object.get(obj, spec_path, null))
}

selects_pods(ns, c) if {
	some sel in service_selectors(ns)
	matches(c, sel)
}

# compiled is a label selector prepared for matching many label sets:
# {"labels": <matchLabels, null values as "">, "expressions": <matchExpressions>}.
# Undefined for selectors the API server would reject, which select nothing.
compiled(s) := {
	"labels": {k: selector.label_value(v) | some k, v in selector.match_labels(s)},
	"expressions": selector.match_expressions(s),
} if {
	selector.well_formed(s)
}

# matches is selector.matches for a compiled selector c; labels that are not an object
# are no labels.
matches(c, labels) if {
	is_object(labels)
	object.subset(labels, c.labels)
	every expr in c.expressions {
		selector.expression_matches(expr, labels)
	}
}

matches(c, labels) if {
	not is_object(labels)
	count(c.labels) == 0
	every expr in c.expressions {
		selector.expression_matches(expr, {})
	}
}

# host_network is true for a pod spec that sets hostNetwork: NetworkPolicy does not
# govern such pods.
host_network(spec) if spec.hostNetwork == true

# display names an inventory object the way core.display names the object under review:
# "Deployment shop/web", or "Pod web" when it names no namespace.
display(obj) := sprintf("%s %s/%s", [obj.kind, obj.metadata.namespace, name(obj)]) if {
	is_string(obj.metadata.namespace)
	obj.metadata.namespace != ""
} else := sprintf("%s %s", [obj.kind, name(obj)])

name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := n if {
	n := obj.metadata.generateName
	is_string(n)
} else := "<unnamed>"

# policies holds the Kubernetes NetworkPolicies of namespace ns in the inventory
# (networking.k8s.io and extensions; Calico, Cilium and other kinds of that name are left
# out).
policies(ns) := [p |
	some api_version
	named := data.inventory.namespace[ns][api_version].NetworkPolicy
	split(api_version, "/")[0] in netpol.groups
	some p in named
]

# selecting holds the Kubernetes NetworkPolicies of namespace ns (see policies) whose
# podSelector selects pods with these labels, in the order of policies, each as
# {"policy": <NetworkPolicy>, "strict": <its apiVersion is group/version, as
# netpol.is_network_policy also requires>}. Several rules read it for the same labels
# (the pods of the workload or the backends of the Service under review), so the
# policies of the namespace are matched once per evaluation. For labels that are an
# object, a cheap test rejects most policies before netpol.pod_selector and
# selector.matches run: the labels must hold every entry of spec.podSelector.matchLabels
# whose value is a string (selector.matches requires that too; when the path does not
# lead to an object, nothing is required).
selecting(ns, labels) := [{"policy": p, "strict": strict} |
	some api_version
	named := data.inventory.namespace[ns][api_version].NetworkPolicy
	parts := split(api_version, "/")
	parts[0] in netpol.groups
	strict := count(parts) == 2
	some p in named
	object.subset(labels, {k: v | some k, v in object.get(p, ["spec", "podSelector", "matchLabels"], {}); is_string(v)})
	selector.matches(netpol.pod_selector(p), labels)
] if {
	is_object(labels)
} else := [{"policy": p, "strict": strict} |
	some api_version
	named := data.inventory.namespace[ns][api_version].NetworkPolicy
	parts := split(api_version, "/")
	parts[0] in netpol.groups
	strict := count(parts) == 2
	some p in named
	selector.matches(netpol.pod_selector(p), labels)
]

# isolating holds the NetworkPolicies of namespace ns that select pods with these labels
# (see selecting) and whose effective policyTypes include direction ("Ingress" or
# "Egress").
isolating(ns, labels, direction) := [s.policy |
	some s in selecting(ns, labels)
	direction in netpol.policy_types(s.policy)
]

# isolated is true when some NetworkPolicy of namespace ns isolates pods with these
# labels for direction ("Ingress" or "Egress"), as isolating; it stops at the first one.
isolated(ns, labels, direction) if {
	some s in selecting(ns, labels)
	direction in netpol.policy_types(s.policy)
}

# namespaces is the set of namespace names the scanned set knows: every namespace that
# holds pods (see has_pods), and every core/v1 Namespace object. Namespaces that hold
# only other objects are left out, as Gatekeeper, which syncs only the kinds a rule
# reads, would not know them.
namespaces := {ns | some ns, _ in data.inventory.namespace; has_pods(ns)} | namespace_objects

namespace_objects := {ns |
	some ns, obj in data.inventory.cluster.v1.Namespace
	is_object(obj)
}

# known is true when the scanned set knows namespace ns (see namespaces).
known(ns) if has_pods(ns)

known(ns) if is_object(data.inventory.cluster.v1.Namespace[ns])

# has_workloads is true when namespace ns holds a workload in the scanned set.
has_workloads(ns) if {
	some api_version, kinds in data.inventory.namespace[ns]
	some kind, objects in kinds
	pod_sources[kind].groups[split(api_version, "/")[0]]
	count(objects) > 0
}

# namespace_labels is the labels of namespace ns: those of its Namespace object when the
# scanned set holds one, and always kubernetes.io/metadata.name, which the API server
# sets to the name.
namespace_labels(ns) := object.union(core.object_or_empty(namespace_object(ns).metadata.labels), {name_label: ns}) if {
	is_string(ns)
} else := {name_label: ns} if is_string(ns)

namespace_object(ns) := obj if {
	obj := data.inventory.cluster.v1.Namespace[ns]
	is_object(obj)
} else := {}

# selected_namespaces is the set of names of the namespaces a namespaceSelector selects
# among those the scanned set knows and the names in extra (a set of namespaces assumed
# to exist). A selector that names kubernetes.io/metadata.name in matchLabels can only
# select that namespace, so only it is looked at.
selected_namespaces(namespace_selector, extra) := {ns |
	some ns in candidate_namespaces(namespace_selector, extra)
	selector.matches(namespace_selector, namespace_labels(ns))
}

#
# Otherwise a selector with matchLabels can only select Namespace objects carrying the
# first of those labels (namespaces known without an object, and those in extra, have
# only their name label), found in data.inventory.index when the harness built one, or
# with plain lookups, before the full match; the others are matched against every known
# namespace.
candidate_namespaces(namespace_selector, extra) := {ns |
	ns := namespace_selector.matchLabels[name_label]
	is_string(ns)
	known_or_extra(ns, extra)
} if {
	is_string(namespace_selector.matchLabels[name_label])
} else := {ns |
	key := sort(object.keys(namespace_selector.matchLabels))[0]
	value := selector.label_value(namespace_selector.matchLabels[key])
	some ns, _ in data.inventory.index.namespaces_by_label[key][value]
} if {
	is_object(namespace_selector.matchLabels)
	count(namespace_selector.matchLabels) > 0
	is_object(data.inventory.index)
} else := {ns |
	key := sort(object.keys(namespace_selector.matchLabels))[0]
	value := selector.label_value(namespace_selector.matchLabels[key])
	some ns, obj in data.inventory.cluster.v1.Namespace
	obj.metadata.labels[key] == value
} if {
	is_object(namespace_selector.matchLabels)
	count(namespace_selector.matchLabels) > 0
} else := namespaces | {ns | some ns in extra; is_string(ns)}

known_or_extra(ns, _) if known(ns)

known_or_extra(ns, extra) if ns in extra

# container_ports holds the ports the pod spec's containers declare, with the API's
# default protocol: {"name": "http" or "", "port": 8080, "protocol": "TCP"}. Init
# containers count when they run beside the others as sidecars (restartPolicy Always).
container_ports(spec) := {cp |
	some c in serving_containers(spec)
	is_array(c.ports)
	some p in c.ports
	is_number(p.containerPort)
	cp := {"name": port_name(p), "port": p.containerPort, "protocol": protocol(p)}
}

serving_containers(spec) := array.concat(
	[c | some c in list_or_empty(spec.containers); is_object(c)],
	[c | some c in list_or_empty(spec.initContainers); is_object(c); c.restartPolicy == "Always"],
)

list_or_empty(x) := x if is_array(x)

else := []

port_name(p) := p.name if is_string(p.name)

else := ""

# protocol is an entry's protocol, TCP (the API default) when unset or empty.
protocol(p) := p.protocol if {
	is_string(p.protocol)
	p.protocol != ""
} else := "TCP"

# target_port_numbers is the set of container port numbers a Service port's targetPort
# reaches on pods with this spec: the number itself, or the numbers of the container
# ports of that name and protocol (the endpoints controller resolves names so). Empty for
# a name no container port has.
target_port_numbers(target, proto, spec) := {target} if {
	is_number(target)
} else := {cp.port |
	some cp in container_ports(spec)
	cp.name == target
	cp.protocol == proto
} if {
	is_string(target)
} else := set()

# target_port_names is the set of container port names a targetPort reaches: the name
# itself, or the names of the container ports with that number and protocol.
target_port_names(target, proto, spec) := {target} if {
	is_string(target)
} else := {cp.name |
	some cp in container_ports(spec)
	cp.port == target
	cp.protocol == proto
	cp.name != ""
} if {
	is_number(target)
} else := set()
