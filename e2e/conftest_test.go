package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/internal/fixtures"
	"github.com/ringfence/ringfence/policies"
)

// conftestPolicies writes the bundle's modules and data.json into a directory, as
// unpacking `ringfence bundle build` output gives them; it returns the policy
// directory and the data file.
func conftestPolicies(t *testing.T, cfg *config.Config) (string, string) {
	t.Helper()
	b, err := bundle.Build(context.Background(), bundle.BuildOptions{Policies: policies.FS, Revision: "conftest", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, m := range b.Modules {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(m.Path, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(p), filepath.Base(p), m.Raw)
	}
	data, err := json.Marshal(b.Data)
	if err != nil {
		t.Fatal(err)
	}
	return dir, writeFile(t, dir, "data.json", data)
}

// conftestResult is one file's entry in conftest's JSON output.
type conftestResult struct {
	Filename string `json:"filename"`
	Failures []struct {
		Msg      string `json:"msg"`
		Metadata struct {
			Rule  string `json:"rule"`
			Field string `json:"field"`
		} `json:"metadata"`
	} `json:"failures"`
	Warnings   []json.RawMessage `json:"warnings"`
	Exceptions []json.RawMessage `json:"exceptions"`
}

// runConftest runs conftest test with the ringfence namespace and returns its results
// by file. Exit 1 (failures found) is a normal outcome.
func runConftest(t *testing.T, polDir, data string, extra []string, files ...string) map[string][]verdict {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"test", "--policy", polDir, "--data", data, "--namespace", "ringfence.main", "--output", "json", "--no-color"}, extra...)
	args = append(args, files...)
	cmd := exec.CommandContext(ctx, tool(t, "conftest"), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("conftest %v: %v: %s", args, err, stderr.String())
	}
	var results []conftestResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("conftest output: %v: %s", err, out)
	}
	byFile := map[string][]verdict{}
	for _, r := range results {
		if len(r.Exceptions) > 0 || len(r.Warnings) > 0 {
			t.Errorf("%s: conftest warnings or exceptions: %v %v", r.Filename, r.Warnings, r.Exceptions)
		}
		vs := byFile[r.Filename]
		if vs == nil {
			vs = []verdict{}
		}
		for _, f := range r.Failures {
			msg, ok := strings.CutPrefix(f.Msg, f.Metadata.Rule+": ")
			if !ok {
				t.Errorf("%s: conftest message %q does not start with its rule id %q", r.Filename, f.Msg, f.Metadata.Rule)
			}
			vs = append(vs, verdict{f.Metadata.Rule, msg, f.Metadata.Field})
		}
		byFile[r.Filename] = sortVerdicts(vs)
	}
	return byFile
}

// With --combine, conftest sees every document of a fixture at once and reaches the
// library's verdicts on every fixture, cross-object rules included. The fixtures with
// parameters run in groups that share one bundle (parameterGroups).
func TestConftestCombinedParity(t *testing.T) {
	t.Parallel() // the parallel tests share GOMAXPROCS slots: conftest, gator and opa processes fill both cores
	var compared, findings, runs atomic.Int64
	groups := parameterGroups(allFixtures(t))
	crossObject := crossObjectRules(t)
	// One conftest process per run, as many at once as the test may run in parallel
	// (GOMAXPROCS): each compiles every rule, so this is the slow part of e2e.
	t.Run("fixtures", func(t *testing.T) {
		for i, g := range groups {
			cfg := &g.Config
			if i == 0 {
				cfg = nil
			}
			polDir, data := conftestPolicies(t, cfg)
			for j, batch := range conftestBatches(t, g.Fixtures, crossObject) {
				name := batch[0].Path
				if len(batch) > 1 {
					name = fmt.Sprintf("batch-%d", j)
				}
				if i > 0 {
					name = fmt.Sprintf("parameters-%d/%s", i, name)
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					paths := make([]string, len(batch))
					for k, f := range batch {
						paths[k] = f.Path
					}
					got := runConftest(t, polDir, data, []string{"--combine"}, paths...)["Combined"]
					if got == nil {
						got = []verdict{}
					}
					want := libraryVerdictsOf(t, paths, g.Config, "conftest")
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s (configuration group %d): conftest --combine differs from the library (-library +conftest):\n%s", strings.Join(paths, ", "), i, diff)
					}
					compared.Add(int64(len(batch)))
					runs.Add(1)
					findings.Add(int64(len(want)))
				})
			}
		}
	})
	t.Logf("conftest --combine: %d fixtures in %d runs in %d configurations, %d findings, all equal to the library's", compared.Load(), runs.Load(), len(groups), findings.Load())
}

