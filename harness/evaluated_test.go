package harness_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/internal/synth"
)

// TestEvaluated checks that a report lists every object with the rules dispatched to it:
// as many objects per rule as the profile timed, every finding's rule among its object's,
// and that Keep drops the objects it drops the findings of.
func TestEvaluated(t *testing.T) {
	ctx := context.Background()
	raw := synth.Generate(150, 3)
	objs := make([]harness.Object, len(raw))
	for i, o := range raw {
		objs[i] = harness.FromMap(o)
	}
	eng, err := harness.New(ctx, harness.WithProfiling())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Evaluate(ctx, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Evaluated) != len(objs)-len(rep.Errors) {
		t.Errorf("%d objects evaluated, want %d (%d errors)", len(rep.Evaluated), len(objs)-len(rep.Errors), len(rep.Errors))
	}
	got := map[string]int{}
	rulesOf := map[harness.ObjectRef][]string{}
	for _, o := range rep.Evaluated {
		rulesOf[o.Object] = o.Rules
		for _, id := range o.Rules {
			got[id]++
		}
	}
	want := map[string]int{}
	for _, c := range rep.Profile.Rules {
		if c.Objects > 0 {
			want[c.Rule] = c.Objects
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects per rule (-profile +evaluated):\n%s", diff)
	}
	for _, f := range rep.Findings {
		if !slices.Contains(rulesOf[f.Object], f.Rule) {
			t.Errorf("finding of %s on %+v, which the report says %s was not evaluated on", f.Rule, f.Object, f.Rule)
		}
	}

	ns := rep.Evaluated[0].Object.Namespace
	rep.Keep(func(r harness.ObjectRef) bool { return r.Namespace == ns })
	for _, o := range rep.Evaluated {
		if o.Object.Namespace != ns {
			t.Fatalf("Keep left %+v", o.Object)
		}
	}
}
