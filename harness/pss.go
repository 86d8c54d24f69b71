package harness

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ringfence/ringfence/harness/catalog"
)

// activeFunc is lib/pss's function that answers which checks of the standard apply at a
// level and version setting, each with the minor version to run it at.
var activeFunc = ast.MustParseRef("data.ringfence.lib.pss.active")

// podSecurityChecks is data.ringfence.config.podSecurityChecks: for every Pod Security
// Standards rule whose check applies at the level and version its parameters resolve to,
// the check's ID and the minor version lib/pss runs it at. lib/pss's violations reads it
// instead of resolving the rule's settings on every object. The policies' own active
// function computes it, once per distinct setting. It is nil, and lib/pss resolves the
// settings itself, when no rule is a Pod Security Standards rule, the policies have no
// active function, or two rules share a check (a table keyed by check cannot tell their
// settings apart).
func podSecurityChecks(compiler *ast.Compiler, rules []catalog.Rule, params map[string]map[string]any) (map[string]any, error) {
	type setting struct{ level, version string }
	byCheck := map[string]setting{}
	for _, r := range rules {
		if r.PodSecurity == nil {
			continue
		}
		if _, dup := byCheck[r.PodSecurity.Check]; dup {
			return nil, nil
		}
		level, _ := params[r.ID]["level"].(string)
		version, _ := params[r.ID]["version"].(string)
		byCheck[r.PodSecurity.Check] = setting{level, version}
	}
	if len(byCheck) == 0 || len(compiler.GetRulesExact(activeFunc)) == 0 {
		return nil, nil
	}
	active := map[setting]map[string]any{}
	out := map[string]any{}
	for check, s := range byCheck {
		checks, ok := active[s]
		if !ok {
			call := ast.CallTerm(ast.NewTerm(activeFunc), ast.StringTerm(s.level), ast.StringTerm(s.version))
			rs, err := rego.New(
				rego.Compiler(compiler),
				rego.ParsedQuery(ast.NewBody(ast.Equality.Expr(ast.VarTerm("checks"), call))),
			).Eval(context.Background())
			if err != nil {
				return nil, fmt.Errorf("the Pod Security Standards checks at level %q, version %q: %w", s.level, s.version, err)
			}
			if len(rs) != 1 {
				return nil, fmt.Errorf("the Pod Security Standards checks at level %q, version %q are undefined", s.level, s.version)
			}
			if checks, ok = rs[0].Bindings["checks"].(map[string]any); !ok {
				return nil, fmt.Errorf("the Pod Security Standards checks at level %q, version %q: want an object, got %T", s.level, s.version, rs[0].Bindings["checks"])
			}
			active[s] = checks
		}
		if m, ok := checks[check]; ok {
			if _, isNumber := m.(json.Number); !isNumber {
				return nil, fmt.Errorf("the Pod Security Standards check %s: want a minor version, got %v", check, m)
			}
			out[check] = m
		}
	}
	return out, nil
}
