package synth

import "math/rand/v2"

// WithCilium adds Cilium policies to a set Generate made, as a cluster running Cilium
// would hold them: about one namespace in two gets a CiliumNetworkPolicy default deny
// (all pods, traffic within the namespace and DNS to kube-dns allowed), and about one
// application in four a CiliumNetworkPolicy of its own, a share of them with the
// problems the Cilium rules look for (the world on every port, any DNS name, the API
// server, a deny nothing overrides, a selector that selects nothing); one clusterwide
// policy in ten namespaces opens a port to every namespace. The set's objects keep their
// order; the policies follow the namespace's objects. It draws from its own random
// numbers, so the set Generate made is unchanged.
func WithCilium(objs []map[string]any, seed uint64) []map[string]any {
	rng := rand.New(rand.NewPCG(seed^0x5bd1e995, seed))
	out := make([]map[string]any, 0, len(objs)+len(objs)/8)
	var namespace string
	var apps []string
	flush := func() {
		if namespace == "" {
			return
		}
		out = append(out, ciliumPolicies(namespace, apps, rng)...)
	}
	for _, o := range objs {
		if o["kind"] == "Namespace" {
			flush()
			namespace, apps = o["metadata"].(map[string]any)["name"].(string), nil
		}
		if o["kind"] == "Deployment" {
			apps = append(apps, o["metadata"].(map[string]any)["name"].(string))
		}
		out = append(out, o)
	}
	flush()
	return out
}

func cnp(name, namespace string, spec map[string]any) map[string]any {
	kind := "CiliumNetworkPolicy"
	if namespace == "" {
		kind = "CiliumClusterwideNetworkPolicy"
	}
	return map[string]any{"apiVersion": "cilium.io/v2", "kind": kind, "metadata": meta(name, namespace, nil), "spec": spec}
}

func appSelector(app string) map[string]any {
	return map[string]any{"matchLabels": map[string]any{"app": app}}
}

func ports(proto string, ps ...string) []any {
	var list []any
	for _, p := range ps {
		list = append(list, map[string]any{"port": p, "protocol": proto})
	}
	return []any{map[string]any{"ports": list}}
}

// ciliumPolicies is the Cilium policies of one namespace.
func ciliumPolicies(namespace string, apps []string, rng *rand.Rand) []map[string]any {
	var out []map[string]any
	if rng.IntN(2) == 0 {
		out = append(out, cnp("default-deny", namespace, map[string]any{
			"endpointSelector": map[string]any{},
			"ingress":          []any{map[string]any{"fromEndpoints": []any{map[string]any{}}}},
			"egress": []any{
				map[string]any{"toEndpoints": []any{map[string]any{}}},
				map[string]any{
					"toEndpoints": []any{map[string]any{"matchLabels": map[string]any{"k8s:io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns"}}},
					"toPorts":     ports("UDP", "53"),
				},
			},
		}))
	}
	for _, app := range apps {
		if rng.IntN(4) > 0 {
			continue
		}
		spec := map[string]any{"endpointSelector": appSelector(app)}
		switch rng.IntN(8) {
		case 0: // the world on every port
			spec["ingress"] = []any{map[string]any{"fromEntities": []any{"world"}}}
		case 1: // any DNS name
			spec["egress"] = []any{map[string]any{"toFQDNs": []any{map[string]any{"matchPattern": "*"}}, "toPorts": ports("TCP", "443")}}
		case 2: // the API server
			spec["egress"] = []any{map[string]any{"toEntities": []any{"kube-apiserver"}, "toPorts": ports("TCP", "443")}}
		case 3: // a deny nothing overrides
			spec["egressDeny"] = []any{map[string]any{"toCIDRSet": []any{map[string]any{"cidr": "169.254.169.254/32"}}}}
		case 4: // selects nothing
			spec["endpointSelector"] = appSelector(app + "-old")
			spec["ingress"] = []any{map[string]any{"fromEndpoints": []any{appSelector(app)}}}
		default: // the usual: its clients on its port, with an HTTP rule now and then
			rule := map[string]any{
				"fromEndpoints": []any{map[string]any{"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"web", "api"}}}}},
				"toPorts":       ports("TCP", "8080"),
			}
			if rng.IntN(3) == 0 {
				rule["toPorts"] = []any{map[string]any{
					"ports": []any{map[string]any{"port": "8080", "protocol": "TCP"}},
					"rules": map[string]any{"http": []any{map[string]any{"method": "GET", "path": "/api/.*"}}},
				}}
			}
			spec["ingress"] = []any{rule}
		}
		out = append(out, cnp(app, namespace, spec))
	}
	if rng.IntN(10) == 0 {
		out = append(out, cnp(namespace+"-metrics", "", map[string]any{
			"endpointSelector": map[string]any{"matchLabels": map[string]any{"k8s:io.kubernetes.pod.namespace": namespace}},
			"ingress":          []any{map[string]any{"fromEndpoints": []any{map[string]any{}}, "toPorts": ports("TCP", "9090")}},
		}))
	}
	return out
}
