# METADATA
# title: ringfence core library
# description: >-
#   The object under review, its identity, its pod specs and containers, and rule
#   parameters, the same whether the input is a plain object (ringfence, conftest, an OPA
#   server) or a Gatekeeper review.
# scope: package
package ringfence.lib.core

# resource is the object under review: Gatekeeper and admission reviews wrap it, everyone else passes it as is.
resource := o if {
	o := input.review.object
	is_object(o)
} else := input

default kind := ""

kind := resource.kind if is_string(resource.kind)

default api_version := ""

api_version := resource.apiVersion if is_string(resource.apiVersion)

# group is the API group of the object ("" for the core group).
default group := ""

group := g if {
	parts := split(api_version, "/")
	count(parts) == 2
	g := parts[0]
}

default metadata := {}

metadata := resource.metadata if is_object(resource.metadata)

default name := ""

name := n if {
	n := metadata.name
	is_string(n)
} else := n if {
	n := metadata.generateName
	is_string(n)
}

# namespace is the object's namespace as written; objects without one land in "default"
# when applied, so cross-object rules use that.
default namespace := "default"

namespace := metadata.namespace if {
	is_string(metadata.namespace)
	metadata.namespace != ""
} else := ns if {
	# Admission requests may leave the namespace to the request.
	ns := input.review.namespace
	is_string(ns)
	ns != ""
}

# has_namespace is true when the manifest names a namespace itself.
has_namespace if {
	is_string(metadata.namespace)
	metadata.namespace != ""
}

default labels := {}

labels := metadata.labels if is_object(metadata.labels)

default annotations := {}

annotations := metadata.annotations if is_object(metadata.annotations)

# display names the object the way kubectl users read it: "Deployment shop/web", or
# "ClusterRole admin" for cluster-scoped objects.
display := sprintf("%s %s/%s", [kind, metadata.namespace, name]) if has_namespace

display := sprintf("%s %s", [kind, name]) if not has_namespace

# kind_in is true when the object's kind is one of kinds (a set of names).
kind_in(kinds) if kinds[kind]

workload_kinds := {
	"Pod", "PodTemplate", "ReplicationController", "Deployment", "StatefulSet",
	"DaemonSet", "ReplicaSet", "Job", "CronJob",
}

# The API groups each workload kind may come from, old beta groups included.
workload_groups := {
	"Pod": {""},
	"PodTemplate": {""},
	"ReplicationController": {""},
	"Deployment": {"apps", "extensions"},
	"StatefulSet": {"apps"},
	"DaemonSet": {"apps", "extensions"},
	"ReplicaSet": {"apps", "extensions"},
	"Job": {"batch"},
	"CronJob": {"batch"},
}

is_workload if workload_groups[kind][group]

# pod_specs holds every pod spec the object carries, with the path to it and the pod
# metadata that goes with it (the object's own for a Pod, the template's otherwise):
# {"spec": <PodSpec>, "path": "spec.template.spec", "metadata": {...},
# "metadata_path": "spec.template.metadata"}.
pod_specs contains {"spec": s, "path": "spec", "metadata": metadata, "metadata_path": "metadata"} if {
	is_workload
	kind == "Pod"
	s := resource.spec
	is_object(s)
}

pod_specs contains pod_spec_entry(resource.template, "template") if {
	is_workload
	kind == "PodTemplate"
}

pod_specs contains pod_spec_entry(resource.spec.template, "spec.template") if {
	is_workload
	template_kinds[kind]
}

pod_specs contains pod_spec_entry(resource.spec.jobTemplate.spec.template, "spec.jobTemplate.spec.template") if {
	is_workload
	kind == "CronJob"
}

pod_spec_entry(template, path) := {
	"spec": template.spec,
	"path": concat(".", [path, "spec"]),
	"metadata": object_or_empty(object.get(template, "metadata", {})),
	"metadata_path": concat(".", [path, "metadata"]),
} if is_object(template.spec)

# object_or_empty is x when it is an object, else {}.
object_or_empty(x) := x if is_object(x)

else := {}

# windows is true for a pod spec that declares the Windows operating system (spec.os.name).
windows(spec) if spec.os.name == "windows"

template_kinds := {"ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# containers holds every container of every pod spec (init, regular and ephemeral):
# {"container": <Container>, "name": "app", "path": "spec.containers[0]", "pod_spec": <PodSpec>}.
containers contains c if {
	some ps in pod_specs
	some field in container_fields
	is_array(ps.spec[field])
	some i, ctr in ps.spec[field]
	is_object(ctr)
	c := {
		"container": ctr,
		"name": container_name(ctr),
		"path": sprintf("%s.%s[%d]", [ps.path, field, i]),
		"pod_spec": ps.spec,
		"pod_spec_path": ps.path,
	}
}

container_name(ctr) := ctr.name if is_string(ctr.name)

else := "<unnamed>"

# image_exempt is true when field points into a container (the container's path, or a path
# below it) whose image matches one of images, as Gatekeeper's exemptImages match: an
# entry is the image exactly, or, ending in *, a prefix of it. A finding about the pod
# spec as a whole, or without a field, is not in any container.
image_exempt(field, images) if {
	is_string(field)
	some c in containers
	within(field, c.path)
	image := c.container.image
	is_string(image)
	some pattern in images
	image_matches(image, pattern)
}

within(field, path) if field == path

within(field, path) if startswith(field, concat("", [path, "."]))

within(field, path) if startswith(field, concat("", [path, "["]))

image_matches(image, pattern) if {
	is_string(pattern)
	not endswith(pattern, "*")
	image == pattern
}

image_matches(image, pattern) if {
	is_string(pattern)
	endswith(pattern, "*")
	startswith(image, trim_suffix(pattern, "*"))
}

# parameter returns a rule parameter: Gatekeeper's input.parameters, else the value set in
# ringfence configuration (data.ringfence.config.parameters[<rule id>]), else the default
# from the rule's METADATA. Call it as parameter(rego.metadata.chain(), "name").
parameter(chain, key) := input.parameters[key] if {
	is_review
	is_object(input.parameters)
} else := data.ringfence.config.parameters[rule_id(chain)][key] if {
	not is_review
} else := d if {
	some entry in chain
	some p in entry.annotations.custom.parameters
	p.name == key
	d := p["default"]
}

# is_review is true under Gatekeeper and admission reviews, where parameters come with the input.
is_review if is_object(input.review)

# rule_id is the custom.id the calling rule's METADATA chain carries.
rule_id(chain) := id if {
	some entry in chain
	id := entry.annotations.custom.id
	is_string(id)
}

# object_key names the object under review as the harness keys its analyses in
# data.ringfence.model: apiVersion|kind|namespace|name.
object_key := concat("|", [api_version, kind, namespace, name])
