package netmap_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/ringfence/ringfence/harness/netmap"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/internal/synth"
)

// BenchmarkNetmap maps a generated cluster of 50 namespaces, 2,000 workloads and 1,000
// NetworkPolicies, one ten times that size, and the first with Cilium policies added:
// building the model and listing every allowed connection.
func BenchmarkNetmap(b *testing.B) {
	for _, scale := range []int{1, 10} {
		objs := synth.Cluster(50*scale, 2000*scale, 1000*scale, 1)
		b.Run(fmt.Sprintf("workloads=%d", 2000*scale), func(b *testing.B) {
			benchmarkMap(b, objs)
		})
	}
	// The first cluster with Cilium policies added (synth.WithCilium).
	objs := synth.WithCilium(synth.Cluster(50, 2000, 1000, 1), 1)
	b.Run("workloads=2000,cilium", func(b *testing.B) { benchmarkMap(b, objs) })
	// The same cluster as a dump of its pods, five replicas a workload, whose
	// controllers are not in the set: the pods are grouped back into one workload each.
	objs = podDump(synth.Cluster(50, 2000, 1000, 1), 5)
	b.Run("pods=10000", func(b *testing.B) { benchmarkMap(b, objs) })
}

func benchmarkMap(b *testing.B, objs []map[string]any) {
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
}

// podDump replaces every Deployment, StatefulSet and DaemonSet by replicas Pods made
// from its template, with the labels and owner references their controllers give them.
func podDump(objs []map[string]any, replicas int) []map[string]any {
	var out []map[string]any
	for _, o := range objs {
		kind, _ := o["kind"].(string)
		if kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet" {
			out = append(out, o)
			continue
		}
		meta := o["metadata"].(map[string]any)
		name := meta["name"].(string)
		tmpl := o["spec"].(map[string]any)["template"].(map[string]any)
		ownerKind, owner := kind, name
		if kind == "Deployment" {
			ownerKind, owner = "ReplicaSet", name+"-5d4f8c6b7"
		}
		for r := range replicas {
			labels := maps.Clone(tmpl["metadata"].(map[string]any)["labels"].(map[string]any))
			switch kind {
			case "Deployment":
				labels["pod-template-hash"] = "5d4f8c6b7"
			case "StatefulSet":
				labels["statefulset.kubernetes.io/pod-name"] = fmt.Sprintf("%s-%d", name, r)
				labels["controller-revision-hash"] = name + "-7c9f"
			case "DaemonSet":
				labels["controller-revision-hash"] = "7c9f"
				labels["pod-template-generation"] = "1"
			}
			out = append(out, map[string]any{
				"apiVersion": "v1", "kind": "Pod",
				"metadata": map[string]any{
					"name": fmt.Sprintf("%s-%d", owner, r), "namespace": meta["namespace"], "labels": labels,
					"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": ownerKind, "name": owner, "uid": "u-" + owner, "controller": true}},
				},
				"spec": tmpl["spec"],
			})
		}
	}
	return out
}
