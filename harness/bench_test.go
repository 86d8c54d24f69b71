package harness_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/internal/synth"
)

// BenchmarkEvaluate measures a whole evaluation (inventory, every rule on every object)
// over generated mixed sets of workloads, Services, NetworkPolicies and RBAC.
func BenchmarkEvaluate(b *testing.B) {
	eng := sharedEngine(b)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			raw := synth.Generate(n, 1)
			objs := make([]harness.Object, len(raw))
			for i, o := range raw {
				objs[i] = harness.FromMap(o)
			}
			b.ReportAllocs()
			for b.Loop() {
				rep, err := eng.Evaluate(context.Background(), objs)
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Errors) > 0 {
					b.Fatalf("evaluation errors: %v", rep.Errors[0])
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkCompile measures compiling the embedded rules, paid once per process.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := harness.New(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
