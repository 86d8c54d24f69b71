package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/render"
)

// shared is the folder of public charts, kustomizations and manifests beside the
// checkout (../shared), which CI has too.
const shared = "../../shared"

// TestRenderMatchesHelm renders charts in-process and with the real helm template
// (the pinned Helm, from the tool cache) and requires the same objects, in the same
// order, and every object located in the template helm's "# Source:" line names.
func TestRenderMatchesHelm(t *testing.T) {
	helm := tool(t, "helm")
	needShared(t)
	tests := []struct {
		chart string
		opts  render.Options
	}{
		// Helm's default Kubernetes version comes from the client-go version in the
		// program's build information, which test binaries lack (Helm then says 1.20):
		// the cases name the version the helm and ringfence programs default to.
		// TestRenderDefaultKubeVersion covers the default through the ringfence binary.
		{chart: shared + "/charts/microservices-demo", opts: render.Options{KubeVersion: "1.37.0"}},
		{chart: shared + "/charts/podinfo", opts: render.Options{KubeVersion: "1.37.0"}},
		{chart: shared + "/charts/podinfo", opts: render.Options{
			Values: []string{shared + "/charts/podinfo/values-prod.yaml"}, ReleaseName: "podinfo", Namespace: "web", KubeVersion: "1.37.0",
		}},
		{chart: shared + "/charts/podinfo", opts: render.Options{
			Set: []string{"redis.enabled=true", "ingress.enabled=true", "serviceAccount.enabled=true"}, SetString: []string{"podAnnotations.build=42"},
			KubeVersion: "1.29.0", APIVersions: []string{"gateway.networking.k8s.io/v1"},
		}},
		{chart: "../harness/render/testdata/shop-chart", opts: render.Options{
			Values: []string{"../harness/render/testdata/shop-chart/values-prod.yaml"}, Set: []string{"privileged=true"}, KubeVersion: "1.29.0",
		}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", filepath.Base(tt.chart), tt.opts), func(t *testing.T) {
			t.Parallel()
			r, err := render.New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			ours := r.Render(t.Context(), load.Unit{Path: tt.chart, Kind: load.Chart})
			took := time.Since(start)
			if len(ours.Errors) > 0 {
				t.Fatalf("in-process: %v", ours.Errors)
			}
			out := run(t, helm, helmArgs(tt.chart, tt.opts)...)
			theirs := load.Bytes("helm", []byte(out))
			if len(theirs.Errors) > 0 {
				t.Fatalf("helm template's output: %v", theirs.Errors)
			}
			if diff := cmp.Diff(objects(theirs), objects(ours), hookNames); diff != "" {
				t.Errorf("objects (-helm template +in-process):\n%s", diff)
			}
			// Each object is located in the template helm names above it.
			sources := helmSources(out)
			for i, d := range ours.Documents {
				if i >= len(theirs.Documents) {
					break
				}
				want := filepath.Join(tt.chart, sources[theirs.Documents[i].Source.Line])
				if d.Source.File != want || d.Source.Rendered.Line != theirs.Documents[i].Source.Line {
					t.Errorf("object %d located at %s (output line %d), helm template puts it under # Source: %s at line %d",
						i, d.Source.File, d.Source.Rendered.Line, want, theirs.Documents[i].Source.Line)
				}
			}
			t.Logf("%s: %d objects rendered in %v", tt.chart, len(ours.Documents), took.Round(time.Millisecond))
		})
	}
}

// hookNames compares the names of Helm hooks without a random suffix of five letters or
// digits: charts name test pods {{ randAlphaNum 5 }} so that runs do not collide.
var hookNames = cmp.FilterPath(func(p cmp.Path) bool {
	return strings.HasSuffix(p.GoString(), `["metadata"].(map[string]any)["name"]`)
}, cmp.Comparer(func(a, b any) bool {
	x, _ := a.(string)
	y, _ := b.(string)
	return x == y || (len(x) == len(y) && randomSuffix.MatchString(x) && randomSuffix.MatchString(y) && x[:len(x)-5] == y[:len(y)-5])
}))

