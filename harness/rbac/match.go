package rbac

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Request is one question to the authorizer, as a SubjectAccessReview asks it: a resource
// request (Resource set) or a non-resource request (Path set).
type Request struct {
	Verb        string
	APIGroup    string
	Resource    string
	Subresource string
	Name        string
	Namespace   string // "" for cluster-scoped resources and requests across all namespaces
	Path        string // non-resource URL, such as /metrics
}

// IsResource reports whether r asks about an API resource rather than a non-resource URL.
func (r Request) IsResource() bool { return r.Path == "" }

// String is how reports show the request: "create pods/exec in namespace shop".
func (r Request) String() string {
	if !r.IsResource() {
		return r.Verb + " " + r.Path
	}
	res := r.Resource
	if r.APIGroup != "" {
		res += "." + r.APIGroup
	}
	if r.Subresource != "" {
		res += "/" + r.Subresource
	}
	if r.Name != "" {
		res += " " + r.Name
	}
	s := r.Verb + " " + res
	if r.Namespace != "" {
		s += " in namespace " + r.Namespace
	}
	return s
}

// RuleAllows reports whether rule allows r, matching as the Kubernetes RBAC authorizer
// does: verbs and API groups by equality or "*"; resources as "resource/subresource",
// where "*" matches everything and "*/sub" matches subresource sub of every resource;
// resourceNames, when present, must name the requested object (a request without a name,
// such as list, matches only an empty entry); non-resource URLs by equality, "*", or a
// prefix ending in "*".
func RuleAllows(rule *rbacv1.PolicyRule, r Request) bool {
	if !hasOrAll(rule.Verbs, r.Verb) {
		return false
	}
	if !r.IsResource() {
		return nonResourceURLMatches(rule.NonResourceURLs, r.Path)
	}
	return hasOrAll(rule.APIGroups, r.APIGroup) &&
		resourceMatches(rule.Resources, r.Resource, r.Subresource) &&
		(len(rule.ResourceNames) == 0 || slices.Contains(rule.ResourceNames, r.Name))
}

func hasOrAll(list []string, want string) bool {
	for _, v := range list {
		if v == "*" || v == want {
			return true
		}
	}
	return false
}

func resourceMatches(rules []string, resource, subresource string) bool {
	combined := resource
	if subresource != "" {
		combined += "/" + subresource
	}
	for _, r := range rules {
		switch {
		case r == "*", r == combined:
			return true
		case subresource != "" && r == "*/"+subresource:
			return true
		}
	}
	return false
}

func nonResourceURLMatches(rules []string, path string) bool {
	for _, u := range rules {
		switch {
		case u == "*", u == path:
			return true
		case strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")):
			return true
		}
	}
	return false
}
