package harness

import (
	"context"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ringfence/ringfence/internal/synth"
)

// BenchmarkDecision evaluates the decision for one object of each kind of the generated
// 10k mix, against the inventory of the whole set: what one object costs, by kind.
func BenchmarkDecision(b *testing.B) {
	ctx := context.Background()
	eng, err := New(ctx)
	if err != nil {
		b.Fatal(err)
	}
	raw := synth.Generate(10000, 1)
	objs := make([]Object, len(raw))
	for i, o := range raw {
		objs[i] = FromMap(o)
	}
	ev, err := eng.prepare(ctx, objs, nil)
	if err != nil {
		b.Fatal(err)
	}
	first := map[string]int{}
	var kinds []string
	for i, it := range ev.items {
		if _, ok := first[it.ref.Kind]; !ok {
			first[it.ref.Kind] = i
			kinds = append(kinds, it.ref.Kind)
		}
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		it := ev.items[first[kind]]
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ev.pq.Eval(ctx, rego.EvalParsedInput(it.value)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
