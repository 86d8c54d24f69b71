package gatekeeper

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/policies"
)

var (
	exportOnce   sync.Once
	exported     *Bundle
	exportErr    error
	embeddedOnce sync.Once
	embedded     []catalog.Rule
)

// sharedExport exports the embedded rules without tests once for the package's tests.
func sharedExport(t *testing.T) *Bundle {
	t.Helper()
	exportOnce.Do(func() { exported, exportErr = Export(context.Background(), nil, nil) })
	if exportErr != nil {
		t.Fatalf("Export: %v", exportErr)
	}
	return exported
}

func rule(t *testing.T, id string) catalog.Rule {
	t.Helper()
	embeddedOnce.Do(func() {
		c, err := harness.Compile(policies.FS)
		if err == nil {
			embedded, err = catalog.FromCompiler(c)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	i := slices.IndexFunc(embedded, func(r catalog.Rule) bool { return r.ID == id })
	if i < 0 {
		t.Fatalf("no rule %s", id)
	}
	return embedded[i]
}

// decode reads a generated YAML file (one document) as a map.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("generated YAML does not parse: %v\n%s", err, data)
	}
	return m
}

func TestNames(t *testing.T) {
	tests := []struct {
		id, kind, template, constraint, file string
	}{
		{"RF-NET-003", "RingfenceNetworkNamespaceDefaultDeny", "ringfencenetworknamespacedefaultdeny", "rf-net-003", "rf-net-003-namespace-default-deny.yaml"},
		{"RF-POD-001", "RingfencePodPrivileged", "ringfencepodprivileged", "rf-pod-001", "rf-pod-001-privileged.yaml"},
		{"RF-EXP-002", "RingfenceExposureLbSourceRanges", "ringfenceexposurelbsourceranges", "rf-exp-002", "rf-exp-002-lb-source-ranges.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r := rule(t, tt.id)
			got := []string{Kind(r), TemplateName(r), ConstraintName(r), fileName(r)}
			if diff := cmp.Diff([]string{tt.kind, tt.template, tt.constraint, tt.file}, got); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParameterSchema(t *testing.T) {
	pods := []catalog.Kind{{APIVersion: "apps/v1", Kind: "DaemonSet"}}
	tests := []struct {
		name    string
		params  []catalog.Parameter
		kinds   []catalog.Kind
		want    map[string]any
		wantErr string
	}{
		{name: "none", want: map[string]any{"type": "object", "properties": map[string]any{}}},
		{name: "pod specs: exemptImages", kinds: pods, want: map[string]any{"type": "object", "properties": map[string]any{
			"exemptImages": map[string]any{"type": "array", "description": exemptImagesDescription, "items": map[string]any{"type": "string"}},
		}}},
		{name: "another group's DaemonSet", kinds: []catalog.Kind{{APIVersion: "example.com/v1", Kind: "DaemonSet"}},
			want: map[string]any{"type": "object", "properties": map[string]any{}}},
		{name: "array of integers", params: []catalog.Parameter{{Name: "ports", Type: "array", Items: "integer", Description: "ports"}},
			want: map[string]any{"type": "object", "properties": map[string]any{
				"ports": map[string]any{"type": "array", "description": "ports", "items": map[string]any{"type": "integer"}},
			}}},
		{name: "string and object", params: []catalog.Parameter{
			{Name: "mode", Type: "string", Description: "mode"},
			{Name: "extra", Type: "object", Description: "extra"},
		}, want: map[string]any{"type": "object", "properties": map[string]any{
			"mode":  map[string]any{"type": "string", "description": "mode"},
			"extra": map[string]any{"type": "object", "description": "extra", "x-kubernetes-preserve-unknown-fields": true},
		}}},
		{name: "array of objects", params: []catalog.Parameter{{Name: "rules", Type: "array", Items: "object", Description: "rules"}},
			want: map[string]any{"type": "object", "properties": map[string]any{
				"rules": map[string]any{"type": "array", "description": "rules", "items": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
			}}},
		{name: "array without items", params: []catalog.Parameter{{Name: "ports", Type: "array", Description: "ports"}},
			wantErr: "rule RF-POD-900: parameter ports is an array without items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parameterSchema(catalog.Rule{ID: "RF-POD-900", Parameters: tt.params, Kinds: tt.kinds})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEmbeddedParameterSchemas: every parameter of the embedded rules gets a schema its
// default satisfies, as Gatekeeper checks constraints against it.
func TestEmbeddedParameterSchemas(t *testing.T) {
	for _, re := range sharedExport(t).Rules {
		r := rule(t, re.ID)
		schema, err := parameterSchema(r)
		if err != nil {
			t.Errorf("%s: %v", r.ID, err)
			continue
		}
		props := schema["properties"].(map[string]any)
		for _, p := range r.Parameters {
			s := props[p.Name].(map[string]any)
			if p.Type != "array" {
				if !jsonType(p.Default, s["type"].(string)) {
					t.Errorf("%s: default of %s is %v, not of type %v", r.ID, p.Name, p.Default, s["type"])
				}
				continue
			}
			items, _ := s["items"].(map[string]any)
			for _, v := range p.Default.([]any) {
				if !jsonType(v, items["type"].(string)) {
					t.Errorf("%s: default of %s has %v, not of type %v", r.ID, p.Name, v, items["type"])
				}
			}
		}
	}
}

func jsonType(v any, typ string) bool {
	switch x := v.(type) {
	case string:
		return typ == "string"
	case float64:
		return typ == "number" || typ == "integer" && x == float64(int64(x))
	case bool:
		return typ == "boolean"
	}
	return false
}

func TestSyncRequirements(t *testing.T) {
	tests := []struct {
		sync []catalog.Kind
		want string
	}{
		{[]catalog.Kind{{APIVersion: "v1", Kind: "ServiceAccount"}},
			`"[[{"groups":[""],"versions":["v1"],"kinds":["ServiceAccount"]}]]"`},
		// Versions of one kind are alternatives; different kinds are all required.
		{[]catalog.Kind{{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}, {APIVersion: "v1", Kind: "Service"}, {APIVersion: "extensions/v1beta1", Kind: "NetworkPolicy"}},
			`"[[{"groups":["networking.k8s.io"],"versions":["v1"],"kinds":["NetworkPolicy"]},{"groups":["extensions"],"versions":["v1beta1"],"kinds":["NetworkPolicy"]}],` +
				`[{"groups":[""],"versions":["v1"],"kinds":["Service"]}]]"`},
	}
	for _, tt := range tests {
		got, err := syncRequirements(catalog.Rule{ID: "RF-NET-900", Inventory: true, Sync: tt.sync})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("annotation (-want +got):\n%s", diff)
		}
		// Gatekeeper trims the quotes and decodes the rest strictly.
		var reqs [][]struct{ Groups, Versions, Kinds []string }
		dec := json.NewDecoder(strings.NewReader(strings.Trim(got, "\n\"")))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&reqs); err != nil {
			t.Errorf("annotation does not decode as Gatekeeper reads it: %v", err)
		}
	}
}

func TestMatchKinds(t *testing.T) {
	r := rule(t, "RF-NET-001")
	want := []kindMatch{
		{APIGroups: []string{""}, Kinds: []string{"Pod", "PodTemplate", "ReplicationController"}},
		{APIGroups: []string{"apps"}, Kinds: []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}},
		{APIGroups: []string{"extensions"}, Kinds: []string{"Deployment", "DaemonSet", "ReplicaSet"}},
		{APIGroups: []string{"batch"}, Kinds: []string{"Job", "CronJob"}},
	}
	if diff := cmp.Diff(want, matchKinds(r)); diff != "" {
		t.Errorf("match kinds (-want +got):\n%s", diff)
	}
	tests := []struct {
		apiVersion, kind string
		want             bool
	}{
		{"apps/v1", "Deployment", true},
		{"v1", "Pod", true},
		{"batch/v1", "CronJob", true},
		{"extensions/v1beta1", "Deployment", true},
		{"example.com/v1", "Deployment", false}, // a group the METADATA does not declare
		{"v1", "Deployment", false},
		{"apps/v1", "Service", false},
	}
	for _, tt := range tests {
		if got := matches(r, map[string]any{"apiVersion": tt.apiVersion, "kind": tt.kind}); got != tt.want {
			t.Errorf("matches(%s %s) = %v, want %v", tt.apiVersion, tt.kind, got, tt.want)
		}
	}
}

// TestAdmitted: case objects are what Gatekeeper sees once the API server stored them.
func TestAdmitted(t *testing.T) {
	crd := map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"spec": map[string]any{"group": "example.com", "scope": "Cluster", "names": map[string]any{"kind": "Widget"}}}
	scope := inventory.NewBuilder()
	scope.Add("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets", crd, nil)
	obj := func(apiVersion, kind string, meta any) map[string]any {
		return map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
	}
	tests := []struct {
		name    string
		in      map[string]any
		want    map[string]any
		adapted bool
	}{
		{"namespaced without a namespace lands in default",
			obj("apps/v1", "Deployment", map[string]any{"name": "web"}),
			obj("apps/v1", "Deployment", map[string]any{"name": "web", "namespace": "default"}), true},
		{"an empty namespace too",
			obj("v1", "Pod", map[string]any{"name": "p", "namespace": ""}),
			obj("v1", "Pod", map[string]any{"name": "p", "namespace": "default"}), true},
		{"a written namespace stays",
			obj("v1", "Pod", map[string]any{"name": "p", "namespace": "shop"}),
			obj("v1", "Pod", map[string]any{"name": "p", "namespace": "shop"}), false},
		{"cluster-scoped objects lose theirs",
			obj("rbac.authorization.k8s.io/v1", "ClusterRole", map[string]any{"name": "r", "namespace": "shop"}),
			obj("rbac.authorization.k8s.io/v1", "ClusterRole", map[string]any{"name": "r"}), true},
		{"a Namespace has none",
			obj("v1", "Namespace", map[string]any{"name": "shop"}),
			obj("v1", "Namespace", map[string]any{"name": "shop"}), false},
		{"a cluster-scoped custom kind",
			obj("example.com/v1", "Widget", map[string]any{"name": "w", "namespace": "x"}),
			obj("example.com/v1", "Widget", map[string]any{"name": "w"}), true},
		{"metadata that is not an object",
			obj("v1", "Pod", "odd"), obj("v1", "Pod", "odd"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, adapted := admitted(tt.in, scope)
			if diff := cmp.Diff(tt.want, got); diff != "" || adapted != tt.adapted {
				t.Errorf("admitted (adapted %v, want %v) (-want +got):\n%s", adapted, tt.adapted, diff)
			}
			if after, _ := json.Marshal(tt.in); string(after) != string(raw) {
				t.Errorf("admitted changed its input: %s", after)
			}
		})
	}
}

// TestExportedTemplates checks every template and constraint of the embedded rules: the
// Rego parses as v1 and loads as Gatekeeper (OPA v1.17.1) would, names and kinds agree,
// constraints carry the default parameters, and the kustomization and sync config
// cover everything.
func TestExportedTemplates(t *testing.T) {
	b := sharedExport(t)
	caps, err := ast.LoadCapabilitiesVersion(GatekeeperOPA)
	if err != nil {
		t.Fatal(err)
	}
	var resources []string
	syncKinds := map[string]bool{}
	for _, re := range b.Rules {
		r := rule(t, re.ID)
		tmpl := decode(t, b.Files[re.Template])
		spec := tmpl["spec"].(map[string]any)
		src := spec["targets"].([]any)[0].(map[string]any)["code"].([]any)[0].(map[string]any)["source"].(map[string]any)
		if src["version"] != "v1" {
			t.Errorf("%s: Rego version %v, want v1", r.ID, src["version"])
		}
		entry := src["rego"].(string)
		var libs []string
		for _, l := range src["libs"].([]any) {
			libs = append(libs, l.(string))
		}
		for _, m := range append([]string{entry}, libs...) {
			if _, err := ast.ParseModuleWithOpts("m.rego", m, ast.ParserOptions{RegoVersion: ast.RegoV1}); err != nil {
				t.Errorf("%s: a module does not parse as Rego v1: %v", r.ID, err)
			}
		}
		if err := CheckTemplateRego(entry, libs, caps); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		meta := tmpl["metadata"].(map[string]any)
		annotations := meta["annotations"].(map[string]any)
		kind := spec["crd"].(map[string]any)["spec"].(map[string]any)["names"].(map[string]any)["kind"]
		if meta["name"] != strings.ToLower(re.Kind) || kind != re.Kind || annotations[annotationRule] != r.ID ||
			annotations[annotationSeverity] != r.Severity || annotations[annotationTitle] != r.Title {
			t.Errorf("%s: template metadata %v, kind %v", r.ID, meta, kind)
		}
		if _, ok := annotations[SyncAnnotation]; ok != r.Inventory {
			t.Errorf("%s: sync annotation present %v, want %v (inventory rule)", r.ID, ok, r.Inventory)
		}

		c := decode(t, b.Files[re.Constraint])
		cspec := c["spec"].(map[string]any)
		wantAction := "deny"
		if r.Inventory {
			wantAction = "warn"
		}
		if c["kind"] != re.Kind || c["apiVersion"] != constraintAPIVersion || cspec["enforcementAction"] != wantAction {
			t.Errorf("%s: constraint %v", r.ID, c)
		}
		wantParams := any(nil)
		if d := defaults(r); d != nil {
			wantParams = any(d)
		}
		if diff := cmp.Diff(wantParams, cspec["parameters"]); diff != "" {
			t.Errorf("%s: constraint parameters (-want +got):\n%s", r.ID, diff)
		}
		resources = append(resources, re.Template)
		for _, k := range r.Sync {
			syncKinds[inventory.Group(k.APIVersion)+"/"+version(k.APIVersion)+"/"+k.Kind] = true
		}
	}
	for _, re := range b.Rules {
		resources = append(resources, re.Constraint)
	}
	resources = append(resources, SyncConfigFile)
	k := decode(t, b.Files[KustomizationFile])
	var got []string
	for _, r := range k["resources"].([]any) {
		got = append(got, r.(string))
		if _, ok := b.Files[r.(string)]; !ok {
			t.Errorf("kustomization lists %s, which the export does not hold", r)
		}
	}
	if diff := cmp.Diff(resources, got); diff != "" {
		t.Errorf("kustomization resources (-want +got):\n%s", diff)
	}
	cfg := decode(t, b.Files[SyncConfigFile])
	for _, e := range cfg["spec"].(map[string]any)["sync"].(map[string]any)["syncOnly"].([]any) {
		m := e.(map[string]any)
		key := m["group"].(string) + "/" + m["version"].(string) + "/" + m["kind"].(string)
		if !syncKinds[key] {
			t.Errorf("sync config lists %s, which no rule reads", key)
		}
		delete(syncKinds, key)
	}
	if len(syncKinds) > 0 {
		t.Errorf("sync config misses %v", syncKinds)
	}
	if len(b.Rules) == 0 {
		t.Fatal("no rules exported")
	}
	if slices.ContainsFunc(slices.Collect(maps.Keys(b.Files)), func(f string) bool { return strings.HasPrefix(f, "tests/") }) {
		t.Error("an export without fixtures has tests")
	}
}

// suiteFixtures are fixtures for two rules: RF-NET-004 with a parameters line, and the
// cross-object RF-NET-001 with an object outside the constraint's match and a namespace to
// fill in.
var suiteFixtures = fstest.MapFS{
	"RF-NET-004/fire-custom.yaml": {Data: []byte(`# parameters: {"allowed_ports": [443]}
# expect: NetworkPolicy shop/dns: egress rule 0 has no to, so it allows traffic to any destination, the internet included
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: shop}
spec:
  policyTypes: [Egress]
  egress:
    - ports: [{port: 53, protocol: UDP}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated, namespace: shop}
`)},
	"RF-NET-001/fire-alone.yaml": {Data: []byte(`# expect: Deployment default/web: no NetworkPolicy in namespace "default" in the scanned set selects its pods for ingress and no Cilium policy puts them into default deny for ingress, so they accept traffic from any source
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: x}]
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: old, namespace: shop}
spec:
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: app, image: x}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: other-app}
spec:
  podSelector: {matchLabels: {app: other}}
`)},
	"RF-NET-001/README.md": {Data: []byte("not a fixture")},
}

func TestSuites(t *testing.T) {
	ctx := context.Background()
	c, err := harness.Compile(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := catalog.FromCompiler(c)
	if err != nil {
		t.Fatal(err)
	}
	x := &exporter{policies: policies.FS, fixtures: suiteFixtures, engines: map[string]*harness.Engine{}}
	b := &Bundle{Files: map[string][]byte{}}

	net004 := rules[slices.IndexFunc(rules, func(r catalog.Rule) bool { return r.ID == "RF-NET-004" })]
	re := RuleExport{ID: net004.ID, Template: "templates/t4.yaml", Constraint: "constraints/c4.yaml"}
	if err := x.suite(ctx, b, net004, &re); err != nil {
		t.Fatal(err)
	}
	msg := `^NetworkPolicy shop/dns: egress rule 0 has no to, so it allows traffic to any destination, the internet included$`
	want := map[string]any{
		"apiVersion": suiteAPIVersion, "kind": "Suite", "metadata": map[string]any{"name": "rf-net-004"},
		"tests": []any{map[string]any{
			"name": "fire-custom", "template": "../../templates/t4.yaml", "constraint": "constraint-fire-custom.yaml",
			"cases": []any{map[string]any{
				"name": "1 networking.k8s.io/v1 NetworkPolicy shop/dns", "object": "fire-custom/01-networkpolicy-dns.yaml",
				"assertions": []any{map[string]any{"violations": float64(1)}, map[string]any{"violations": float64(1), "message": msg}},
			}},
		}},
	}
	if diff := cmp.Diff(want, decode(t, b.Files["tests/rf-net-004/suite.yaml"])); diff != "" {
		t.Errorf("RF-NET-004 suite (-want +got):\n%s", diff)
	}
	variant := decode(t, b.Files["tests/rf-net-004/constraint-fire-custom.yaml"])
	if diff := cmp.Diff(map[string]any{"allowed_ports": []any{float64(443)}}, variant["spec"].(map[string]any)["parameters"]); diff != "" {
		t.Errorf("constraint variant parameters (-want +got):\n%s", diff)
	}
	if re.Fixtures != 1 || re.Cases != 1 || re.Violations != 1 {
		t.Errorf("RF-NET-004 export = %+v", re)
	}

	net001 := rules[slices.IndexFunc(rules, func(r catalog.Rule) bool { return r.ID == "RF-NET-001" })]
	re = RuleExport{ID: net001.ID, Template: "templates/t1.yaml", Constraint: "constraints/c1.yaml"}
	if err := x.suite(ctx, b, net001, &re); err != nil {
		t.Fatal(err)
	}
	suite := decode(t, b.Files["tests/rf-net-001/suite.yaml"])
	test := suite["tests"].([]any)[0].(map[string]any)
	if test["constraint"] != "../../constraints/c1.yaml" {
		t.Errorf("a fixture without parameters uses the exported constraint, not %v", test["constraint"])
	}
	cases := test["cases"].([]any)
	if len(cases) != 1 {
		t.Fatalf("got %d cases, want the apps/v1 Deployment only: %v", len(cases), cases)
	}
	c0 := cases[0].(map[string]any)
	wantMsg := `^Deployment default/web: no NetworkPolicy in namespace "default" in the scanned set selects its pods for ingress and no Cilium policy puts them into default deny for ingress, so they accept traffic from any source$`
	if diff := cmp.Diff(map[string]any{
		"name": "1 apps/v1 Deployment default/web", "object": "fire-alone/01-deployment-web.yaml",
		"inventory":  []any{"fire-alone/inventory.yaml"},
		"assertions": []any{map[string]any{"violations": float64(1)}, map[string]any{"violations": float64(1), "message": wantMsg}},
	}, c0); diff != "" {
		t.Errorf("RF-NET-001 case (-want +got):\n%s", diff)
	}
	obj := decode(t, b.Files["tests/rf-net-001/fire-alone/01-deployment-web.yaml"])
	if ns := obj["metadata"].(map[string]any)["namespace"]; ns != "default" {
		t.Errorf("case object namespace = %v, want default", ns)
	}
	inv := string(b.Files["tests/rf-net-001/fire-alone/inventory.yaml"])
	if !strings.Contains(inv, "name: other-app\n  namespace: default\n") || strings.Contains(inv, "kind: Deployment") {
		t.Errorf("inventory should hold the NetworkPolicy, in default, and no Deployment:\n%s", inv)
	}
	// A Deployment of another API group: the library dispatches to the rule by kind name,
	// whose guard rejects the group; the constraint does not match it at all.
	wantOnly := []LibraryOnly{{Fixture: "RF-NET-001/fire-alone.yaml", Object: "example.com/v1 Deployment shop/old", Findings: 0}}
	if diff := cmp.Diff(wantOnly, re.LibraryOnly); diff != "" {
		t.Errorf("library-only objects (-want +got):\n%s", diff)
	}
	if re.Adapted != 2 {
		t.Errorf("adapted %d objects, want 2 (the Deployment and the NetworkPolicy without a namespace)", re.Adapted)
	}
}

func TestSuitesNeedFixtures(t *testing.T) {
	_, err := Export(context.Background(), nil, fstest.MapFS{"RF-POD-001/pass-x.yaml": {Data: []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")}})
	if err == nil || !strings.Contains(err.Error(), "rule RF-EXP-001 has no fixtures") {
		t.Errorf("error = %v, want one naming the rule without fixtures", err)
	}
}

func TestWrite(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "out")
	b := &Bundle{Files: map[string][]byte{"templates/a.yaml": []byte("a"), markerFile: []byte("m"), KustomizationFile: []byte("k")}}
	if err := b.Write(ctx, dir); err != nil {
		t.Fatal(err)
	}
	// A later export replaces the earlier one: a file it no longer makes is gone.
	b2 := &Bundle{Files: map[string][]byte{"templates/b.yaml": []byte("b"), markerFile: []byte("m")}}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b2.Write(ctx, dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"templates/a.yaml": false, "templates/b.yaml": true, KustomizationFile: false, "notes.txt": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
	// A directory that holds something else is left alone.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "main.go"), []byte("package main"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, other); err == nil || !strings.Contains(err.Error(), "holds no previous export") {
		t.Errorf("writing into a foreign directory: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Write(cancelled, t.TempDir()); err == nil {
		t.Error("Write ignores a cancelled context")
	}
}
