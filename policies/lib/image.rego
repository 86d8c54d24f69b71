# METADATA
# title: ringfence image reference library
# description: >-
#   Container image references as the distribution reference grammar reads them:
#   [registry[:port]/]path[:tag][@digest]. Values that are not such references are not
#   well formed, and the image rules skip them.
# scope: package
package ringfence.lib.image

# components are the path components of the image's name (tag and digest removed).
components(image) := parts if {
	parts := split(split(split(image, "@")[0], ":")[0], "/")
	not host_with_port(image)
} else := parts if {
	# registry:5000/app:1.0: the first colon belongs to the port.
	name := split(image, "@")[0]
	first := split(name, "/")[0]
	rest := trim_prefix(name, concat("", [first, "/"]))
	parts := array.concat([first], split(split(rest, ":")[0], "/"))
}

host_with_port(image) if {
	parts := split(split(image, "@")[0], "/")
	count(parts) > 1
	contains(parts[0], ":")
}

# registry is the image's registry host, docker.io when the name carries none.
registry(image) := parts[0] if {
	parts := components(image)
	count(parts) > 1
	is_host(parts[0])
} else := "docker.io"

# repository is the image's full name with its registry: nginx is docker.io/library/nginx.
repository(image) := concat("/", parts) if {
	parts := components(image)
	count(parts) > 1
	is_host(parts[0])
	not docker_hub_official(parts)
} else := concat("/", ["docker.io", "library", parts[1]]) if {
	parts := components(image)
	docker_hub_official(parts)
} else := concat("/", array.concat(["docker.io"], parts)) if {
	parts := components(image)
	count(parts) > 1
} else := concat("/", ["docker.io", "library", components(image)[0]])

# docker_hub_official is true for docker.io/<name> with a single path component.
docker_hub_official(parts) if {
	count(parts) == 2
	parts[0] in {"docker.io", "index.docker.io"}
}

is_host(component) if contains(component, ".")

is_host(component) if contains(component, ":")

is_host("localhost")

# well_formed is true for a string image reference that follows the distribution
# reference grammar ([registry[:port]/]path[:tag][@digest]); other values are skipped.
well_formed(image) if {
	is_string(image)
	regex.match(reference_pattern, image)
}

reference_pattern := `^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}))?$`

# digest is the part after "@" ("" when the reference has no digest).
digest(image) := d if {
	parts := split(image, "@")
	count(parts) == 2
	d := parts[1]
} else := ""

# tag is the tag of the last path component ("" when the reference has none); a colon in
# the registry host (registry:5000/app) is a port, not a tag.
tag(image) := t if {
	parts := split(split(image, "@")[0], "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
} else := ""
