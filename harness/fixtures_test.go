package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/internal/fixtures"
	"github.com/ringfence/ringfence/policies"
)

const fixturesDir = "../fixtures"

var (
	engineOnce sync.Once
	engine     *harness.Engine
	engineErr  error

	compilerOnce sync.Once
	compiler     *ast.Compiler
	compilerErr  error
)

// compiledPolicies compiles the embedded policies once, for tests that query Rego directly.
func compiledPolicies(t testing.TB) *ast.Compiler {
	t.Helper()
	compilerOnce.Do(func() { compiler, compilerErr = harness.Compile(policies.FS) })
	if compilerErr != nil {
		t.Fatalf("compiling policies: %v", compilerErr)
	}
	return compiler
}

// sharedEngine compiles the embedded rules once for all tests of the package.
func sharedEngine(t testing.TB) *harness.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = harness.New(context.Background()) })
	if engineErr != nil {
		t.Fatalf("harness.New: %v", engineErr)
	}
	return engine
}

func ruleFixtures(t *testing.T, id string) []fixtures.Fixture {
	t.Helper()
	cases, err := fixtures.ForRule(fixturesDir, id)
	if err != nil {
		t.Error(err)
	}
	return cases
}

// engineFor returns the shared engine, or one configured with the fixture's parameters
// and exempt images.
func engineFor(t *testing.T, c fixtures.Fixture) *harness.Engine {
	t.Helper()
	if !c.Configured() {
		return sharedEngine(t)
	}
	eng, err := sharedEngine(t).Reconfigured(c.Config())
	if err != nil {
		t.Fatalf("%s: %v", c.Path, err)
	}
	return eng
}

func messagesOf(rep *harness.Report, id string) []string {
	out := []string{}
	for _, f := range rep.Findings {
		if f.Rule == id {
			out = append(out, f.Message)
		}
	}
	slices.Sort(out)
	return out
}

// TestRuleFixtures runs every rule on its fixtures: fire- files must produce exactly the
// expected messages, pass- files none.
func TestRuleFixtures(t *testing.T) {
	eng := sharedEngine(t)
	ctx := context.Background()
	for _, rule := range eng.Rules() {
		t.Run(rule.ID, func(t *testing.T) {
			cases := ruleFixtures(t, rule.ID)
			var fire, pass int
			for _, c := range cases {
				if c.Fire {
					fire++
				} else {
					pass++
				}
				t.Run(filepath.Base(c.Path), func(t *testing.T) {
					rep, err := engineFor(t, c).EvaluateFiles(ctx, []string{c.Path}, nil)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range rep.Errors {
						t.Errorf("fixture error: %v", e)
					}
					want := slices.Clone(c.Expect)
					if want == nil {
						want = []string{}
					}
					slices.Sort(want)
					if diff := cmp.Diff(want, messagesOf(rep, rule.ID)); diff != "" {
						t.Errorf("%s findings (-want +got):\n%s", rule.ID, diff)
					}
					checkDeclaredKinds(t, rule, rep)
				})
			}
			if fire < 2 || pass < 2 {
				t.Errorf("rule %s has %d fire- and %d pass- fixtures; it needs at least 2 of each", rule.ID, fire, pass)
			}
		})
	}
}

// checkDeclaredKinds fails when a rule reports an object whose kind its METADATA does
// not declare.
func checkDeclaredKinds(t *testing.T, rule catalog.Rule, rep *harness.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Rule != rule.ID {
			continue
		}
		declared := slices.ContainsFunc(rule.Kinds, func(k catalog.Kind) bool {
			return k.Kind == f.Object.Kind && (k.APIVersion == "*" || inGroup(k.APIVersion, f.Object.APIVersion))
		})
		if !declared {
			t.Errorf("%s reported %s %s, a kind its METADATA kinds do not list", rule.ID, f.Object.APIVersion, f.Object.Kind)
		}
	}
}

// inGroup reports whether two apiVersions belong to the same API group (a rule that
// declares apps/v1 Deployment also reads extensions/v1beta1 Deployments).
func inGroup(declared, actual string) bool {
	legacy := map[string]string{"extensions": "apps"}
	ga, gb := inventory.Group(declared), inventory.Group(actual)
	if l, ok := legacy[gb]; ok && l == ga {
		return true
	}
	return ga == gb
}

// TestRulesGuardOnKind swaps the kind of every object in every fire- fixture for one no
// rule inspects and evaluates each rule's deny directly (bypassing the dispatch by kind in
// data.ringfence.main, as conftest does): a rule must not fire on kinds it was not
// written for.
func TestRulesGuardOnKind(t *testing.T) {
	eng := sharedEngine(t)
	ctx := context.Background()
	for _, rule := range eng.Rules() {
		pq, err := rego.New(rego.Compiler(compiledPolicies(t)), rego.Store(inmem.New()),
			rego.Query("some v in data."+rule.Package+".deny")).PrepareForEval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ruleFixtures(t, rule.ID) {
			if !c.Fire {
				continue
			}
			for _, d := range load.Paths(ctx, []string{c.Path}, nil).Documents {
				d.Object["apiVersion"] = "probe.ringfence.dev/v1"
				d.Object["kind"] = "RingfenceProbe"
				rs, err := pq.Eval(ctx, rego.EvalInput(d.Object))
				if err != nil {
					t.Fatalf("%s: %v", c.Path, err)
				}
				if len(rs) > 0 {
					t.Errorf("%s: %s fires on an unknown kind: %v", rule.ID, c.Path, rs[0].Bindings)
				}
			}
		}
	}
}

// TestEveryFixtureDirHasARule catches fixtures left behind by a renamed or removed rule.
func TestEveryFixtureDirHasARule(t *testing.T) {
	eng := sharedEngine(t)
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := eng.Rule(e.Name()); e.IsDir() && !ok {
			t.Errorf("fixtures/%s belongs to no rule", e.Name())
		}
	}
}
