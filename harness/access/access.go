// Package access answers RBAC questions about a set of manifests, in the manner of
// kubectl auth can-i and kubectl who-can: who may make a request (WhoCan), and what a
// service account, user, group or workload may do (Permissions). The answers come from
// harness/rbac, with Kubernetes' default roles and bindings for those the manifests do
// not define, and name the binding and role behind each permission.
package access

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/rbac"
	"github.com/ringfence/ringfence/harness/workload"
)

// Set is a resolved set of manifests.
type Set struct {
	Policy *rbac.Policy
	// Errors are the input that could not be read or decoded, located.
	Errors []load.Error
}

// Options tune loading.
type Options struct {
	// NoDefaults leaves Kubernetes' default roles and bindings out.
	NoDefaults bool
	// Read reads the paths Load is given; nil is load.Paths.
	Read load.Reader
}

// Load reads manifests from paths ("-" is stdin) and resolves their RBAC. Input that
// cannot be read becomes located errors; everything readable is resolved.
func Load(ctx context.Context, paths []string, stdin io.Reader, opts Options) *Set {
	read := opts.Read
	if read == nil {
		read = load.Paths
	}
	res := read(ctx, paths, stdin)
	objs := make([]map[string]any, len(res.Documents))
	for i, d := range res.Documents {
		objs[i] = d.Object
	}
	policy, errs := rbac.New(objs, rbac.Options{NoDefaults: opts.NoDefaults})
	set := &Set{Policy: policy, Errors: res.Errors}
	for _, e := range errs {
		if e.Index < 0 || e.Index >= len(res.Documents) {
			set.Errors = append(set.Errors, load.Error{File: "(default policy)", Message: e.Error()})
			continue
		}
		src := res.Documents[e.Index].Source
		set.Errors = append(set.Errors, src.Err(e.Error()))
	}
	return set
}

// Subject is who Permissions is about.
type Subject struct {
	// Display names it for people: "ServiceAccount shop/web", "Deployment shop/web
	// (ServiceAccount shop/web)", "User alice".
	Display string     `json:"display"`
	User    rbac.User  `json:"-"`
	Kind    string     `json:"kind"`
	Name    string     `json:"name"`
	Groups  []string   `json:"groups,omitempty"`
	Token   *TokenInfo `json:"token,omitempty"`
}

// TokenInfo says, for a workload, whether its pods get the service account's token.
type TokenInfo struct {
	Mounted bool `json:"mounted"`
}

// workloadKinds maps what kubectl accepts for the workload kinds (plural, singular,
// short name, any case) to the kind.
var workloadKinds = map[string]string{
	"pod": "Pod", "pods": "Pod", "po": "Pod",
	"deployment": "Deployment", "deployments": "Deployment", "deploy": "Deployment",
	"statefulset": "StatefulSet", "statefulsets": "StatefulSet", "sts": "StatefulSet",
	"daemonset": "DaemonSet", "daemonsets": "DaemonSet", "ds": "DaemonSet",
	"replicaset": "ReplicaSet", "replicasets": "ReplicaSet", "rs": "ReplicaSet",
	"replicationcontroller": "ReplicationController", "replicationcontrollers": "ReplicationController", "rc": "ReplicationController",
	"job": "Job", "jobs": "Job",
	"cronjob": "CronJob", "cronjobs": "CronJob", "cj": "CronJob",
	"podtemplate": "PodTemplate", "podtemplates": "PodTemplate",
}

// ResolveSubject reads a subject argument: system:serviceaccount:NS:NAME,
// serviceaccount/NAME (sa/NAME), user/NAME, group/NAME, or a workload as KIND/NAME
// (deployment/web, deploy/web, pod/web, ...), namespaced ones in namespace. Extra groups
// are added to a user's.
func (s *Set) ResolveSubject(arg, namespace string, groups []string) (Subject, error) {
	if ns, name, ok := rbac.ParseServiceAccount(arg); ok {
		return serviceAccountSubject(ns, name, groups), nil
	}
	kind, name, ok := strings.Cut(arg, "/")
	if !ok || name == "" || kind == "" {
		return Subject{}, fmt.Errorf("subject %q: want KIND/NAME (serviceaccount/NAME, deployment/NAME, user/NAME, group/NAME, ...) or system:serviceaccount:NAMESPACE:NAME", arg)
	}
	switch strings.ToLower(kind) {
	case "serviceaccount", "serviceaccounts", "sa":
		return serviceAccountSubject(namespace, name, groups), nil
	case "user", "users":
		u := rbac.User{Name: name, Groups: append([]string{rbac.SystemAuthenticated}, groups...)}
		return Subject{Display: "User " + name, User: u, Kind: rbacv1.UserKind, Name: name, Groups: u.Groups}, nil
	case "group", "groups":
		u := rbac.User{Groups: append([]string{name}, groups...)}
		return Subject{Display: "Group " + name, User: u, Kind: rbacv1.GroupKind, Name: name, Groups: u.Groups}, nil
	}
	wkind, ok := workloadKinds[strings.ToLower(kind)]
	if !ok {
		return Subject{}, fmt.Errorf("subject %q: unknown kind %q (want a service account, user, group or workload kind)", arg, kind)
	}
	for _, w := range s.Policy.Workloads() {
		if w.Pod.Kind != wkind || w.Pod.Name != name || w.Pod.Namespace != namespace {
			continue
		}
		ns, sa := s.Policy.ServiceAccountOf(w)
		sub := serviceAccountSubject(ns, sa, groups)
		sub.Display = fmt.Sprintf("%s %s/%s (ServiceAccount %s/%s)", wkind, ns, name, ns, sa)
		sub.Token = &TokenInfo{Mounted: s.Policy.TokenMounted(w)}
		return sub, nil
	}
	return Subject{}, fmt.Errorf("no %s %s/%s in the manifests", wkind, namespace, name)
}

