package netmap_test

import (
	"fmt"
	"testing"

	"github.com/ringfence/ringfence/harness/netmap"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/internal/synth"
)

// BenchmarkNetmap maps a generated cluster of 50 namespaces, 2,000 workloads and 1,000
// NetworkPolicies, and one ten times that size: building the model and listing every
// allowed connection.
func BenchmarkNetmap(b *testing.B) {
	for _, scale := range []int{1, 10} {
		objs := synth.Cluster(50*scale, 2000*scale, 1000*scale, 1)
		b.Run(fmt.Sprintf("workloads=%d", 2000*scale), func(b *testing.B) {
			b.ReportAllocs()
			conns := 0
			for b.Loop() {
				model, errs := netmodel.FromObjects(objs)
				if len(errs) > 0 {
					b.Fatal(errs[0])
				}
				conns = len(netmap.Build(model, netmap.Options{}).Connections)
			}
			b.ReportMetric(float64(conns), "connections")
		})
	}
}
