package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/gatekeeper"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/policies"
)

const (
	gatorExamplesDir = "../examples"
	// gatorTimeout bounds every gator run; verifying all suites takes seconds.
	gatorTimeout = 5 * time.Minute
)

// runBounded runs a program under a deadline and returns its output and exit code. The process
// is killed when the deadline passes, and Wait gives up on its pipes soon after, so
// nothing outlives the test.
func runBounded(t *testing.T, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), gatorTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 10 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after %v, stopped", filepath.Base(name), strings.Join(args, " "), gatorTimeout)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", name, err)
	}
	return out.String(), errOut.String(), code
}

// export writes the Gatekeeper export of the embedded rules into a new directory.
func gatorExport(t *testing.T, fixtures bool) (*gatekeeper.Bundle, string) {
	t.Helper()
	ctx := context.Background()
	var b *gatekeeper.Bundle
	var err error
	if fixtures {
		b, err = gatekeeper.Export(ctx, policies.FS, os.DirFS(fixturesDir))
	} else {
		b, err = gatekeeper.Export(ctx, policies.FS, nil)
	}
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "gatekeeper")
	if err := b.Write(ctx, dir); err != nil {
		t.Fatal(err)
	}
	return b, dir
}

// gatorMatchedObjects counts, on its own, the fixture files of every rule and the
// fixture objects the rule's constraint matches: kind and API group among its METADATA
// kinds.
func gatorMatchedObjects(t *testing.T) (fixtures, objects int) {
	t.Helper()
	ctx := context.Background()
	eng, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Rules() {
		if !r.RunsIn("gatekeeper") {
			continue
		}
		files, err := filepath.Glob(filepath.Join(fixturesDir, r.ID, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			if !load.IsManifest(base) || !strings.HasPrefix(base, "fire-") && !strings.HasPrefix(base, "pass-") {
				continue
			}
			fixtures++
			res := load.Paths(ctx, []string{f}, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("%s: %v", f, res.Errors[0])
			}
			for _, d := range res.Documents {
				apiVersion, _ := d.Object["apiVersion"].(string)
				kind, _ := d.Object["kind"].(string)
				for _, k := range r.Kinds {
					if k.Kind == kind && inventory.Group(k.APIVersion) == inventory.Group(apiVersion) {
						objects++
						break
					}
				}
			}
		}
	}
	return fixtures, objects
}

var gatorCaseResult = regexp.MustCompile(`(?m)^    --- (PASS|FAIL|SKIP): `)

// TestGatorVerify runs gator on the suites generated from every rule's fixtures: gator
// must reach the library's gatorVerdict, violation for violation and message for message, on
// every fixture object a constraint matches.
func TestGatorVerify(t *testing.T) {
	t.Parallel() // the parallel tests share GOMAXPROCS slots: conftest, gator and opa processes fill both cores
	gator := tool(t, "gator")
	b, dir := gatorExport(t, true)
	fixtures, objects := gatorMatchedObjects(t)

	out, stderr, code := runBounded(t, gator, "verify", "-v", filepath.Join(dir, "tests")+"/...")
	results := map[string]int{}
	for _, m := range gatorCaseResult.FindAllStringSubmatch(out, -1) {
		results[m[1]]++
	}
	cases := results["PASS"] + results["FAIL"] + results["SKIP"]
	t.Logf("gator: %d fixtures, %d cases (%d expected violations)", b.Fixtures(), cases, gatorViolations(b))
	if code != 0 || results["FAIL"] > 0 {
		t.Fatalf("gator verify: exit %d, %d of %d cases failed\n%s\n%s", code, results["FAIL"], cases, gatorFailures(out), stderr)
	}
	if b.Fixtures() != fixtures {
		t.Errorf("the suites cover %d fixture files, want %d", b.Fixtures(), fixtures)
	}
	if cases != objects || b.Cases() != objects || results["PASS"] != objects {
		t.Errorf("gator ran %d cases (%d passed), the export made %d; want one per matched fixture object: %d",
			cases, results["PASS"], b.Cases(), objects)
	}
	// Objects the library dispatches to by kind name but whose API group the METADATA
	// kinds leave out of the constraint's match: no case reviews them.
	quiet := 0
	for _, r := range b.Rules {
		for _, o := range r.LibraryOnly {
			if o.Findings == 0 {
				quiet++
				continue
			}
			t.Errorf("%s: %s in %s: the library reports %d findings, but the constraint does not match its API group, so Gatekeeper never reviews it",
				r.ID, o.Object, o.Fixture, o.Findings)
		}
	}
	t.Logf("%d more fixture objects of unmatched API groups, without findings, have no case", quiet)
}

func gatorViolations(b *gatekeeper.Bundle) int {
	n := 0
	for _, r := range b.Rules {
		n += r.Violations
	}
	return n
}

// failures keeps the failing tests and cases of gator's verbose output.
func gatorFailures(out string) string {
	var keep []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, "--- FAIL") || strings.HasPrefix(l, "FAIL") {
			keep = append(keep, l)
			if i+1 < len(lines) && !strings.Contains(lines[i+1], "---") {
				keep = append(keep, lines[i+1])
			}
		}
	}
	return strings.Join(keep, "\n")
}