func serviceAccountSubject(ns, name string, groups []string) Subject {
	u := rbac.ServiceAccount(ns, name)
	u.Groups = append(u.Groups, groups...)
	return Subject{Display: "ServiceAccount " + ns + "/" + name, User: u, Kind: rbacv1.ServiceAccountKind, Name: u.Name, Groups: u.Groups}
}

// Permission is one rule a subject is given.
type Permission struct {
	// Namespace is where it applies; "*" for every namespace (a ClusterRoleBinding).
	Namespace       string   `json:"namespace"`
	Resources       []string `json:"resources,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	Verbs           []string `json:"verbs"`
	// GrantedBy is the binding, role and rule: "RoleBinding shop/edit -> ClusterRole edit
	// (ClusterRole system:aggregate-to-edit rules[3])".
	GrantedBy string `json:"grantedBy"`
	Default   bool   `json:"default,omitempty"`
}

// PermissionList is what Permissions returns.
type PermissionList struct {
	Subject Subject `json:"subject"`
	// Superuser is set for members of system:masters, who may do anything.
	Superuser   bool         `json:"superuser,omitempty"`
	Permissions []Permission `json:"permissions"`
	// Dangerous are the capabilities ringfence's RF-RBAC-02x rules look for that the
	// subject holds, with the bindings that give them.
	Dangerous []Danger     `json:"dangerous"`
	Errors    []load.Error `json:"errors"`
}

// Danger is one dangerous capability a subject holds.
type Danger struct {
	Capability string `json:"capability"`
	// Does says what it means: "can create pods or workloads".
	Does string `json:"does"`
	// GrantedBy names, per binding that gives it, the request it allows and the grant:
	// "create pods in namespace shop, through RoleBinding shop/edit -> ClusterRole edit ...".
	GrantedBy []string `json:"grantedBy"`
}

// Permissions lists every rule the subject is given, cluster-wide ones first.
func (s *Set) Permissions(sub Subject) PermissionList {
	out := PermissionList{Subject: sub, Superuser: rbac.Superuser(sub.User), Permissions: []Permission{}, Dangerous: []Danger{}, Errors: s.Errors}
	for _, h := range s.Policy.Holdings(sub.User, rbac.Capabilities()) {
		out.Dangerous = append(out.Dangerous, Danger{Capability: h.Capability.Name, Does: h.Capability.Does, GrantedBy: h.Reasons()})
	}
	for _, g := range s.Policy.Grants(sub.User) {
		p := Permission{
			Namespace:       cmp.Or(g.Namespace, "*"),
			Resources:       resources(g.Rule),
			NonResourceURLs: g.Rule.NonResourceURLs,
			ResourceNames:   g.Rule.ResourceNames,
			Verbs:           g.Rule.Verbs,
			GrantedBy:       g.Via(),
			Default:         g.Default,
		}
		if g.Namespace != "" && len(p.Resources) == 0 {
			continue // non-resource URLs granted in a namespace apply nowhere
		}
		out.Permissions = append(out.Permissions, p)
	}
	slices.SortStableFunc(out.Permissions, func(a, b Permission) int {
		return cmp.Or(cmp.Compare(rank(a.Namespace), rank(b.Namespace)), strings.Compare(a.Namespace, b.Namespace))
	})
	return out
}

// rank puts cluster-wide permissions first.
func rank(namespace string) int {
	if namespace == "*" {
		return 0
	}
	return 1
}

// resources writes a rule's resources as kubectl does: resource.group for each
// combination, the core group without suffix.
func resources(rule rbacv1.PolicyRule) []string {
	var out []string
	for _, g := range rule.APIGroups {
		for _, r := range rule.Resources {
			if g == "" {
				out = append(out, r)
			} else {
				res, sub, _ := strings.Cut(r, "/")
				name := res + "." + g
				if sub != "" {
					name += "/" + sub
				}
				out = append(out, name)
			}
		}
	}
	return out
}

// WhoCanResult is what WhoCan returns.
type WhoCanResult struct {
	Request  string       `json:"request"`
	Subjects []WhoCanRow  `json:"subjects"`
	Errors   []load.Error `json:"errors"`
	// Warnings are remarks about the request, such as a resource type that is not built
	// into Kubernetes.
	Warnings []string `json:"warnings,omitempty"`
}

// WhoCanRow is one subject that may make the request.
type WhoCanRow struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	GrantedBy string `json:"grantedBy"`
	Default   bool   `json:"default,omitempty"`
}

// WhoCan lists the subjects the bindings allow to make r; members of system:masters,
// who always may, are listed first.
func (s *Set) WhoCan(r rbac.Request) WhoCanResult {
	out := WhoCanResult{Request: r.String(), Errors: s.Errors}
	out.Subjects = append(out.Subjects, WhoCanRow{Kind: rbacv1.GroupKind, Name: rbac.SystemMasters, GrantedBy: "authorized before RBAC, whatever the bindings"})
	for _, sg := range s.Policy.WhoCan(r) {
		out.Subjects = append(out.Subjects, WhoCanRow{
			Kind: sg.Subject.Kind, Namespace: sg.Subject.Namespace, Name: sg.Subject.Name,
			GrantedBy: sg.Grant.Via(), Default: sg.Grant.Default,
		})
	}
	return out
}

// DefaultNamespace is the namespace requests and subjects are in when none is given.
const DefaultNamespace = workload.DefaultNamespace