var randomSuffix = regexp.MustCompile(`-[a-z0-9]{5}$`)

// TestRenderDefaultKubeVersion: without --kube-version, the ringfence program renders
// a chart that requires Kubernetes 1.23 or later (podinfo), as helm template does:
// both default to the version of the client-go they are built with.
func TestRenderDefaultKubeVersion(t *testing.T) {
	helm := tool(t, "helm")
	needShared(t)
	chart := shared + "/charts/podinfo"
	theirs := load.Bytes("helm", []byte(run(t, helm, "template", "release-name", chart)))
	out, code := runRingfence(t, ringfenceBinary(t), "test", chart, "--output", "json", "--fail-on", "none")
	var rep struct {
		Summary struct{ Objects, Errors int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("ringfence test %s: exit %d, %v: %s", chart, code, err, out)
	}
	if rep.Summary.Objects != len(theirs.Documents) || rep.Summary.Errors != 0 {
		t.Errorf("ringfence test %s: %d objects, %d errors; helm template renders %d objects", chart, rep.Summary.Objects, rep.Summary.Errors, len(theirs.Documents))
	}
}

// TestRenderHelmMissingDependency: a chart whose dependency is not vendored is an
// error naming it, in-process as with helm template.
func TestRenderHelmMissingDependency(t *testing.T) {
	helm := tool(t, "helm")
	needShared(t)
	chart := shared + "/charts/sock-shop"
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ours := r.Render(t.Context(), load.Unit{Path: chart, Kind: load.Chart})
	if len(ours.Errors) != 1 || len(ours.Documents) > 0 || !strings.Contains(ours.Errors[0].Message, "nginx-ingress") {
		t.Errorf("in-process: %v, %d objects; want one error naming nginx-ingress", ours.Errors, len(ours.Documents))
	}
	out, err := exec.CommandContext(t.Context(), helm, helmArgs(chart, render.Options{})...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "nginx-ingress") {
		t.Errorf("helm template: %v: %s; want an error naming nginx-ingress", err, out)
	}
}

// TestRenderMatchesKustomize builds kustomizations in-process and with the real
// kustomize build and requires the same objects in the same order.
func TestRenderMatchesKustomize(t *testing.T) {
	kustomize := tool(t, "kustomize")
	needShared(t)
	dirs := []string{shared + "/kustomize/podinfo", shared + "/kustomize/microservices-demo", "../harness/render/testdata/kustomize/overlays/prod"}
	// The project's test overlays combine the base with many components each.
	tests, err := filepath.Glob(shared + "/kustomize/microservices-demo/tests/*/kustomization.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no test overlays in %s/kustomize/microservices-demo/tests: %v", shared, err)
	}
	for _, k := range tests {
		dirs = append(dirs, filepath.Dir(k))
	}
	for _, dir := range dirs {
		t.Run(strings.TrimPrefix(dir, shared+"/"), func(t *testing.T) {
			t.Parallel()
			r, err := render.New(render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			ours := r.Render(t.Context(), load.Unit{Path: dir, Kind: load.Kustomization})
			took := time.Since(start)
			if len(ours.Errors) > 0 {
				t.Fatalf("in-process: %v", ours.Errors)
			}
			theirs := load.Bytes("kustomize", []byte(run(t, kustomize, "build", dir)))
			if diff := cmp.Diff(objects(theirs), objects(ours)); diff != "" {
				t.Errorf("objects (-kustomize build +in-process):\n%s", diff)
			}
			for _, d := range ours.Documents {
				if _, err := os.Stat(d.Source.File); err != nil || d.Source.Rendered == nil || d.Source.Rendered.From != dir {
					t.Errorf("%s/%s located at %+v: not a file of the kustomization", d.Object["kind"], name(d.Object), d.Source)
				}
			}
			t.Logf("%s: %d objects built in %v", dir, len(ours.Documents), took.Round(time.Millisecond))
		})
	}
}

// TestRenderChartMatchesManifests: the microservices-demo chart renders the workloads
// the project's own plain manifests declare: the same Deployments, containers, ports
// and security contexts. (Service accounts differ upstream: the chart gives redis-cart
// one, the plain manifests do not.)
func TestRenderChartMatchesManifests(t *testing.T) {
	needShared(t)
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	chart := r.Render(t.Context(), load.Unit{Path: shared + "/charts/microservices-demo", Kind: load.Chart})
	plain := load.Paths(context.Background(), []string{shared + "/corpus/microservices-demo/kubernetes-manifests"}, nil)
	if len(chart.Errors)+len(plain.Errors) > 0 {
		t.Fatalf("errors: %v %v", chart.Errors, plain.Errors)
	}
	got, want := workloads(chart), workloads(plain)
	if len(want) < 10 {
		t.Fatalf("only %d workloads in the plain manifests", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workloads (-plain manifests +chart):\n%s", diff)
	}
}

// workloads describes the Deployments of res: name, pod security context, and each
// container's name, ports and security context.
func workloads(res load.Result) map[string]string {
	out := map[string]string{}
	for _, d := range res.Documents {
		if d.Object["kind"] != "Deployment" {
			continue
		}
		spec, _ := d.Object["spec"].(map[string]any)
		tmpl, _ := spec["template"].(map[string]any)
		pod, _ := tmpl["spec"].(map[string]any)
		parts := []string{fmt.Sprint("securityContext=", pod["securityContext"])}
		containers, _ := pod["containers"].([]any)
		for _, c := range containers {
			c, _ := c.(map[string]any)
			var ports []string
			ps, _ := c["ports"].([]any)
			for _, p := range ps {
				p, _ := p.(map[string]any)
				ports = append(ports, fmt.Sprint(p["containerPort"]))
			}
			parts = append(parts, fmt.Sprintf("container %v ports %v securityContext %v", c["name"], ports, c["securityContext"]))
		}
		out[name(d.Object)] = strings.Join(parts, "; ")
	}
	return out
}

func helmArgs(chart string, o render.Options) []string {
	release := o.ReleaseName
	if release == "" {
		release = "release-name"
	}
	args := []string{"template", release, chart}
	for _, v := range o.Values {
		args = append(args, "--values", v)
	}
	for _, s := range o.Set {
		args = append(args, "--set", s)
	}
	for _, s := range o.SetString {
		args = append(args, "--set-string", s)
	}
	if o.Namespace != "" {
		args = append(args, "--namespace", o.Namespace)
	}
	if o.KubeVersion != "" {
		args = append(args, "--kube-version", o.KubeVersion)
	}
	for _, a := range o.APIVersions {
		args = append(args, "--api-versions", a)
	}
	return args
}

// helmSources maps each line of helm template's output to the template the last
// "# Source:" line above it names, without the chart's name.
func helmSources(out string) map[int]string {
	m := map[int]string{}
	cur := ""
	for i, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "# Source: "); ok {
			_, cur, _ = strings.Cut(strings.TrimSpace(rest), "/")
		}
		m[i+1] = cur
	}
	return m
}

func objects(res load.Result) []map[string]any {
	var out []map[string]any
	for _, d := range res.Documents {
		out = append(out, d.Object)
	}
	return out
}

func name(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	n, _ := meta["name"].(string)
	return n
}

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(shared + "/charts"); err != nil {
		if os.Getenv("RINGFENCE_E2E") == "require" {
			t.Fatalf("%s/charts: %v", shared, err)
		}
		t.Skipf("%s/charts not beside the checkout", shared)
	}
}

// run runs a program and returns its standard output; a failure fails the test with
// its standard error.
func run(t *testing.T, prog string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", filepath.Base(prog), strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
