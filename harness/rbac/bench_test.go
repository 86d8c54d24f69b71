package rbac_test

import (
	"fmt"
	"testing"

	"github.com/ringfence/ringfence/harness/rbac"
	"github.com/ringfence/ringfence/internal/synth"
)

// BenchmarkResolve resolves generated sets (workloads with their ServiceAccounts, Roles
// and RoleBindings, some bound to cluster-admin) with the default policy, and checks every
// workload's service account for the dangerous capabilities, as the RF-RBAC-02x rules do.
func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			objs := synth.Generate(n, 1)
			caps := rbac.Capabilities()
			b.ReportAllocs()
			for b.Loop() {
				p, errs := rbac.New(objs, rbac.Options{})
				if len(errs) > 0 {
					b.Fatal(errs[0])
				}
				held := 0
				for _, w := range p.Workloads() {
					ns, name := p.ServiceAccountOf(w)
					held += len(p.Holdings(rbac.ServiceAccount(ns, name), caps))
				}
				if held == 0 {
					b.Fatal("no capability found in the generated set")
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkDefaultPolicy measures reading the embedded default policy, paid once per
// resolution.
func BenchmarkDefaultPolicy(b *testing.B) {
	for b.Loop() {
		if _, err := rbac.DefaultPolicy(); err != nil {
			b.Fatal(err)
		}
	}
}