// gatorVerdict is one violation or finding, keyed the same way for gator and the library.
type gatorVerdict struct {
	Rule, Action, APIVersion, Kind, Namespace, Name, Message string
}

func gatorVerdicts(t *testing.T, gator string, paths ...string) []gatorVerdict {
	t.Helper()
	args := []string{"test", "-o", "json"}
	for _, p := range paths {
		args = append(args, "-f", p)
	}
	out, stderr, code := runBounded(t, gator, args...)
	// gator test exits 1 when a deny constraint has violations.
	if code > 1 {
		t.Fatalf("gator test: exit %d\n%s", code, stderr)
	}
	var results []struct {
		Msg      string `json:"msg"`
		Metadata struct {
			Details struct {
				Rule string `json:"rule"`
			} `json:"details"`
		} `json:"metadata"`
		EnforcementAction string         `json:"enforcementAction"`
		Object            map[string]any `json:"violatingObject"`
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("gator test output: %v\n%s", err, out)
	}
	var got []gatorVerdict
	for _, r := range results {
		meta, _ := r.Object["metadata"].(map[string]any)
		v := gatorVerdict{Rule: r.Metadata.Details.Rule, Action: r.EnforcementAction, Message: r.Msg}
		v.APIVersion, _ = r.Object["apiVersion"].(string)
		v.Kind, _ = r.Object["kind"].(string)
		v.Namespace, _ = meta["namespace"].(string)
		v.Name, _ = meta["name"].(string)
		got = append(got, v)
	}
	slices.SortFunc(got, compareGatorVerdicts)
	return got
}

func compareGatorVerdicts(a, b gatorVerdict) int {
	return strings.Compare(strings.Join([]string{a.Rule, a.Namespace, a.Kind, a.Name, a.Message}, "\x00"),
		strings.Join([]string{b.Rule, b.Namespace, b.Kind, b.Name, b.Message}, "\x00"))
}

// TestGatorTestExamples applies the exported templates and constraints outside suites:
// gator test on the example manifests must report what the library reports on them, with
// the enforcement action the export chose. Constraints stripped of their parameters must
// report the same, since the templates fall back on the METADATA defaults.
func TestGatorTestExamples(t *testing.T) {
	gator := tool(t, "gator")
	b, dir := gatorExport(t, false)
	want := gatorLibraryVerdicts(t, gatorExamplesDir)

	templates, constraints := filepath.Join(dir, "templates"), filepath.Join(dir, "constraints")
	got := gatorVerdicts(t, gator, templates, constraints, gatorExamplesDir)
	t.Logf("gator test: %d violations on the examples, the library %d findings", len(got), len(want))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gator test on the examples (-library +gator):\n%s", diff)
	}

	// The same constraints without parameters: the templates use the METADATA defaults.
	bare := t.TempDir()
	stripped := 0
	for _, r := range b.Rules {
		raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(r.Constraint)))
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if err := yaml.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		spec := c["spec"].(map[string]any)
		if _, ok := spec["parameters"]; ok {
			stripped++
			delete(spec, "parameters")
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bare, filepath.Base(r.Constraint)), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if stripped == 0 {
		t.Fatal("no constraint has parameters to strip")
	}
	if diff := cmp.Diff(want, gatorVerdicts(t, gator, templates, bare, gatorExamplesDir)); diff != "" {
		t.Errorf("gator test with %d constraints stripped of their parameters (-library +gator):\n%s", stripped, diff)
	}
}

