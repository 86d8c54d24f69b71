package harness_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// TestCalicoSelector checks data.ringfence.lib.calico's evaluator of the Calico selector
// language (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors)
// on hand-written cases: every operator, precedence, nesting, negation chains, absent
// keys, quoting and invalid selectors.
func TestCalicoSelector(t *testing.T) {
	ctx := context.Background()
	pq, err := rego.New(
		rego.Compiler(compiledPolicies(t)),
		rego.Query(`x := {
			"valid": count({1 | data.ringfence.lib.calico.valid(input.sel)}) > 0,
			"matches": count({1 | data.ringfence.lib.calico.matches(input.sel, input.labels)}) > 0,
			"all": count({1 | data.ringfence.lib.calico.selects_all(input.sel)}) > 0,
			"keys": [k | some k in data.ringfence.lib.calico.keys(input.sel)],
		}`),
	).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eval := func(sel any, lbls map[string]any) map[string]any {
		t.Helper()
		rs, err := pq.Eval(ctx, rego.EvalInput(map[string]any{"sel": sel, "labels": lbls}))
		if err != nil {
			t.Fatalf("selector %q: %v", sel, err)
		}
		if len(rs) != 1 {
			t.Fatalf("selector %q: %d results", sel, len(rs))
		}
		return rs[0].Bindings["x"].(map[string]any)
	}

	web := map[string]any{"app": "web", "tier": "frontend", "env": "prod", "team": "a-b/c"}
	cases := []struct {
		sel    string
		labels map[string]any
		valid  bool
		want   bool
	}{
		// empty and functions
		{"", web, true, true},
		{"   ", map[string]any{}, true, true},
		{"all()", web, true, true},
		{"all( )", map[string]any{}, true, true},
		{"global()", web, true, false},
		{"!global()", web, true, true},
		// has
		{"has(app)", web, true, true},
		{"has( app )", web, true, true},
		{"has(missing)", web, true, false},
		{"!has(missing)", web, true, true},
		// equality
		{`app == "web"`, web, true, true},
		{`app=='web'`, web, true, true},
		{`app == "db"`, web, true, false},
		{`missing == ""`, web, true, false},
		{`app != "db"`, web, true, true},
		{`app != "web"`, web, true, false},
		{`missing != "x"`, web, true, true},
		// sets
		{`app in {"web", "db"}`, web, true, true},
		{`app in {'db'}`, web, true, false},
		{`app in {}`, web, true, false},
		{`missing in {"x"}`, web, true, false},
		{`app not in {"web"}`, web, true, false},
		{`app not in { "db" , 'cache' }`, web, true, true},
		{`missing not in {"x"}`, web, true, true},
		// string operators
		{`app contains "e"`, web, true, true},
		{`app contains "z"`, web, true, false},
		{`app starts with "we"`, web, true, true},
		{`app starts  with 'eb'`, web, true, false},
		{`app ends with "eb"`, web, true, true},
		{`app ends with "we"`, web, true, false},
		{`missing contains ""`, web, true, false},
		{`team starts with "a-b/"`, web, true, true},
		// keys with prefixes
		{`projectcalico.org/namespace == "shop"`, map[string]any{"projectcalico.org/namespace": "shop"}, true, true},
		{`projectcalico.org/namespace not in {'kube-system', 'calico-system'}`, map[string]any{"projectcalico.org/namespace": "shop"}, true, true},
		{`projectcalico.org/namespace not in {'kube-system', 'calico-system'}`, map[string]any{"projectcalico.org/namespace": "kube-system"}, true, false},
		// boolean operators and precedence
		{`app == "web" && env == "prod"`, web, true, true},
		{`app == "web" && env == "dev"`, web, true, false},
		{`app == "db" || env == "prod"`, web, true, true},
		{`app == "db" || env == "dev"`, web, true, false},
		// && binds tighter than ||: T || (F && F) is true, (T || F) && F would be false
		{`app == 'web' || tier == 'x' && env == 'z'`, web, true, true},
		// (F && T) || T is true; F && (T || T) would be false
		{`app == 'db' && tier == 'frontend' || env == 'prod'`, web, true, true},
		// F || (T && F) is false
		{`app == 'db' || tier == 'frontend' && env == 'dev'`, web, true, false},
		{`(app == 'web' || tier == 'x') && env == 'z'`, web, true, false},
		// ! binds tightest: (!T) && T is false, !(T && T) also false; (!F) && F vs !(F && F)
		{`!has(missing) && has(other)`, web, true, false},
		{`!has(app) || has(tier)`, web, true, true},
		{`!(has(app) && has(missing))`, web, true, true},
		// chains
		{`has(app) && has(tier) && has(env) && has(team) && !has(x)`, web, true, true},
		{`has(x) || has(y) || has(z) || has(w) || has(app)`, web, true, true},
		{`has(x) || has(y) || has(z) || has(w) || has(v)`, web, true, false},
		// ! chains
		{`!!has(app)`, web, true, true},
		{`!!!has(app)`, web, true, false},
		{`! ! ! ! has(app)`, web, true, true},
		{`!(!(!has(app)))`, web, true, false},
		// nesting depth >= 3
		{`((has(app) && (env == 'prod' || (tier == 'x' && !has(team)))) || has(q))`, web, true, true},
		{`(((((has(app)))))) && !(((has(q) || (has(r) && (has(s) || has(app))))))`, web, true, true},
		{`!((app == 'web') && ((env in {'prod'}) && !(team ends with 'x')))`, web, true, false},
		// quoting: operators inside strings are text
		{`app == "a && b"`, map[string]any{"app": "a && b"}, true, true},
		{`app == 'has(x) || y'`, web, true, false},
		{`app == "it's"`, map[string]any{"app": "it's"}, true, true},
		{`app == '"q"'`, map[string]any{"app": `"q"`}, true, true},
		// whitespace anywhere
		{"\n  app==\"web\"\n&&\tenv ==  'prod'  ", web, true, true},
		// invalid
		{`(has(app)`, web, false, false},
		{`has(app))`, web, false, false},
		{`has(app) &&`, web, false, false},
		{`|| has(app)`, web, false, false},
		{`has(app) & has(tier)`, web, false, false},
		{`has(app) & & has(tier)`, web, false, false},
		{`has(app) &&& has(tier)`, web, false, false},
		{`has(app) has(tier)`, web, false, false},
		{`has(app)!`, web, false, false},
		{`has(app) !!`, web, false, false},
		{`()`, web, false, false},
		{`app = "web"`, web, false, false},
		{`app == web`, web, false, false},
		{`app == "web`, web, false, false},
		{`app in "web"`, web, false, false},
		{`app in {"web"`, web, false, false},
		{`T && has(app)`, web, false, false},
		{`"app == 'web'"`, web, false, false},
		{`has()`, web, false, false},
		{`app contains`, web, false, false},
		{`!`, web, false, false},
	}
	for _, c := range cases {
		got := eval(c.sel, c.labels)
		if got["valid"] != c.valid {
			t.Errorf("valid(%q) = %v, want %v", c.sel, got["valid"], c.valid)
		}
		if got["matches"] != c.want {
			t.Errorf("matches(%q, %v) = %v, want %v", c.sel, c.labels, got["matches"], c.want)
		}
	}

	// selects_all and keys
	for _, c := range []struct {
		sel  string
		all  bool
		keys []string
	}{
		{"", true, nil},
		{"all()", true, nil},
		{"!global()", false, nil},
		{"!(!all())", true, nil},
		{"has(a)", false, []string{"a"}},
		{`a == 'x' || !has(b) && c in {'1'} || d starts with 'q'`, false, []string{"a", "b", "c", "d"}},
		{`projectcalico.org/namespace != 'x'`, false, []string{"projectcalico.org/namespace"}},
		{"(has(a)", false, nil},
	} {
		got := eval(c.sel, nil)
		if got["all"] != c.all {
			t.Errorf("selects_all(%q) = %v, want %v", c.sel, got["all"], c.all)
		}
		var keys []string
		for _, k := range got["keys"].([]any) {
			keys = append(keys, k.(string))
		}
		sort.Strings(keys)
		if !slices.Equal(keys, c.keys) {
			t.Errorf("keys(%q) = %v, want %v", c.sel, keys, c.keys)
		}
	}

	// canonical forms and conjunctions, which RF-NET-042 compares
	cq, err := rego.New(
		rego.Compiler(compiledPolicies(t)),
		rego.Query(`x := {
			"same": count({1 | data.ringfence.lib.calico.canonical(input.a) == data.ringfence.lib.calico.canonical(input.b)}) > 0,
			"subset": count({1 | a := data.ringfence.lib.calico.conjuncts(input.a); b := data.ringfence.lib.calico.conjuncts(input.b); count(a - b) == 0}) > 0,
		}`),
	).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a, b         string
		same, subset bool
	}{
		{`a == "x"`, `a=='x'`, true, true},
		{`a == "x y"`, `a == "xy"`, false, false},
		{`a in {"1", '2'}`, `a in {'2',"1"}`, true, true},
		{"projectcalico.org/name == \"a\" ||\n projectcalico.org/name == 'b'", `projectcalico.org/name == 'a' || projectcalico.org/name == "b"`, true, false},
		{`a == 'x'`, `b == 'y' && a == 'x'`, false, true},
		{`a == 'x' && !has(c)`, `!has(c) && b == 'y' && a == 'x'`, false, true},
		{`a == 'x' && has(c)`, `!has(c) && a == 'x'`, false, false},
		{`a == 'x'`, `(a == 'x') && b == 'y'`, false, false},
		{`a == 'x'`, `a == 'x' || b == 'y'`, false, false},
		{`a starts  with 'x'`, `a starts with "x"`, true, true},
		{`(a == 'x'`, `(a == 'x'`, false, false},
	} {
		rs, err := cq.Eval(ctx, rego.EvalInput(map[string]any{"a": c.a, "b": c.b}))
		if err != nil || len(rs) != 1 {
			t.Fatalf("%q vs %q: %v %v", c.a, c.b, rs, err)
		}
		got := rs[0].Bindings["x"].(map[string]any)
		if got["same"] != c.same || got["subset"] != c.subset {
			t.Errorf("%q vs %q: %v, want same %v subset %v", c.a, c.b, got, c.same, c.subset)
		}
	}

	// non-strings are never valid and match nothing
	for _, sel := range []any{nil, 3, []any{"all()"}, map[string]any{}} {
		got := eval(sel, web)
		if got["valid"] != false || got["matches"] != false || got["all"] != false {
			t.Errorf("selector %v: %v", sel, got)
		}
	}
}
