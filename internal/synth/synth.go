// Package synth generates realistic sets of Kubernetes objects for benchmarks: namespaces
// of workloads with their Services, ServiceAccounts, NetworkPolicies and RBAC, with a
// share of deliberate problems so rules have something to find.
package synth

import (
	"fmt"
	"math/rand/v2"
)

// objectsPerNamespace is how many objects one generated namespace holds.
const objectsPerNamespace = 50

// Generate returns n objects spread over namespaces of about 50 objects each. The same
// n and seed always give the same objects.
func Generate(n int, seed uint64) []map[string]any {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]map[string]any, 0, n)
	for ns := 0; len(out) < n; ns++ {
		namespace := fmt.Sprintf("team-%04d", ns)
		out = append(out, namespaceObject(namespace, rng))
		if rng.IntN(3) > 0 {
			out = append(out, defaultDeny(namespace))
		}
		for app := 0; len(out) < n && app < objectsPerNamespace/6; app++ {
			out = append(out, appObjects(namespace, fmt.Sprintf("app-%02d", app), rng)...)
		}
	}
	return out[:n]
}

func meta(name, namespace string, labels map[string]any) map[string]any {
	m := map[string]any{"name": name}
	if namespace != "" {
		m["namespace"] = namespace
	}
	if labels != nil {
		m["labels"] = labels
	}
	return m
}

func namespaceObject(name string, rng *rand.Rand) map[string]any {
	labels := map[string]any{"kubernetes.io/metadata.name": name}
	if rng.IntN(2) == 0 {
		labels["pod-security.kubernetes.io/enforce"] = "restricted"
	}
	return map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, "", labels)}
}

func defaultDeny(namespace string) map[string]any {
	return map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": meta("default-deny", namespace, nil),
		"spec":     map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress", "Egress"}},
	}
}

// appObjects is one application: Deployment, Service, ServiceAccount, NetworkPolicy,
// Role and RoleBinding.
func appObjects(namespace, app string, rng *rand.Rand) []map[string]any {
	labels := map[string]any{"app": app, "tier": []string{"web", "api", "db"}[rng.IntN(3)]}
	sc := map[string]any{"allowPrivilegeEscalation": false, "runAsNonRoot": true}
	if rng.IntN(20) == 0 {
		sc = map[string]any{"privileged": true}
	}
	container := map[string]any{
		"name": app, "image": "registry.example.com/" + app + ":1.0",
		"ports":           []any{map[string]any{"containerPort": 8080, "name": "http"}},
		"securityContext": sc,
	}
	if rng.IntN(25) == 0 {
		container["ports"] = []any{map[string]any{"containerPort": 8080, "hostPort": 8080}}
	}
	podSpec := map[string]any{"serviceAccountName": app, "containers": []any{container}}
	if rng.IntN(30) == 0 {
		podSpec["hostNetwork"] = true
	}
	kind, apiVersion := "Deployment", "apps/v1"
	if rng.IntN(8) == 0 {
		kind = "StatefulSet"
	}
	workload := map[string]any{
		"apiVersion": apiVersion, "kind": kind, "metadata": meta(app, namespace, labels),
		"spec": map[string]any{
			"replicas": 2,
			"selector": map[string]any{"matchLabels": map[string]any{"app": app}},
			"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": podSpec},
		},
	}
	svcType := "ClusterIP"
	switch rng.IntN(15) {
	case 0:
		svcType = "NodePort"
	case 1:
		svcType = "LoadBalancer"
	}
	service := map[string]any{
		"apiVersion": "v1", "kind": "Service", "metadata": meta(app, namespace, labels),
		"spec": map[string]any{
			"type": svcType, "selector": map[string]any{"app": app},
			"ports": []any{map[string]any{"port": 80, "targetPort": 8080}},
		},
	}
	automount := rng.IntN(2) == 0
	sa := map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(app, namespace, nil), "automountServiceAccountToken": automount}
	netpol := map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(app+"-ingress", namespace, nil),
		"spec": map[string]any{
			"podSelector": map[string]any{"matchLabels": map[string]any{"app": app}},
			"ingress": []any{map[string]any{
				"from":  []any{map[string]any{"podSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"web", "api"}}}}}},
				"ports": []any{map[string]any{"port": 8080, "protocol": "TCP"}},
			}},
		},
	}
	verbs := []any{"get", "list", "watch"}
	if rng.IntN(10) == 0 {
		verbs = []any{"*"}
	}
	role := map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(app, namespace, nil),
		"rules": []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": verbs}},
	}
	binding := map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(app, namespace, nil),
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
		"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": app, "namespace": namespace}},
	}
	if rng.IntN(40) == 0 {
		binding["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
	}
	objs := []map[string]any{workload, service, sa, role, binding}
	if rng.IntN(4) > 0 {
		objs = append(objs, netpol)
	}
	return objs
}
