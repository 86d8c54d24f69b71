package rbac

import (
	"slices"
	"strings"
)

// Capability is something dangerous a subject may be able to do, as the requests any
// one of which gives it.
type Capability struct {
	// Name is the key reports and data.ringfence.model.permissions use.
	Name string
	// Does completes "service account shop/web ...": "can create pods or workloads".
	Does     string
	requests []scopedRequest
}

// scopedRequest is a request without a namespace. Cluster requests ask about
// cluster-scoped resources, or about every namespace at once, which only
// ClusterRoleBindings grant; the others are granted in a RoleBinding's namespace too.
type scopedRequest struct {
	Request
	cluster bool
}

func requests(cluster bool, verbs []string, group string, resources ...string) []scopedRequest {
	var out []scopedRequest
	for _, res := range resources {
		resource, sub, _ := strings.Cut(res, "/")
		for _, v := range verbs {
			out = append(out, scopedRequest{Request: Request{Verb: v, APIGroup: group, Resource: resource, Subresource: sub}, cluster: cluster})
		}
	}
	return out
}

// Capabilities are the dangerous permissions ringfence looks for in what each workload's
// service account may do. A rule restricted by resourceNames grants none of them (each
// request names no object).
func Capabilities() []Capability {
	create := []string{"create"}
	return []Capability{
		{
			Name: "cluster-admin", Does: "is cluster-admin equivalent (every verb on every resource in every API group, cluster-wide)",
			requests: requests(true, []string{"*"}, "*", "*"),
		},
		{
			Name: "read-secrets", Does: "can read secrets in every namespace",
			requests: requests(true, []string{"get", "list", "watch"}, "", "secrets"),
		},
		{
			Name: "create-workloads", Does: "can create pods or workloads",
			requests: slices.Concat(
				requests(false, create, "", "pods", "replicationcontrollers"),
				requests(false, create, "apps", "deployments", "statefulsets", "daemonsets", "replicasets"),
				requests(false, create, "batch", "jobs", "cronjobs"),
			),
		},
		{
			Name: "exec", Does: "can run commands in other pods",
			requests: slices.Concat(
				// Exec and attach over WebSockets were authorized with get.
				requests(false, []string{"create", "get"}, "", "pods/exec", "pods/attach"),
				requests(true, []string{"get", "create"}, "", "nodes/proxy"),
			),
		},
		{
			Name: "escalate", Does: "can escalate its privileges (escalate, bind or impersonate)",
			requests: slices.Concat(
				requests(false, []string{"escalate", "bind"}, "rbac.authorization.k8s.io", "roles"),
				requests(true, []string{"escalate", "bind"}, "rbac.authorization.k8s.io", "clusterroles"),
				requests(false, []string{"impersonate"}, "", "serviceaccounts"),
				requests(true, []string{"impersonate"}, "", "users", "groups"),
				requests(true, []string{"impersonate"}, "authentication.k8s.io", "uids", "userextras/scopes"),
			),
		},
	}
}

// Holding is a capability a subject has, and the grants that give it.
type Holding struct {
	Capability Capability
	// Grants are the first rule of each binding that gives the capability, one a binding.
	Grants []Grant
	// Requests are, for each grant, the request it allows.
	Requests []Request
}

// Reasons says, for each grant, the request it allows, where, and through which binding,
// role and rule: "create pods in namespace shop, through RoleBinding shop/edit ->
// ClusterRole edit (ClusterRole system:aggregate-to-edit rules[2])".
func (h Holding) Reasons() []string {
	out := make([]string, len(h.Grants))
	for i, g := range h.Grants {
		out[i] = scoped(h.Requests[i]) + ", through " + g.Via()
	}
	return out
}

// scoped says a granted request and where it applies: "create pods in namespace shop",
// "get secrets cluster-wide", "every verb on every resource cluster-wide".
func scoped(r Request) string {
	if r.Verb == "*" && r.Resource == "*" && r.APIGroup == "*" {
		return "every verb on every resource cluster-wide"
	}
	s := r.String()
	if r.Namespace == "" && r.IsResource() {
		s += " cluster-wide"
	}
	return s
}

// Holdings lists the capabilities among caps that u has, with the bindings that give
// them. A superuser (system:masters) holds them all without a grant.
func (p *Policy) Holdings(u User, caps []Capability) []Holding {
	grants := p.Grants(u)
	var out []Holding
	for _, c := range caps {
		h := Holding{Capability: c}
		done := map[Ref]bool{}
		for _, g := range grants {
			if done[g.Binding] {
				continue
			}
			for _, r := range c.requests {
				if r.cluster && g.Namespace != "" {
					continue
				}
				if RuleAllows(&g.Rule, r.Request) {
					req := r.Request
					req.Namespace = g.Namespace
					h.Grants, h.Requests = append(h.Grants, g), append(h.Requests, req)
					done[g.Binding] = true
					break
				}
			}
		}
		if len(h.Grants) > 0 {
			out = append(out, h)
		}
	}
	return out
}
