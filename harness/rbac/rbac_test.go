package rbac_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/rbac"
)

func TestRuleAllows(t *testing.T) {
	rule := func(verbs, groups, resources, names []string) *rbacv1.PolicyRule {
		return &rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	s := func(v ...string) []string { return v }
	pods := rbac.Request{Verb: "get", Resource: "pods", Namespace: "shop"}
	exec := rbac.Request{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "shop"}
	scale := rbac.Request{Verb: "update", APIGroup: "apps", Resource: "deployments", Subresource: "scale", Name: "web"}
	tests := []struct {
		name string
		rule *rbacv1.PolicyRule
		req  rbac.Request
		want bool
	}{
		{"exact", rule(s("get"), s(""), s("pods"), nil), pods, true},
		{"verb wildcard", rule(s("*"), s(""), s("pods"), nil), pods, true},
		{"other verb", rule(s("list"), s(""), s("pods"), nil), pods, false},
		{"group wildcard", rule(s("get"), s("*"), s("pods"), nil), pods, true},
		{"other group", rule(s("get"), s("apps"), s("pods"), nil), pods, false},
		{"no groups", rule(s("get"), nil, s("pods"), nil), pods, false},
		{"resource wildcard covers subresources", rule(s("create"), s(""), s("*"), nil), exec, true},
		{"a resource does not cover its subresources", rule(s("create"), s(""), s("pods"), nil), exec, false},
		{"exact subresource", rule(s("create"), s(""), s("pods/exec"), nil), exec, true},
		{"*/subresource", rule(s("update"), s("apps"), s("*/scale"), nil), scale, true},
		{"*/other subresource", rule(s("update"), s("apps"), s("*/status"), nil), scale, false},
		{"*/subresource does not cover the resource", rule(s("get"), s(""), s("*/exec"), nil), pods, false},
		{"named object", rule(s("update"), s("apps"), s("deployments/scale"), s("web")), scale, true},
		{"other name", rule(s("update"), s("apps"), s("deployments/scale"), s("db")), scale, false},
		{"names do not cover unnamed requests", rule(s("get"), s(""), s("pods"), s("web")), pods, false},
		{"an empty name covers unnamed requests", rule(s("get"), s(""), s("pods"), s("")), pods, true},
		{"a verb named * is only matched by *", rule(s("get", "list"), s("*"), s("*"), nil), rbac.Request{Verb: "*", Resource: "*"}, false},
		{"non-resource exact", &rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/healthz")}, rbac.Request{Verb: "get", Path: "/healthz"}, true},
		{"non-resource prefix", &rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/healthz/*")}, rbac.Request{Verb: "get", Path: "/healthz/etcd"}, true},
		{"non-resource prefix needs the prefix", &rbacv1.PolicyRule{Verbs: s("get"), NonResourceURLs: s("/healthz/*")}, rbac.Request{Verb: "get", Path: "/healthz"}, false},
		{"non-resource wildcard", &rbacv1.PolicyRule{Verbs: s("*"), NonResourceURLs: s("*")}, rbac.Request{Verb: "post", Path: "/api"}, true},
		{"resource rule is not a URL rule", rule(s("*"), s("*"), s("*"), nil), rbac.Request{Verb: "get", Path: "/metrics"}, false},
		{"URL rule is not a resource rule", &rbacv1.PolicyRule{Verbs: s("*"), NonResourceURLs: s("*")}, pods, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rbac.RuleAllows(tt.rule, tt.req); got != tt.want {
				t.Errorf("RuleAllows(%+v, %s) = %v, want %v", *tt.rule, tt.req, got, tt.want)
			}
		})
	}
}

// objects parses a YAML list of manifests.
func objects(t *testing.T, src string) []map[string]any {
	t.Helper()
	var items []map[string]any
	if err := yaml.Unmarshal([]byte(src), &items); err != nil {
		t.Fatal(err)
	}
	return items
}

const policySet = `
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: pod-reader, labels: {team: red}}
  rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: secret-reader, labels: {team: blue}}
  rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: red-team, labels: {tier: top}}
  aggregationRule: {clusterRoleSelectors: [{matchLabels: {team: red}}]}
  rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: everyone}
  aggregationRule: {clusterRoleSelectors: [{matchLabels: {tier: top}}, {matchExpressions: [{key: team, operator: In, values: [blue]}]}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: deployer, namespace: shop}
  rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: deployer, namespace: shop}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
  subjects: [{kind: ServiceAccount, name: ci}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: readers, namespace: shop}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: red-team}
  subjects: [{kind: Group, name: "system:serviceaccounts:billing"}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: everyone}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everyone}
  subjects: [{kind: User, name: alice}, {kind: ServiceAccount, name: no-namespace}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: dangling}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
  subjects: [{kind: User, name: bob}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: role-in-cluster-binding}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
  subjects: [{kind: User, name: bob}]
`

func TestAuthorize(t *testing.T) {
	p, errs := rbac.New(objects(t, policySet), rbac.Options{NoDefaults: true})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	alice := rbac.User{Name: "alice"}
	bob := rbac.User{Name: "bob"}
	ci := rbac.ServiceAccount("shop", "ci")
	billing := rbac.ServiceAccount("billing", "worker")
	tests := []struct {
		name string
		user rbac.User
		req  rbac.Request
		want string // the grant's Via, or "" when denied
	}{
		{"aggregated twice", alice, rbac.Request{Verb: "list", Resource: "pods"},
			"ClusterRoleBinding everyone -> ClusterRole everyone (ClusterRole pod-reader rules[0])"},
		{"aggregated by expression", alice, rbac.Request{Verb: "get", Resource: "secrets", Namespace: "shop"},
			"ClusterRoleBinding everyone -> ClusterRole everyone (ClusterRole secret-reader rules[0])"},
		{"an aggregated role's own rules are replaced", alice, rbac.Request{Verb: "delete", Resource: "nodes"}, ""},
		{"role binding in its namespace", ci, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "shop"},
			"RoleBinding shop/deployer -> Role shop/deployer rules[0]"},
		{"role binding elsewhere", ci, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "billing"}, ""},
		{"role binding, all namespaces", ci, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments"}, ""},
		{"group of a namespace's service accounts", billing, rbac.Request{Verb: "get", Resource: "pods", Namespace: "shop"},
			"RoleBinding shop/readers -> ClusterRole red-team (ClusterRole pod-reader rules[0])"},
		{"a ClusterRole bound in a namespace stays there", billing, rbac.Request{Verb: "get", Resource: "pods", Namespace: "billing"}, ""},
		{"missing role", bob, rbac.Request{Verb: "get", Resource: "pods"}, ""},
		{"Role in a ClusterRoleBinding", bob, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}, ""},
		{"service account without namespace in a ClusterRoleBinding", rbac.ServiceAccount("default", "no-namespace"), rbac.Request{Verb: "list", Resource: "pods"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Authorize(tt.user, tt.req)
			got := ""
			if d.Allowed {
				got = d.Reason()
			}
			if got != tt.want {
				t.Errorf("Authorize(%s, %s) = %q, want %q", tt.user.Name, tt.req, got, tt.want)
			}
		})
	}
	if d := p.Authorize(rbac.User{Name: "root", Groups: []string{rbac.SystemMasters}}, rbac.Request{Verb: "delete", Resource: "nodes"}); !d.Allowed || !d.Superuser {
		t.Errorf("system:masters: %+v", d)
	}
}

func TestWhoCan(t *testing.T) {
	p, _ := rbac.New(objects(t, policySet), rbac.Options{NoDefaults: true})
	var got []string
	for _, sg := range p.WhoCan(rbac.Request{Verb: "get", Resource: "pods", Namespace: "shop"}) {
		got = append(got, sg.Subject.Kind+" "+sg.Subject.Namespace+"/"+sg.Subject.Name+" via "+sg.Grant.Binding.String())
	}
	want := []string{
		"Group /system:serviceaccounts:billing via RoleBinding shop/readers",
		"User /alice via ClusterRoleBinding everyone",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WhoCan (-want +got):\n%s", diff)
	}
}

func TestDefaultsAndOverrides(t *testing.T) {
	p, errs := rbac.New(objects(t, `
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: edit, namespace: shop}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
  subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
`), rbac.Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	defaults, err := rbac.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if len(defaults) < 50 {
		t.Fatalf("default policy has %d objects", len(defaults))
	}
	ci := rbac.ServiceAccount("shop", "ci")
	if d := p.Authorize(ci, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}); !d.Allowed {
		t.Errorf("edit should let ci create deployments: %s", d.Reason())
	}
	if d := p.Authorize(ci, rbac.Request{Verb: "create", Resource: "selfsubjectaccessreviews", APIGroup: "authorization.k8s.io"}); !d.Allowed || !d.Grant.Default {
		t.Errorf("system:basic-user should let every authenticated user review itself: %+v", d)
	}
	// A scanned ClusterRole of the same name replaces the default one.
	p, _ = rbac.New(objects(t, `
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: edit}
  rules: []
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: edit, namespace: shop}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
  subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
`), rbac.Options{})
	if d := p.Authorize(ci, rbac.Request{Verb: "create", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}); d.Allowed {
		t.Errorf("the scanned edit role grants nothing, but: %s", d.Reason())
	}
}

func TestBadObjects(t *testing.T) {
	_, errs := rbac.New(objects(t, `
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: bad}
  rules: "everything"
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: bad-selector}
  aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: Sideways}]}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: ok}
  roleRef: {kind: ClusterRole, name: view}
`), rbac.Options{NoDefaults: true})
	var got []int
	for _, e := range errs {
		got = append(got, e.Index)
	}
	if diff := cmp.Diff([]int{0, 1}, got); diff != "" {
		t.Errorf("errors at (-want +got):\n%s\n%v", diff, errs)
	}
}
