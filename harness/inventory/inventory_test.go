package inventory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

func TestBuild(t *testing.T) {
	b := NewBuilder()
	add := func(apiVersion, kind, ns, name string, obj map[string]any) {
		if obj == nil {
			obj = map[string]any{"kind": kind}
		}
		b.Add(apiVersion, kind, ns, name, obj, ast.MustInterfaceToValue(obj))
	}
	add("apps/v1", "Deployment", "shop", "web", nil)
	add("v1", "Service", "", "unnamespaced", nil)
	add("v1", "Namespace", "", "shop", nil)
	add("rbac.authorization.k8s.io/v1", "ClusterRole", "ignored", "admin", nil)
	add("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com", map[string]any{
		"spec": map[string]any{"group": "example.com", "scope": "Cluster", "names": map[string]any{"kind": "Widget"}},
	})
	add("example.com/v1", "Widget", "", "w1", nil)
	add("example.com/v1", "Gadget", "", "g1", nil)
	inv := b.Build()

	for _, path := range []string{
		`namespace.shop["apps/v1"].Deployment.web`,
		`namespace["default"].v1.Service.unnamespaced`,
		`cluster.v1.Namespace.shop`,
		`cluster["rbac.authorization.k8s.io/v1"].ClusterRole.admin`,
		`cluster["example.com/v1"].Widget.w1`,
		`namespace["default"]["example.com/v1"].Gadget.g1`,
	} {
		ref := ast.MustParseRef("x." + path)[1:]
		if _, err := inv.Find(ref); err != nil {
			t.Errorf("inventory has no %s", path)
		}
	}
}

func TestGroup(t *testing.T) {
	for in, want := range map[string]string{"v1": "", "apps/v1": "apps", "rbac.authorization.k8s.io/v1": "rbac.authorization.k8s.io"} {
		if got := Group(in); got != want {
			t.Errorf("Group(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIndex(t *testing.T) {
	b := NewBuilder()
	for _, ns := range []map[string]any{
		{"metadata": map[string]any{"name": "a", "labels": map[string]any{"env": "prod", "team": "x"}}},
		{"metadata": map[string]any{"name": "b", "labels": map[string]any{"env": "prod", "odd": 3}}},
		{"metadata": map[string]any{"name": "c", "labels": "not labels"}},
		{"metadata": map[string]any{"name": "a", "labels": map[string]any{"env": "dev"}}}, // replaces the first a
	} {
		name := ns["metadata"].(map[string]any)["name"].(string)
		b.Add("v1", "Namespace", "", name, ns, ast.MustInterfaceToValue(ns))
	}
	got, err := ast.JSON(b.Build().Get(ast.StringTerm("index")).Value)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"namespaces_by_label": map[string]any{
		"env": map[string]any{"prod": map[string]any{"b": true}, "dev": map[string]any{"a": true}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
	if NewBuilder().Build().Get(ast.StringTerm("index")) != nil {
		t.Error("an inventory without namespaces has an index")
	}
}
