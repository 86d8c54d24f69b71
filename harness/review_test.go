package harness_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
)

// TestGatekeeperReviewInput evaluates every fixture the way Gatekeeper hands objects to
// rules (input.review.object, parameters in input.parameters, no ringfence config but a
// fixture's image exemption) and expects the same findings as the engine: the library
// hides the difference from rules.
func TestGatekeeperReviewInput(t *testing.T) {
	eng := sharedEngine(t)
	compiler := compiledPolicies(t)
	ctx := context.Background()
	ringfenceData := ast.MustInterfaceToValue(map[string]any{"catalog": catalog.Data(eng.Rules())})
	for _, rule := range eng.Rules() {
		if !rule.RunsIn("gatekeeper") {
			continue // it reads an analysis only the harness makes
		}
		for _, c := range ruleFixtures(t, rule.ID) {
			res := load.Paths(ctx, []string{c.Path}, nil)
			inv := inventory.NewBuilder()
			values := make([]ast.Value, len(res.Documents))
			for i, d := range res.Documents {
				values[i] = ast.MustInterfaceToValue(d.Object)
				meta, _ := d.Object["metadata"].(map[string]any)
				ns, _ := meta["namespace"].(string)
				name, _ := meta["name"].(string)
				inv.Add(d.Object["apiVersion"].(string), d.Object["kind"].(string), ns, name, d.Object, values[i])
			}
			data := ringfenceData
			if e, ok := c.ImageExemption(); ok {
				data = ast.MustInterfaceToValue(map[string]any{
					"catalog": catalog.Data(eng.Rules()),
					"config":  map[string]any{"exemptions": []any{map[string]any{"rule": e.Rule, "images": e.Images}}},
				})
			}
			store := inmem.NewFromASTObject(ast.NewObject(
				ast.Item(ast.StringTerm("inventory"), ast.NewTerm(inv.Build())),
				ast.Item(ast.StringTerm("ringfence"), ast.NewTerm(data)),
			))
			pq, err := rego.New(rego.Compiler(compiler), rego.Store(store),
				rego.Query("some f in data.ringfence.main.findings; f.rule == input.rule; msg := f.msg"),
			).PrepareForEval(ctx)
			if err != nil {
				t.Fatal(err)
			}
			params := c.Parameters
			if params == nil {
				params = map[string]any{}
			}
			got := []string{}
			for _, v := range values {
				input := ast.NewObject(
					ast.Item(ast.StringTerm("review"), ast.ObjectTerm(ast.Item(ast.StringTerm("object"), ast.NewTerm(v)))),
					ast.Item(ast.StringTerm("parameters"), ast.NewTerm(ast.MustInterfaceToValue(params))),
					ast.Item(ast.StringTerm("rule"), ast.StringTerm(rule.ID)),
				)
				rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
				if err != nil {
					t.Fatalf("%s: %v", c.Path, err)
				}
				for _, r := range rs {
					got = append(got, r.Bindings["msg"].(string))
				}
			}
			slices.Sort(got)
			want := slices.Clone(c.Expect)
			if want == nil {
				want = []string{}
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s under a Gatekeeper review (-want +got):\n%s", c.Path, diff)
			}
		}
	}
}
