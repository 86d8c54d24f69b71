package harness_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/internal/synth"
)

// TestProfiling checks that a profiled evaluation reports the same findings as a plain
// one, and that each rule's profile counts the objects of its kinds and, with no
// exemptions in play, exactly the findings the report holds for it.
func TestProfiling(t *testing.T) {
	ctx := context.Background()
	raw := synth.Generate(300, 7)
	objs := make([]harness.Object, len(raw))
	kinds := map[string]int{}
	for i, o := range raw {
		objs[i] = harness.FromMap(o)
		kind, _ := o["kind"].(string)
		kinds[kind]++
	}
	plain, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	profiled, err := harness.New(ctx, harness.WithProfiling())
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Evaluate(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := profiled.Evaluate(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	if want.Profile != nil {
		t.Error("an engine without WithProfiling returned a profile")
	}
	if diff := cmp.Diff(want.Findings, got.Findings); diff != "" {
		t.Fatalf("profiling changed the findings (-plain +profiled):\n%s", diff)
	}
	if got.Profile == nil {
		t.Fatal("no profile")
	}
	findings := map[string]int{}
	for _, f := range got.Findings {
		findings[f.Rule]++
	}
	if len(got.Profile.Rules) != len(profiled.Rules()) {
		t.Errorf("%d rules profiled, want %d", len(got.Profile.Rules), len(profiled.Rules()))
	}
	for i, c := range got.Profile.Rules {
		if i > 0 && c.Total > got.Profile.Rules[i-1].Total {
			t.Errorf("%s costs more than %s, which comes before it", c.Rule, got.Profile.Rules[i-1].Rule)
		}
		rule, _ := profiled.Rule(c.Rule)
		dispatched := 0
		seen := map[string]bool{}
		for _, k := range rule.Kinds {
			if !seen[k.Kind] {
				seen[k.Kind] = true
				dispatched += kinds[k.Kind]
			}
		}
		if c.Objects != dispatched {
			t.Errorf("%s: dispatched to %d objects, want %d", c.Rule, c.Objects, dispatched)
		}
		if c.Findings != findings[c.Rule] {
			t.Errorf("%s: %d findings in the profile, %d in the report", c.Rule, c.Findings, findings[c.Rule])
		}
	}
	var phases []string
	for _, p := range got.Profile.Phases {
		phases = append(phases, p.Name)
	}
	if diff := cmp.Diff([]string{"inventory", "models", "rules", "report"}, phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
}
