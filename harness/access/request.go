package access

import (
	_ "embed"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/rbac"
)

// resourcesYAML lists the resource types kube-apiserver v1.37 serves, from its discovery
// documents. The e2e test that starts a real kube-apiserver checks it and rewrites it with
// RINGFENCE_UPDATE_DEFAULTS=1.
//
//go:embed resources-v1.37.yaml
var resourcesYAML []byte

// Resource is one resource type of the API.
type Resource struct {
	Group      string   `json:"group"`
	Resource   string   `json:"resource"`
	Singular   string   `json:"singular"`
	Kind       string   `json:"kind"`
	ShortNames []string `json:"shortNames,omitempty"`
	Namespaced bool     `json:"namespaced"`
}

// BuiltinResources returns the resource types of Kubernetes v1.37.
func BuiltinResources() ([]Resource, error) {
	var list struct {
		Resources []Resource `json:"resources"`
	}
	if err := yaml.Unmarshal(resourcesYAML, &list); err != nil {
		return nil, fmt.Errorf("built-in resource types: %w", err)
	}
	return list.Resources, nil
}

// RequestArgs are a request as kubectl auth can-i takes it.
type RequestArgs struct {
	Verb string
	// Target is TYPE[.GROUP][/NAME] or a non-resource URL (starting with "/"). TYPE is
	// a resource type as kubectl accepts it: plural, singular, short name or kind.
	Target        string
	Subresource   string
	Namespace     string
	AllNamespaces bool
}

// ParseRequest turns kubectl-style arguments into a request. Resource types are looked
// up among Kubernetes' built-in types; an unknown type is taken as written (a custom
// resource: give its group as TYPE.GROUP), with a warning. Cluster-scoped types are asked
// about cluster-wide, whatever the namespace.
func ParseRequest(a RequestArgs) (rbac.Request, []string, error) {
	verb := strings.TrimSpace(a.Verb)
	if verb == "" {
		return rbac.Request{}, nil, fmt.Errorf("no verb")
	}
	if strings.HasPrefix(a.Target, "/") {
		if a.Subresource != "" {
			return rbac.Request{}, nil, fmt.Errorf("--subresource does not apply to the non-resource URL %s", a.Target)
		}
		return rbac.Request{Verb: strings.ToLower(verb), Path: a.Target}, nil, nil
	}
	typ, name, _ := strings.Cut(a.Target, "/")
	if typ == "" {
		return rbac.Request{}, nil, fmt.Errorf("no resource type in %q", a.Target)
	}
	r := rbac.Request{Verb: verb, Name: name, Subresource: a.Subresource, Namespace: a.Namespace}
	if a.AllNamespaces {
		r.Namespace = ""
	}
	if typ == "*" {
		r.Resource, r.APIGroup = "*", "*"
		return r, nil, nil
	}
	res, group, hasGroup := strings.Cut(typ, ".")
	known, err := BuiltinResources()
	if err != nil {
		return rbac.Request{}, nil, err
	}
	for _, k := range known {
		if hasGroup && k.Group != group && !strings.HasSuffix(group, "."+k.Group) && !(k.Group == "" && isVersion(group)) {
			continue
		}
		if matchesType(k, res) {
			r.Resource, r.APIGroup = k.Resource, k.Group
			if !k.Namespaced {
				r.Namespace = ""
			}
			return r, nil, nil
		}
	}
	r.Resource = strings.ToLower(res)
	if hasGroup {
		r.APIGroup = group
	}
	warning := fmt.Sprintf("resource type %q is not built into Kubernetes %s; asking about resource %q in API group %q as written", typ, rbac.DefaultPolicyVersion, r.Resource, r.APIGroup)
	return r, []string{warning}, nil
}

// matchesType is kubectl's resource name matching: plural, singular, short name, or kind,
// without regard to case.
func matchesType(k Resource, typ string) bool {
	t := strings.ToLower(typ)
	if t == k.Resource || t == k.Singular || t == strings.ToLower(k.Kind) {
		return true
	}
	for _, s := range k.ShortNames {
		if t == s {
			return true
		}
	}
	return false
}

// isVersion reports whether s is an API version of the core group written as
// TYPE.VERSION (pods.v1).
func isVersion(s string) bool {
	return len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9' && !strings.Contains(s, ".")
}
