# METADATA
# title: ringfence admission webhook entry point
# description: >-
#   The AdmissionReview an OPA server answers the API server with when it serves the
#   ringfence bundle as a validating admission webhook. Serve review as OPA's default
#   decision (default_decision: /ringfence/admission/review) and point the
#   ValidatingWebhookConfiguration at the server's root path: OPA evaluates the decision
#   on POST / with the AdmissionReview the API server sends as input. Findings at or
#   above data.ringfence.config.admission.failOn (default high) deny the request; lower
#   ones at or above warnOn (default low) come back as warnings. Each message starts with
#   the rule id and severity. Exemptions apply as in data.ringfence.main. DELETE requests,
#   CONNECT requests, subresources other than pods/ephemeralcontainers (whose object is
#   the whole Pod) and updates of objects already being deleted are admitted without
#   evaluation. Cross-object rules read data.inventory: push the output of ringfence
#   inventory to /v1/data/inventory, or replicate the cluster there.
# scope: package
package ringfence.admission

# review is the whole AdmissionReview, in the API version of the request.
review := {
	"apiVersion": api_version,
	"kind": "AdmissionReview",
	"response": response,
}

default api_version := "admission.k8s.io/v1"

api_version := input.apiVersion if is_string(input.apiVersion)

default uid := ""

uid := input.request.uid if is_string(input.request.uid)

# response is the AdmissionResponse: allowed, the denial's status and the warnings.
response := object.union_n([
	{"uid": uid, "allowed": count(denied) == 0},
	status,
	warning_list,
])

status := {} if {
	count(denied) == 0
} else := {"status": {
	"code": 403,
	"reason": "Forbidden",
	"message": concat("; ", sort(denied)),
}}

warning_list := {} if {
	count(warned) == 0
} else := {"warnings": sort(warned)}

# denied and warned hold the messages of the findings at each threshold.
denied := {message(f) |
	some f in findings
	rank(f) <= fail_rank
}

warned := {message(f) |
	some f in findings
	rank(f) > fail_rank
	rank(f) <= warn_rank
}

message(f) := sprintf("%s (%s): %s", [f.rule, severity_of(f), f.msg])

# severity_of is a finding's rule's severity; a rule the catalog does not list counts as high.
severity_of(f) := object.get(severity, f.rule, "high")

# findings are ringfence's findings on the object the request would store.
findings := found if {
	evaluated
	found := data.ringfence.main.findings with input as input.request.object
} else := set()

# evaluated is true for the requests whose object is one the rules judge.
evaluated if {
	input.request.operation in {"CREATE", "UPDATE"}
	whole_object
	is_object(input.request.object)
	not being_deleted
}

# whole_object is true for requests on the resource itself, and for pods/ephemeralcontainers,
# which carries the whole Pod: kubectl debug adds containers to a running pod through it.
whole_object if object.get(input.request, "subResource", "") == ""

whole_object if {
	input.request.subResource == "ephemeralcontainers"
	input.request.resource.resource == "pods"
}

# being_deleted is true for an update of an object that has a deletion timestamp: its
# finalizers are being removed, and denying that would keep it from going away.
being_deleted if {
	input.request.operation == "UPDATE"
	is_string(input.request.oldObject.metadata.deletionTimestamp)
}

# severity maps each rule id to its severity, from the catalog in the bundle's data.
severity[id] := rule.severity if {
	some area, slug
	rule := data.ringfence.catalog[area][slug]
	id := rule.id
}

ranks := {"critical": 0, "high": 1, "medium": 2, "low": 3}

rank(f) := ranks[severity_of(f)]

default fail_rank := 1

fail_rank := ranks[data.ringfence.config.admission.failOn]

default warn_rank := 3

warn_rank := ranks[data.ringfence.config.admission.warnOn]