// conftestBatchSize is the most fixtures one conftest --combine run takes.
const conftestBatchSize = 24

// conftestBatches splits fixtures into conftest --combine runs. A fixture of a rule that
// reads other objects (the inventory or a harness model) runs alone, so that the case it
// was written for is judged as written. Fixtures of rules that judge each object on its
// own share runs, up to conftestBatchSize, and never two that hold the same object
// (apiVersion, kind, namespace, name): their rule's verdicts do not depend on the other
// objects of the run, and the library is asked about the same files together, so the
// other rules' verdicts are compared too. Compiling every rule is most of a run's cost.
func conftestBatches(t *testing.T, fs []fixtures.Fixture, crossObject map[string]bool) [][]fixtures.Fixture {
	t.Helper()
	var out [][]fixtures.Fixture
	type open struct {
		fixtures []fixtures.Fixture
		objects  map[string]bool
	}
	var batches []*open
	for _, f := range fs {
		if crossObject[f.Rule] {
			out = append(out, []fixtures.Fixture{f})
			continue
		}
		res := load.Paths(context.Background(), []string{f.Path}, nil)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %v", f.Path, res.Errors)
		}
		var ids []string
		for _, d := range res.Documents {
			meta, _ := d.Object["metadata"].(map[string]any)
			ids = append(ids, fmt.Sprint(d.Object["apiVersion"], "|", d.Object["kind"], "|", meta["namespace"], "|", meta["name"]))
		}
		var b *open
		for _, c := range batches {
			if len(c.fixtures) < conftestBatchSize && !slices.ContainsFunc(ids, func(id string) bool { return c.objects[id] }) {
				b = c
				break
			}
		}
		if b == nil {
			b = &open{objects: map[string]bool{}}
			batches = append(batches, b)
		}
		b.fixtures = append(b.fixtures, f)
		for _, id := range ids {
			b.objects[id] = true
		}
	}
	for _, b := range batches {
		out = append(out, b.fixtures)
	}
	return out
}

// crossObjectRules are the ids of the rules that read other objects than the one they
// judge: the inventory, or a model the harness builds from the whole set.
func crossObjectRules(t *testing.T) map[string]bool {
	t.Helper()
	eng, err := engines.get(config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range eng.Rules() {
		out[r.ID] = r.Inventory || r.Model != ""
	}
	return out
}

func TestConftestPerDocumentParity(t *testing.T) {
	eng, err := harness.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	crossObject := map[string]bool{}
	for _, r := range eng.Rules() {
		crossObject[r.ID] = r.Inventory
	}
	perObject := func(vs []verdict) []verdict {
		out := []verdict{}
		for _, v := range vs {
			if !crossObject[v.Rule] {
				out = append(out, v)
			}
		}
		return out
	}
	polDir, data := conftestPolicies(t, nil)
	var plain []fixtures.Fixture
	var paths []string
	for _, f := range allFixtures(t) {
		if !f.Configured() {
			plain = append(plain, f)
			paths = append(paths, f.Path)
		}
	}
	got := runConftest(t, polDir, data, nil, paths...)
	findings := 0
	for _, f := range plain {
		want := perObject(libraryVerdicts(t, f, "conftest"))
		have, ok := got[f.Path]
		if !ok {
			t.Errorf("%s: no conftest result", f.Path)
			continue
		}
		if diff := cmp.Diff(want, perObject(have)); diff != "" {
			t.Errorf("%s: conftest differs from the library on per-object rules (-library +conftest):\n%s", f.Path, diff)
		}
		findings += len(want)
	}
	t.Logf("conftest per document: %d fixtures compared in one run, %d per-object findings, all equal to the library's", len(plain), findings)
}
