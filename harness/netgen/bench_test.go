package netgen

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchApps is a generated set of apps: namespaces of Deployments, each with a Service,
// whose containers name three other Services (a third of them in other namespaces) in
// environment variables, and a ConfigMap per namespace naming one more.
func benchApps(namespaces, perNamespace int) []map[string]any {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []map[string]any
	name := func(ns, i int) string { return fmt.Sprintf("svc-%04d", ns*perNamespace+i) }
	nsName := func(ns int) string { return fmt.Sprintf("ns-%03d", ns) }
	for ns := range namespaces {
		out = append(out, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": nsName(ns)}})
		out = append(out, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "settings", "namespace": nsName(ns)},
			"data": map[string]any{"UPSTREAM_URL": fmt.Sprintf("http://%s.%s.svc.cluster.local:80", name(ns, 0), nsName(ns))}})
		for i := range perNamespace {
			app := name(ns, i)
			var env []any
			for j := range 3 {
				tns, ti := ns, rng.IntN(perNamespace)
				host := name(tns, ti)
				if j == 2 {
					tns = rng.IntN(namespaces)
					host = name(tns, ti) + "." + nsName(tns)
				}
				env = append(env, map[string]any{"name": fmt.Sprintf("DEP_%d_ADDR", j), "value": fmt.Sprintf("%s:80", host)})
			}
			labels := map[string]any{"app": app, "tier": []string{"web", "api", "db"}[i%3], "pod-template-hash": "x"}
			out = append(out, map[string]any{
				"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": app, "namespace": nsName(ns)},
				"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": app}}, "template": map[string]any{
					"metadata": map[string]any{"labels": labels},
					"spec": map[string]any{"containers": []any{map[string]any{
						"name": "app", "image": "example/app", "env": env,
						"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "settings"}}},
						"ports":   []any{map[string]any{"name": "http", "containerPort": 8080}},
					}}},
				}},
			})
			out = append(out, map[string]any{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": app, "namespace": nsName(ns)},
				"spec": map[string]any{"selector": map[string]any{"app": app}, "ports": []any{map[string]any{"port": 80, "targetPort": "http"}}}})
		}
	}
	return out
}

// BenchmarkGenerate generates and proves the policies of 2,000 and 10,000 workloads.
func BenchmarkGenerate(b *testing.B) {
	for _, size := range []struct{ namespaces, per int }{{20, 100}, {100, 100}} {
		objs := benchApps(size.namespaces, size.per)
		b.Run(fmt.Sprintf("workloads=%d", size.namespaces*size.per), func(b *testing.B) {
			b.ReportAllocs()
			conns := 0
			for b.Loop() {
				r, err := Generate(objs, Options{})
				if err != nil {
					b.Fatal(err)
				}
				p, err := Prove(objs, r)
				if err != nil || !p.OK() {
					b.Fatalf("proof: %v %+v", err, p)
				}
				conns = len(r.Connections)
			}
			b.ReportMetric(float64(conns), "connections")
		})
	}
}