// gatorLibraryVerdicts evaluates manifests with the library and keys its findings like
// gator's violations, with the enforcement action the export gives each rule.
func gatorLibraryVerdicts(t *testing.T, path string) []gatorVerdict {
	t.Helper()
	ctx := context.Background()
	eng, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.EvaluateFiles(ctx, []string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 || len(rep.Findings) == 0 {
		t.Fatalf("the library reads %s with %d errors and %d findings", path, len(rep.Errors), len(rep.Findings))
	}
	var out []gatorVerdict
	for _, f := range rep.Findings {
		r, _ := eng.Rule(f.Rule)
		if !r.RunsIn("gatekeeper") {
			continue // harness-only rules: the export leaves them out
		}
		out = append(out, gatorVerdict{Rule: f.Rule, Action: gatekeeper.EnforcementAction(r), APIVersion: f.Object.APIVersion,
			Kind: f.Object.Kind, Namespace: f.Object.Namespace, Name: f.Object.Name, Message: f.Message})
	}
	slices.SortFunc(out, compareGatorVerdicts)
	return out
}

// TestGatorExemptAnnotation: the templates honour the ringfence.dev/exempt annotation as
// the library does, rule by rule.
func TestGatorExemptAnnotation(t *testing.T) {
	gator := tool(t, "gator")
	_, dir := gatorExport(t, false)
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: shop
  annotations: {ringfence.dev/exempt: %q}
spec:
  containers:
    - {name: app, image: nginx, securityContext: {privileged: true, allowPrivilegeEscalation: false}}
`
	manifests := t.TempDir()
	var docs []string
	for name, exempt := range map[string]string{"plain": "", "exempt": "RF-POD-001, RF-NET-001", "other": "RF-POD-002"} {
		docs = append(docs, fmt.Sprintf(pod, name, exempt))
	}
	if err := os.WriteFile(filepath.Join(manifests, "pods.yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	want := gatorLibraryVerdicts(t, manifests)
	exempted := !slices.ContainsFunc(want, func(v gatorVerdict) bool { return v.Name == "exempt" && v.Rule == "RF-POD-001" })
	if !exempted || !slices.ContainsFunc(want, func(v gatorVerdict) bool { return v.Name == "other" && v.Rule == "RF-POD-001" }) {
		t.Fatalf("the library does not exempt as the test expects: %v", want)
	}
	got := gatorVerdicts(t, gator, filepath.Join(dir, "templates"), filepath.Join(dir, "constraints"), manifests)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gator test on exempt-annotated pods (-library +gator):\n%s", diff)
	}
}

// TestGatorSync: the templates' requires-sync-data annotations are well formed and the
// exported Config meets them; without it they are not met.
func TestGatorSync(t *testing.T) {
	gator := tool(t, "gator")
	_, dir := gatorExport(t, false)
	templates := filepath.Join(dir, "templates")
	// -f: no list of the cluster's API resources; assume every synced kind is served.
	if out, stderr, code := runBounded(t, gator, "sync", "test", "-f", "-n", templates, "-n", filepath.Join(dir, gatekeeper.SyncConfigFile)); code != 0 {
		t.Errorf("gator sync test: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code := runBounded(t, gator, "sync", "test", "-f", "-n", templates)
	if code == 0 || !strings.Contains(out+stderr, "NetworkPolicy") || !strings.Contains(out+stderr, "ServiceAccount") {
		t.Errorf("gator sync test without the Config: exit %d, want a failure naming the kinds to sync\n%s%s", code, out, stderr)
	}
}

// TestGatorKustomize builds the kustomization with kubectl's kustomize, when kubectl is
// installed: every template comes before every constraint, and the sync Config is there.
func TestGatorKustomize(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not installed")
	}
	b, dir := gatorExport(t, false)
	out, stderr, code := runBounded(t, kubectl, "kustomize", dir)
	if code != 0 {
		t.Fatalf("kubectl kustomize: exit %d\n%s", code, stderr)
	}
	var kinds []string
	for _, doc := range strings.Split(out, "\n---\n") {
		var obj struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, obj.Kind)
	}
	var want []string
	for range b.Rules {
		want = append(want, "ConstraintTemplate")
	}
	for _, r := range b.Rules {
		want = append(want, r.Kind)
	}
	want = append(want, "Config")
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kustomize output kinds (-want +got):\n%s", diff)
	}
}
