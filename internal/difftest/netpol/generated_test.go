package netpol_test

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netgen"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/workload"
)

const corpusDir = "../../../../shared/corpus"

// TestGeneratedPoliciesAgainstCyclonus generates NetworkPolicies for corpus projects and
// checks that cyclonus's matcher and ringfence's model agree on every connection between
// the projects' workloads, on every port they declare and the ports the generated rules
// open, and with addresses outside the cluster: the generated policies allow what
// ringfence's model, which the generator's proof uses, says they allow.
func TestGeneratedPoliciesAgainstCyclonus(t *testing.T) {
	for _, project := range []string{
		"microservices-demo/kubernetes-manifests",
		"sock-shop/deploy/kubernetes/complete-demo.yaml",
		"voting-app",
	} {
		t.Run(project, func(t *testing.T) {
			path := filepath.Join(corpusDir, project)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("no corpus: %v", err)
			}
			res := load.Paths(context.Background(), []string{path}, nil)
			objs := make([]map[string]any, len(res.Documents))
			for i, d := range res.Documents {
				objs[i] = d.Object
			}
			r, err := netgen.Generate(objs, netgen.Options{})
			if err != nil {
				t.Fatal(err)
			}
			applied, err := r.Objects(objs)
			if err != nil {
				t.Fatal(err)
			}
			c := clusterOf(t, applied)
			cmp := compare(t, c)
			n, diffs := cmp.probeAll()
			// Every derived connection, on each of its ports: cyclonus must allow it.
			derived := 0
			outside := netip.MustParseAddr("203.0.113.9")
			for _, conn := range r.Connections {
				src, dst := key(conn.From), key(conn.To)
				if src == "" && !conn.From.Outside || dst == "" && !conn.To.Outside || src == "" && dst == "" {
					continue // pods outside the input
				}
				for _, p := range conn.Ports {
					number := p.Port.IntVal
					if p.Port.StrVal != "" {
						for _, cp := range conn.To.Workload.Ports {
							if cp.Name == p.Port.StrVal {
								number = cp.Port
							}
						}
					}
					ok, msg, allowed := cmp.probeVerdict(src, dst, outside, number, p.Protocol)
					n++
					derived++
					if !ok {
						diffs = append(diffs, msg)
					}
					if !allowed {
						t.Errorf("cyclonus does not allow the derived connection %s -> %s on %d/%s", conn.From.Name, conn.To.Name, number, p.Protocol)
					}
				}
			}
			for _, d := range diffs[:min(len(diffs), 20)] {
				t.Error(d)
			}
			if derived == 0 {
				t.Error("no derived connection was probed: the comparison compares nothing")
			}
			t.Logf("%s: %d generated policies, %d workloads, %d probes (%d of derived connections, all allowed by cyclonus), %d disagreements", project, len(r.Policies), len(c.pods), n, derived, len(diffs))
		})
	}
}

// clusterOf builds the test cluster of a manifest set: its namespaces, its workloads as
// pods (each with an address, and its declared ports and those the policies name), and
// its NetworkPolicies.
func clusterOf(t *testing.T, objs []map[string]any) *cluster {
	t.Helper()
	m, errs := netmodel.FromObjects(objs)
	if len(errs) > 0 {
		t.Fatalf("model: %v", errs)
	}
	c := &cluster{namespaces: map[string]map[string]string{}, pods: map[string]*pod{}, policies: map[string]*networkingv1.NetworkPolicy{}}
	for _, o := range objs {
		switch o["kind"] {
		case "Namespace":
			meta, _ := o["metadata"].(map[string]any)
			name, _ := meta["name"].(string)
			labels := map[string]string{}
			if l, ok := meta["labels"].(map[string]any); ok {
				for k, v := range l {
					labels[k] = fmt.Sprint(v)
				}
			}
			c.namespaces[name] = labels
		case "NetworkPolicy":
			var np networkingv1.NetworkPolicy
			if err := workload.Decode(o, &np); err != nil {
				t.Fatal(err)
			}
			if np.Namespace == "" {
				np.Namespace = netmodel.DefaultNamespace
			}
			c.policies[np.Namespace+"/"+np.Name] = &np
		}
	}
	// Ports the policies name by number, so that probes reach what the rules open.
	extra := map[int32]bool{}
	for _, np := range c.policies {
		for _, r := range np.Spec.Ingress {
			for _, p := range r.Ports {
				if p.Port != nil && p.Port.IntVal > 0 {
					extra[p.Port.IntVal] = true
				}
			}
		}
	}
	for _, w := range m.Workloads() {
		if _, ok := c.namespaces[w.Namespace]; !ok {
			c.namespaces[w.Namespace] = map[string]string{}
		}
		c.addPod(w.Namespace, w.Name, w.Labels)
		p := c.pods[w.Namespace+"/"+w.Name]
		p.ports = slices.Clone(w.Ports)
		for _, port := range slices.Sorted(maps.Keys(extra)) {
			if !slices.ContainsFunc(p.ports, func(cp netmodel.ContainerPort) bool { return cp.Port == port }) {
				p.ports = append(p.ports, netmodel.ContainerPort{Port: port, Protocol: "TCP"})
			}
		}
	}
	return c
}

// key is a connection end's pod key in the test cluster, "" for an end that is not a
// workload of the input.
func key(e netgen.End) string {
	if e.Workload == nil {
		return ""
	}
	return e.Workload.Namespace + "/" + e.Workload.Name
}
