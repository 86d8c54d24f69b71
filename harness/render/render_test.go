package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"

	"github.com/ringfence/ringfence/harness/load"
)

// where is what the tests compare of an object: kind/name, the file and place it is
// located at, and where it sits in the rendered output.
func where(d load.Document) string {
	s := d.Source
	out := fmt.Sprintf("%s/%s %s doc=%d line=%d", d.Object["kind"], objectName(d.Object), s.File, s.Document, s.Line)
	if r := s.Rendered; r != nil {
		out += fmt.Sprintf(" <- %s %s doc=%d line=%d", r.By, r.From, r.Document, r.Line)
	}
	return out
}

func wheres(res load.Result) []string {
	var out []string
	for _, d := range res.Documents {
		out = append(out, where(d))
	}
	return out
}

func mustNew(t *testing.T, opts Options) *Renderer {
	t.Helper()
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChart(t *testing.T) {
	chart := load.Unit{Path: "testdata/shop-chart", Kind: load.Chart}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{
			name: "the chart's own values: the cache subchart is off, hooks are rendered",
			want: []string{
				"ServiceAccount/release-name-web testdata/shop-chart/templates/web.yaml doc=0 line=1 <- helm testdata/shop-chart doc=0 line=3",
				"Service/release-name-web testdata/shop-chart/templates/service.yaml doc=0 line=1 <- helm testdata/shop-chart doc=1 line=13",
				// The second document of web.yaml: its line counts through the template's output.
				"Deployment/release-name-web testdata/shop-chart/templates/web.yaml doc=1 line=11 <- helm testdata/shop-chart doc=2 line=28",
				"Pod/release-name-smoke-test testdata/shop-chart/templates/smoke-test.yaml doc=0 line=1 <- helm testdata/shop-chart doc=3 line=58",
			},
		},
		{
			name: "a values file turns the vendored subchart on; the release name is ours",
			opts: Options{Values: []string{"testdata/shop-chart/values-prod.yaml"}, ReleaseName: "shop"},
			want: []string{
				"ServiceAccount/shop-web testdata/shop-chart/templates/web.yaml doc=0 line=1 <- helm testdata/shop-chart doc=0 line=3",
				"Service/shop-web testdata/shop-chart/templates/service.yaml doc=0 line=1 <- helm testdata/shop-chart doc=1 line=13",
				"Deployment/shop-web testdata/shop-chart/templates/web.yaml doc=1 line=11 <- helm testdata/shop-chart doc=2 line=28",
				"StatefulSet/shop-cache testdata/shop-chart/charts/cache/templates/cache.yaml doc=0 line=1 <- helm testdata/shop-chart doc=3 line=59",
				"Pod/shop-smoke-test testdata/shop-chart/templates/smoke-test.yaml doc=0 line=1 <- helm testdata/shop-chart doc=4 line=78",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustNew(t, tt.opts).Render(t.Context(), chart)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if diff := cmp.Diff(tt.want, wheres(res)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChartValues checks that values reach the templates as helm template passes them:
// --set over values files over the chart's values, --set-string, the release's
// namespace and the Kubernetes version in .Capabilities.
func TestChartValues(t *testing.T) {
	chart := load.Unit{Path: "testdata/shop-chart", Kind: load.Chart}
	r := mustNew(t, Options{
		Values:      []string{"testdata/shop-chart/values-prod.yaml"},
		Set:         []string{"replicas=5", "privileged=true"},
		SetString:   []string{"image=1234"},
		Namespace:   "shop",
		KubeVersion: "1.29.0",
	})
	res := r.Render(t.Context(), chart)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	byKind := map[string]map[string]any{}
	for _, d := range res.Documents {
		byKind[d.Object["kind"].(string)] = d.Object
	}
	dep := byKind["Deployment"]
	spec := dep["spec"].(map[string]any)
	container := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	got := fmt.Sprint(spec["replicas"], " ", container["image"], " ", container["securityContext"])
	if want := "5 1234 map[privileged:true]"; got != want {
		t.Errorf("replicas, image, securityContext = %q, want %q", got, want)
	}
	if svc := byKind["Service"]["spec"].(map[string]any); svc["type"] != "NodePort" {
		t.Errorf("service type %v, want NodePort from values-prod.yaml", svc["type"])
	}
	// The subchart adds allowPrivilegeEscalation below Kubernetes 1.30 only.
	if !strings.Contains(fmt.Sprint(byKind["StatefulSet"]), "allowPrivilegeEscalation:true") {
		t.Errorf("--kube-version 1.29.0 did not reach .Capabilities: %v", byKind["StatefulSet"])
	}
	// Helm leaves metadata.namespace to the templates: the release namespace is only
	// .Release.Namespace, which these templates do not use.
	if _, ok := dep["metadata"].(map[string]any)["namespace"]; ok {
		t.Errorf("the Deployment got a namespace the template does not set")
	}
}

func TestChartErrors(t *testing.T) {
	r := mustNew(t, Options{})
	res := r.Render(t.Context(), load.Unit{Path: "testdata/broken-chart", Kind: load.Chart})
	want := []load.Error{{
		File: filepath.Join("testdata", "broken-chart", "templates", "pod.yaml"), Line: 8,
		Message: "chart testdata/broken-chart: execution error at (broken/templates/pod.yaml:8:16): a value for image is required",
	}}
	if diff := cmp.Diff(want, res.Errors); diff != "" || len(res.Documents) > 0 {
		t.Errorf("errors (-want +got):\n%s\nobjects: %v", diff, wheres(res))
	}

	res = r.Render(t.Context(), load.Unit{Path: "testdata/no-such-chart", Kind: load.Chart})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "chart testdata/no-such-chart: cannot load") {
		t.Errorf("a missing chart: %v", res.Errors)
	}

	// A chart whose dependency is not vendored: Helm's message names it.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: postgresql\n    version: 15.x.x\n    repository: https://charts.example.com\n")
	write(t, filepath.Join(dir, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	res = r.Render(t.Context(), load.Unit{Path: dir, Kind: load.Chart})
	if len(res.Errors) != 1 || res.Errors[0].File != dir ||
		!strings.Contains(res.Errors[0].Message, "missing in charts/ directory: postgresql") {
		t.Errorf("a dependency that is not vendored: %v", res.Errors)
	}

	for _, opts := range []Options{
		{Values: []string{"testdata/no-such-values.yaml"}},
		{Set: []string{"a=b,c"}},
		{KubeVersion: "one.thirty"},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) = nil error", opts)
		}
	}
}

func TestTemplateOf(t *testing.T) {
	tests := []struct {
		msg, file string
		line      int
	}{
		{"template: shop/templates/web.yaml:12:3: executing \"shop/templates/web.yaml\" at <.Values.x>: nil pointer", "c/templates/web.yaml", 12},
		{"parse error at (shop/templates/_helpers.tpl:5): unexpected EOF", "c/templates/_helpers.tpl", 5},
		{"execution error at (shop/charts/cache/templates/cache.yaml:8:16): required", "c/charts/cache/templates/cache.yaml", 8},
		{"YAML parse error on shop/templates/web.yaml: error converting YAML to JSON", "c/templates/web.yaml", 0},
		{"values don't meet the specifications of the schema(s)", "c", 0},
	}
	for _, tt := range tests {
		file, line := templateOf("c", "shop", tt.msg)
		if file != filepath.FromSlash(tt.file) || line != tt.line {
			t.Errorf("templateOf(%q) = %s:%d, want %s:%d", tt.msg, file, line, tt.file, tt.line)
		}
	}
}

func TestKustomize(t *testing.T) {
	res := kustomize(t.Context(), load.Unit{Path: "testdata/kustomize/overlays/prod", Kind: load.Kustomization})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	base := filepath.Join("testdata", "kustomize", "base")
	want := []string{
		// Generated: located in the kustomization whose generator made it.
		"ConfigMap/prod-web-config-hf678c7m2b " + filepath.Join(base, "kustomization.yaml") + " doc=0 line=0 <- kustomize testdata/kustomize/overlays/prod doc=0 line=1",
		"Service/prod-web " + filepath.Join(base, "web.yaml") + " doc=0 line=1 <- kustomize testdata/kustomize/overlays/prod doc=1 line=9",
		// Patched by the overlay, located in the base's resource file it came from.
		"Deployment/prod-web " + filepath.Join(base, "web.yaml") + " doc=1 line=9 <- kustomize testdata/kustomize/overlays/prod doc=2 line=21",
	}
	if diff := cmp.Diff(want, wheres(res)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	for _, d := range res.Documents {
		if strings.Contains(fmt.Sprint(d.Object), "config.kubernetes.io/origin") {
			t.Errorf("%s keeps the origin annotation ringfence asked for", where(d))
		}
	}
}

func TestKustomizeErrors(t *testing.T) {
	res := kustomize(t.Context(), load.Unit{Path: "testdata/kustomize/overlays/remote", Kind: load.Kustomization})
	kfile := filepath.Join("testdata", "kustomize", "overlays", "remote", "kustomization.yaml")
	if len(res.Errors) != 2 || len(res.Documents) > 0 {
		t.Fatalf("remote resources: %v, %d objects", res.Errors, len(res.Documents))
	}
	for i, entry := range []string{"github.com/example/platform/deploy/base?ref=v1.2.0", "https://raw.githubusercontent.com/example/platform/v1.2.0/netpol.yaml"} {
		if e := res.Errors[i]; e.File != kfile || !strings.Contains(e.Message, fmt.Sprintf("%q is a remote resource", entry)) {
			t.Errorf("error %d = %+v, want one naming %s in %s", i, e, entry, kfile)
		}
	}
	res = kustomize(t.Context(), load.Unit{Path: "testdata/kustomize/overlays/broken", Kind: load.Kustomization})
	kfile = filepath.Join("testdata", "kustomize", "overlays", "broken", "kustomization.yaml")
	if len(res.Errors) != 1 || res.Errors[0].File != kfile || !strings.Contains(res.Errors[0].Message, "missing.yaml") {
		t.Errorf("a missing resource: %v", res.Errors)
	}
}

func TestIsRemote(t *testing.T) {
	for entry, want := range map[string]bool{
		"github.com/org/repo/deploy?ref=v1":         true,
		"https://example.com/all.yaml":              true,
		"git@github.com:org/repo.git//deploy":       true,
		"git::https://example.com/repo.git":         true,
		"gitlab.example.com/org/repo/overlays/prod": true,
		"../base":          false,
		"deploy.yaml":      false,
		"./config.d/x.yml": false,
		"base/web.yaml":    false,
	} {
		if got := isRemote(entry); got != want {
			t.Errorf("isRemote(%q) = %v, want %v", entry, got, want)
		}
	}
}

// TestRead walks a folder as a user would expect: charts and kustomizations render as
// units, a base an overlay uses is read only through it, a component only through the
// overlays that use it, and plain manifests beside them are read once.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "testdata/kustomize/base", filepath.Join(dir, "base"))
	copyDir(t, "testdata/kustomize/overlays/prod", filepath.Join(dir, "overlays", "prod"))
	copyDir(t, "testdata/shop-chart", filepath.Join(dir, "charts", "shop"))
	write(t, filepath.Join(dir, "plain", "ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop-prod}\n")
	// A plain file an overlay names is read through the overlay only.
	write(t, filepath.Join(dir, "shared", "quota.yaml"), "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota}\n")
	write(t, filepath.Join(dir, "overlays", "staging", "kustomization.yaml"), "resources: [../../base]\nnamePrefix: staging-\n")
	// A component no overlay uses: built alone, its patch would find no target.
	write(t, filepath.Join(dir, "components", "debug", "kustomization.yaml"),
		"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: web}\n      spec: {replicas: 0}\n")
	res := mustNew(t, Options{}).Read(context.Background(), []string{dir}, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	count := map[string]int{}
	for _, d := range res.Documents {
		count[fmt.Sprint(d.Object["kind"], "/", objectName(d.Object))]++
		if strings.HasSuffix(filepath.Dir(d.Source.File), "base") && d.Source.Rendered == nil {
			t.Errorf("the base was read as plain manifests: %s", where(d))
		}
	}
	want := map[string]int{
		"Deployment/prod-web": 1, "Service/prod-web": 1, "ConfigMap/prod-web-config-hf678c7m2b": 1,
		"Deployment/staging-web": 1, "Service/staging-web": 1, "ConfigMap/staging-web-config-hf678c7m2b": 1,
		"ServiceAccount/release-name-web": 1, "Service/release-name-web": 1, "Deployment/release-name-web": 1,
		"Pod/release-name-smoke-test": 1, "Namespace/shop-prod": 1, "ResourceQuota/quota": 1,
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("objects read (-want +got):\n%s", diff)
	}

	// Named on its own, a component is built, as asked: here, an error.
	res = mustNew(t, Options{}).Read(context.Background(), []string{filepath.Join(dir, "components", "debug")}, nil)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "no resource matches") {
		t.Errorf("the component named on its own: %v", res.Errors)
	}

	// Named on its own, the base is rendered: the user asked for it.
	res = mustNew(t, Options{}).Read(context.Background(), []string{filepath.Join(dir, "base")}, nil)
	if len(res.Documents) != 3 || len(res.Errors) > 0 {
		t.Errorf("the base named on its own: %v, %v", wheres(res), res.Errors)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestReadReleaseNamespace: with a release namespace, Read puts the chart's namespaced
// objects that name none in it, as helm install --namespace does; cluster-scoped kinds
// and plain manifests are left alone, and Render stays what helm template prints.
func TestReadReleaseNamespace(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "testdata/shop-chart", filepath.Join(dir, "chart"))
	write(t, filepath.Join(dir, "chart", "templates", "role.yaml"),
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}-reader\nrules: []\n"+
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: platform\n")
	write(t, filepath.Join(dir, "plain.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n")
	r := mustNew(t, Options{Namespace: "shop"})
	res := r.Read(t.Context(), []string{dir}, nil)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	got := map[string]any{}
	for _, d := range res.Documents {
		got[fmt.Sprint(d.Object["kind"], "/", objectName(d.Object))] = d.Object["metadata"].(map[string]any)["namespace"]
	}
	want := map[string]any{
		"ClusterRole/release-name-reader": nil, "ConfigMap/elsewhere": "platform", "ConfigMap/plain": nil,
		"Deployment/release-name-web": "shop", "Pod/release-name-smoke-test": "shop",
		"Service/release-name-web": "shop", "ServiceAccount/release-name-web": "shop",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	for _, d := range r.Render(t.Context(), load.Unit{Path: filepath.Join(dir, "chart"), Kind: load.Chart}).Documents {
		if ns, ok := d.Object["metadata"].(map[string]any)["namespace"]; ok && ns != "platform" {
			t.Errorf("Render put %s in %v", where(d), ns)
		}
	}
}

// TestChartArchive: a packaged chart named as a path is rendered like its directory,
// its objects located under the archive's name.
func TestChartArchive(t *testing.T) {
	chrt, err := loader.Load("testdata/shop-chart")
	if err != nil {
		t.Fatal(err)
	}
	tgz, err := chartutil.Save(chrt, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := mustNew(t, Options{}).Read(t.Context(), []string{tgz}, nil)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	dir := mustNew(t, Options{}).Render(t.Context(), load.Unit{Path: "testdata/shop-chart", Kind: load.Chart})
	var got, want []string
	for _, d := range res.Documents {
		got = append(got, strings.Replace(where(d), tgz, "CHART", -1))
	}
	for _, d := range dir.Documents {
		want = append(want, strings.Replace(where(d), "testdata/shop-chart", "CHART", -1))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("archive vs directory (-directory +archive):\n%s", diff)
	}
	// Met in a directory walk, an archive is not a chart to render (a build artefact).
	res = mustNew(t, Options{}).Read(t.Context(), []string{filepath.Dir(tgz)}, nil)
	if len(res.Documents)+len(res.Errors) > 0 {
		t.Errorf("a walk read the archive: %v %v", wheres(res), res.Errors)
	}
}
