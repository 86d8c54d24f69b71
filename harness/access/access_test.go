package access_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/access"
	"github.com/ringfence/ringfence/harness/rbac"
)

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: app, image: app:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
---
this: [is not
`

func load(t *testing.T, opts access.Options) *access.Set {
	t.Helper()
	return access.Load(context.Background(), []string{"-"}, strings.NewReader(manifests), opts)
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		args     access.RequestArgs
		want     rbac.Request
		warnings int
	}{
		{access.RequestArgs{Verb: "get", Target: "pods", Namespace: "shop"}, rbac.Request{Verb: "get", Resource: "pods", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "get", Target: "po/web", Namespace: "shop"}, rbac.Request{Verb: "get", Resource: "pods", Name: "web", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "create", Target: "pod", Subresource: "exec", AllNamespaces: true, Namespace: "shop"}, rbac.Request{Verb: "create", Resource: "pods", Subresource: "exec"}, 0},
		{access.RequestArgs{Verb: "update", Target: "deploy", Namespace: "shop"}, rbac.Request{Verb: "update", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "update", Target: "deployments.apps", Namespace: "shop"}, rbac.Request{Verb: "update", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "update", Target: "Deployment.v1.apps", Namespace: "shop"}, rbac.Request{Verb: "update", APIGroup: "apps", Resource: "deployments", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "get", Target: "nodes", Namespace: "shop"}, rbac.Request{Verb: "get", Resource: "nodes"}, 0},
		{access.RequestArgs{Verb: "escalate", Target: "clusterroles", Namespace: "shop"}, rbac.Request{Verb: "escalate", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"}, 0},
		{access.RequestArgs{Verb: "get", Target: "/metrics", Namespace: "shop"}, rbac.Request{Verb: "get", Path: "/metrics"}, 0},
		{access.RequestArgs{Verb: "*", Target: "*", Namespace: "shop"}, rbac.Request{Verb: "*", Resource: "*", APIGroup: "*", Namespace: "shop"}, 0},
		{access.RequestArgs{Verb: "list", Target: "widgets.example.com", Namespace: "shop"}, rbac.Request{Verb: "list", Resource: "widgets", APIGroup: "example.com", Namespace: "shop"}, 1},
	}
	for _, tt := range tests {
		got, warnings, err := access.ParseRequest(tt.args)
		if err != nil {
			t.Errorf("%+v: %v", tt.args, err)
			continue
		}
		if got != tt.want || len(warnings) != tt.warnings {
			t.Errorf("%+v: got %+v with warnings %q, want %+v with %d", tt.args, got, warnings, tt.want, tt.warnings)
		}
	}
	for _, bad := range []access.RequestArgs{{Verb: "", Target: "pods"}, {Verb: "get", Target: "/x", Subresource: "log"}, {Verb: "get", Target: ""}} {
		if _, _, err := access.ParseRequest(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestWhoCan(t *testing.T) {
	set := load(t, access.Options{})
	if len(set.Errors) != 1 || set.Errors[0].Document != 5 {
		t.Fatalf("want one error, for document 5: %v", set.Errors)
	}
	req, _, err := access.ParseRequest(access.RequestArgs{Verb: "create", Target: "pods", Namespace: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	res := set.WhoCan(req)
	var got []string
	for _, s := range res.Subjects {
		if !s.Default {
			got = append(got, s.Kind+" "+s.Namespace+"/"+s.Name+": "+s.GrantedBy)
		}
	}
	want := []string{
		"Group /system:masters: authorized before RBAC, whatever the bindings",
		"ServiceAccount shop/web: RoleBinding shop/web-edit -> ClusterRole edit (ClusterRole system:aggregate-to-edit rules[2])",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("who can create pods in shop (-want +got):\n%s", diff)
	}
	var text bytes.Buffer
	if err := access.WriteWhoCan(&text, res, "text"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Who can create pods in namespace shop:", "ServiceAccount shop/web", "1 errors:", "document 5"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text output lacks %q:\n%s", s, text.String())
		}
	}
}

func TestPermissions(t *testing.T) {
	set := load(t, access.Options{NoDefaults: true})
	sub, err := set.ResolveSubject("deploy/web", "shop", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Token == nil || sub.Token.Mounted {
		t.Errorf("the ServiceAccount opts out of the token: %+v", sub.Token)
	}
	list := set.Permissions(sub)
	// Without the default policy, edit is not there: the binding grants nothing.
	if len(list.Permissions) != 0 {
		t.Errorf("without the default policy: %+v", list.Permissions)
	}
	set = load(t, access.Options{})
	sub, err = set.ResolveSubject("deploy/web", "shop", nil)
	if err != nil {
		t.Fatal(err)
	}
	var dangers []string
	for _, d := range set.Permissions(sub).Dangerous {
		dangers = append(dangers, d.Capability+": "+strings.Join(d.GrantedBy, "; "))
	}
	wantDangers := []string{
		"create-workloads: create pods in namespace shop, through RoleBinding shop/web-edit -> ClusterRole edit (ClusterRole system:aggregate-to-edit rules[2])",
		"exec: get pods/exec in namespace shop, through RoleBinding shop/web-edit -> ClusterRole edit (ClusterRole system:aggregate-to-edit rules[0])",
		"escalate: impersonate serviceaccounts in namespace shop, through RoleBinding shop/web-edit -> ClusterRole edit (ClusterRole system:aggregate-to-edit rules[1])",
	}
	if diff := cmp.Diff(wantDangers, dangers); diff != "" {
		t.Errorf("dangerous capabilities of edit in shop (-want +got):\n%s", diff)
	}
	sub, err = set.ResolveSubject("user/carol", "shop", []string{"ops"})
	if err != nil {
		t.Fatal(err)
	}
	list = set.Permissions(sub)
	var b bytes.Buffer
	if err := access.WritePermissions(&b, list, "json"); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Permissions []access.Permission
	}
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range decoded.Permissions {
		if p.GrantedBy == "ClusterRoleBinding ops-nodes -> ClusterRole node-reader rules[0]" {
			found = cmp.Equal(p, access.Permission{Namespace: "*", Resources: []string{"nodes"}, Verbs: []string{"get", "list"}, GrantedBy: p.GrantedBy})
		}
	}
	if !found {
		t.Errorf("carol in ops should read nodes: %s", b.String())
	}
	for _, bad := range []string{"web", "deployment/missing", "robot/r2", "system:serviceaccount:only-namespace"} {
		if _, err := set.ResolveSubject(bad, "shop", nil); err == nil {
			t.Errorf("ResolveSubject(%q): no error", bad)
		}
	}
	if sub, err := set.ResolveSubject("system:serviceaccount:kube-system:coredns", "shop", nil); err != nil || sub.Display != "ServiceAccount kube-system/coredns" {
		t.Errorf("service account user name: %+v, %v", sub, err)
	}
}
