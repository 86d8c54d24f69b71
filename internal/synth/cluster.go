package synth

import (
	"fmt"
	"math/rand/v2"
)

// Cluster returns a segmented cluster for the connectivity benchmarks: namespaces
// labelled env and team, workloads (Deployments, a few StatefulSets and DaemonSets) in
// web, api and db tiers with named ports, and policies: a default deny per namespace
// (ingress and egress) in three namespaces of four while policies remain, then per-tier allow policies: web from the
// ingress namespace, api from web, db from api, DNS egress, and some cross-namespace
// rules from namespaces of the same team or env. The same arguments always give the
// same objects.
func Cluster(namespaces, workloads, policies int, seed uint64) []map[string]any {
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	envs := []string{"prod", "staging", "dev"}
	tiers := []string{"web", "api", "db"}
	var out []map[string]any
	names := make([]string, namespaces)
	for i := range namespaces {
		names[i] = fmt.Sprintf("ns-%04d", i)
		labels := map[string]any{"env": envs[i%len(envs)], "team": fmt.Sprintf("team-%d", i%7)}
		out = append(out, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(names[i], "", labels)})
	}
	for i := range workloads {
		ns := names[i%namespaces]
		tier := tiers[rng.IntN(len(tiers))]
		app := fmt.Sprintf("app-%05d", i)
		kind, apiVersion := "Deployment", "apps/v1"
		switch rng.IntN(10) {
		case 0:
			kind = "StatefulSet"
		case 1:
			kind = "DaemonSet"
		}
		port := map[string]any{"name": "http", "containerPort": 8080}
		if tier == "db" {
			port = map[string]any{"name": "sql", "containerPort": 5432}
		}
		out = append(out, map[string]any{
			"apiVersion": apiVersion, "kind": kind, "metadata": meta(app, ns, nil),
			"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": app}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": app, "tier": tier}},
					"spec":     map[string]any{"containers": []any{map[string]any{"name": app, "image": "registry.example.com/" + app + ":1.0", "ports": []any{port}}}},
				},
			},
		})
	}
	policy := func(ns, name string, spec map[string]any) map[string]any {
		return map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns, nil), "spec": spec}
	}
	tierSel := func(t string) map[string]any { return map[string]any{"matchLabels": map[string]any{"tier": t}} }
	n := 0
	for i := 0; n < policies && i < namespaces; i++ {
		if i%4 == 3 {
			continue // every fourth namespace has no default deny
		}
		out = append(out, defaultDeny(names[i]))
		n++
	}
	for i := 0; n < policies; i++ {
		ns := names[i%namespaces]
		var spec map[string]any
		switch i / namespaces % 5 {
		case 0: // web from the ingress namespace and the same team
			spec = map[string]any{"podSelector": tierSel("web"), "ingress": []any{map[string]any{
				"from": []any{
					map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": names[0]}}},
					map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"team": fmt.Sprintf("team-%d", rng.IntN(7))}}, "podSelector": tierSel("web")},
				},
				"ports": []any{map[string]any{"port": "http"}},
			}}}
		case 1: // api from web
			spec = map[string]any{"podSelector": tierSel("api"), "ingress": []any{map[string]any{
				"from": []any{map[string]any{"podSelector": tierSel("web")}}, "ports": []any{map[string]any{"port": 8080}},
			}}}
		case 2: // db from api
			spec = map[string]any{"podSelector": tierSel("db"), "ingress": []any{map[string]any{
				"from": []any{map[string]any{"podSelector": tierSel("api")}}, "ports": []any{map[string]any{"port": "sql"}},
			}}}
		case 3: // egress: DNS, and api and db within the namespace
			spec = map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Egress"}, "egress": []any{
				map[string]any{"ports": []any{map[string]any{"port": 53, "protocol": "UDP"}, map[string]any{"port": 53}}},
				map[string]any{"to": []any{map[string]any{"podSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"api", "db"}}}}}}},
			}}
		default: // api from the same env's web tiers
			spec = map[string]any{"podSelector": tierSel("api"), "ingress": []any{map[string]any{
				"from":  []any{map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"env": envs[rng.IntN(len(envs))]}}, "podSelector": tierSel("web")}},
				"ports": []any{map[string]any{"port": 8000, "endPort": 8100}},
			}}}
		}
		out = append(out, policy(ns, fmt.Sprintf("allow-%04d", i), spec))
		n++
	}
	return out
}
