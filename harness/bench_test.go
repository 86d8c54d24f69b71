package harness_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
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

// BenchmarkNetworkRules evaluates the network rules, the cross-object ones and the
// segmentation invariants over the connectivity model included, on the generated cluster
// of 50 namespaces, 2,000 workloads and 1,000 NetworkPolicies, and on ten times that.
func BenchmarkNetworkRules(b *testing.B) {
	var ids []string
	probe := sharedEngine(b)
	for _, r := range probe.Rules() {
		if r.Area == "network" {
			ids = append(ids, r.ID)
		}
	}
	cfg := config.Config{Parameters: map[string]map[string]any{"RF-NET-030": {"invariants": []any{
		map[string]any{"name": "prod-from-dev", "from": map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"env": "dev"}}},
			"to": map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"env": "prod"}}}},
	}}}}
	eng, err := harness.New(context.Background(), harness.WithRules(ids...), harness.WithConfig(cfg))
	if err != nil {
		b.Fatal(err)
	}
	for _, scale := range []int{1, 10} {
		raw := synth.Cluster(50*scale, 2000*scale, 1000*scale, 1)
		objs := make([]harness.Object, len(raw))
		for i, o := range raw {
			objs[i] = harness.FromMap(o)
		}
		b.Run(fmt.Sprintf("workloads=%d", 2000*scale), func(b *testing.B) {
			b.ReportAllocs()
			findings := 0
			for b.Loop() {
				rep, err := eng.Evaluate(context.Background(), objs)
				if err != nil {
					b.Fatal(err)
				}
				if len(rep.Errors) > 0 {
					b.Fatal(rep.Errors[0])
				}
				findings = len(rep.Findings)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}
