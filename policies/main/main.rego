# METADATA
# title: ringfence decision entry point
# description: >-
#   Every rule's violations for the object under review, each tagged with its rule id,
#   with exemptions applied: the ringfence.dev/exempt annotation on the object and the
#   exemptions in data.ringfence.config (of the whole object, or, with images, of the
#   containers running them). Rule ids come from data.ringfence.catalog, which
#   ringfence generates from the rules' METADATA.
# scope: package
package ringfence.main

import data.ringfence.lib.core

exempt_annotation := "ringfence.dev/exempt"

exempt_reason_annotation := "ringfence.dev/exempt-reason"

# findings holds the violations that no exemption covers. Most objects have no exemption:
# then findings are the violations as they are, not filtered finding by finding.
findings := violations if {
	count(exempt_rules) == 0
	count(image_exemptions) == 0
} else := {finding |
	some finding in violations
	not exempt(finding)
}

# exempted holds the violations an exemption covers, so reports can count them.
exempted := set() if {
	count(exempt_rules) == 0
	count(image_exemptions) == 0
} else := {finding |
	some finding in violations
	exempt(finding)
}

# exempt is true for a finding an exemption covers: one for its rule and the whole object,
# or one for its rule and the images of the container the finding's field points into.
exempt(finding) if exempt_rules[finding.rule]

exempt(finding) if {
	some e in image_exemptions
	e.rule == finding.rule
	core.image_exempt(object.get(finding, "field", ""), e.images)
}

# exempt_reason is why a finding in exempted is exempt: the reasons of the exemptions
# that cover it (the object's ringfence.dev/exempt-reason annotation when its exempt
# annotation lists the rule, and the reason of every configured exemption that applies),
# sorted and joined with "; ", or "" when none gives one.
exempt_reason(finding) := concat("; ", sort([r | some r in exempt_reasons(finding)]))

exempt_reasons(finding) := {r |
	some r in (annotation_reason(finding) | config_reasons(finding))
	r != ""
}

annotation_reason(finding) := {reason |
	annotation_exempt[finding.rule]
	listed := core.annotations[exempt_reason_annotation]
	is_string(listed)
	reason := trim_space(listed)
}

config_reasons(finding) := {reason |
	some e in applicable
	e.rule == finding.rule
	covers_finding(e, finding)
	reason := object.get(e, "reason", "")
	is_string(reason)
}

covers_finding(e, _) if object.get(e, "images", []) == []

covers_finding(e, finding) if {
	object.get(e, "images", []) != []
	core.image_exempt(object.get(finding, "field", ""), e.images)
}

# With data.ringfence.dispatch (kind -> [[area, slug, id], ...], generated from the kinds
# in the rules' metadata) only the rules that declare the object's kind are evaluated, as
# Gatekeeper's constraint match would; without it, every rule is.
violations contains finding if {
	some [area, slug, id] in data.ringfence.dispatch[core.kind]
	not disabled[id]
	some v in data.ringfence.rules[area][slug].deny
	finding := object.union(as_object(v), {"rule": id})
}

violations contains finding if {
	not data.ringfence.dispatch
	some area, slug
	some v in data.ringfence.rules[area][slug].deny
	finding := object.union(as_object(v), {"rule": rule_id(area, slug)})
	not disabled[finding.rule]
}

# disabled holds the ids of the rules data.ringfence.config switches off.
disabled := {id | some id in data.ringfence.config.disabled}

as_object(v) := v if {
	is_object(v)
}

else := {"msg": v}

rule_id(area, slug) := id if {
	id := data.ringfence.catalog[area][slug].id
}

else := concat("/", [area, slug])

# exempt_rules holds the ids of the rules the object under review is exempt from: those
# its exempt annotation lists, and those of the configured exemptions without images that
# match it and have not expired. It is computed once for the object, not once per finding.
# It is a comprehension, not a partial set, so a lookup by rule id reads it whole, once.
exempt_rules := annotation_exempt | config_exempt

annotation_exempt := {trim_space(entry) |
	listed := core.annotations[exempt_annotation]
	is_string(listed)
	some entry in split(listed, ",")
}

# applicable holds the configured exemptions that match the object under review and have
# not expired, read once for the object.
applicable := [e |
	some e in data.ringfence.config.exemptions
	exemption_matches(e)
	not expired(e)
]

config_exempt := {e.rule |
	some e in applicable
	object.get(e, "images", []) == []
}

# image_exemptions holds the applicable exemptions with images: they exempt only the
# findings in containers that run one of those images, so the object's other containers
# are still checked.
image_exemptions := [e |
	some e in applicable
	object.get(e, "images", []) != []
]

exemption_matches(e) if {
	glob.match(object.get(e, "namespace", "*"), [], written_namespace)
	glob.match(object.get(e, "name", "*"), [], core.name)
	glob.match(object.get(e, "kind", "*"), [], core.kind)
	every key, value in object.get(e, "labels", {}) {
		core.labels[key] == value
	}
}

# written_namespace is metadata.namespace as written: cluster-scoped objects have none.
default written_namespace := ""

written_namespace := core.metadata.namespace if is_string(core.metadata.namespace)

expired(e) if time.now_ns() >= expiry_ns(e.expires)

# expiry_ns reads an RFC 3339 timestamp or a plain date (the exemption ends as that day begins, UTC).
expiry_ns(s) := time.parse_rfc3339_ns(concat("", [s, "T00:00:00Z"])) if {
	regex.match(`^\d{4}-\d{2}-\d{2}$`, s)
}

else := time.parse_rfc3339_ns(s)
