package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netmodel"
)

// allowedSet is the connections the connectivity model allows among the documents of
// paths, as "source -> destination: ports".
func allowedSet(t *testing.T, paths ...string) map[[2]string][]netmodel.PortRange {
	t.Helper()
	res := load.Paths(context.Background(), paths, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("reading %v: %v", paths, res.Errors)
	}
	objs := make([]map[string]any, len(res.Documents))
	for i, d := range res.Documents {
		objs[i] = d.Object
	}
	m, errs := netmodel.FromObjects(objs)
	if len(errs) > 0 {
		t.Fatalf("model of %v: %v", paths, errs)
	}
	out := map[[2]string][]netmodel.PortRange{}
	// Every address outside the cluster is one end, however the policies split it.
	outside := func(p netmodel.Peer) string {
		if p.Workload == nil {
			return netmodel.World
		}
		return p.String()
	}
	for _, c := range m.Connections("") {
		k := [2]string{outside(c.Source), outside(c.Destination)}
		out[k] = netmodel.IntersectPorts(append(out[k], c.Ports...), append(out[k], c.Ports...))
	}
	return out
}

// generateInto runs netpol generate on dir and returns the directory of the policies and
// the JSON report.
func generateInto(t *testing.T, args ...string) (string, netpolReport) {
	t.Helper()
	out := t.TempDir()
	reportFile := filepath.Join(out, "report.json")
	policies := filepath.Join(out, "policies")
	r := ringfence(t, "", append([]string{"netpol", "generate", "-o", policies, "--report", reportFile}, args...)...)
	raw, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatalf("netpol generate %v exited %d without a report: %v\n%s", args, r.code, err, r.stderr)
	}
	var rep netpolReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		t.Fatalf("netpol generate %v exited %d:\n%s\nproof: %+v", args, r.code, r.stderr, rep.Proof)
	}
	return policies, rep
}

// TestNetpolMicroservicesDemo generates policies for microservices-demo's plain manifests
// and compares the connections they allow with those of the project's own hand-written
// NetworkPolicies (the kustomize component network-policies). Every generated connection
// must be one upstream allows too; every connection only upstream allows must be one of
// the explained kinds.
func TestNetpolMicroservicesDemo(t *testing.T) {
	dir := filepath.Join(corpusDir, "microservices-demo")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	manifests := filepath.Join(dir, "kubernetes-manifests")
	policies, rep := generateInto(t, manifests)
	if len(rep.Proof.Missing)+len(rep.Proof.Extra)+len(rep.Proof.Findings) > 0 || rep.Proof.Checked == 0 {
		t.Fatalf("proof: %+v", rep.Proof)
	}
	generated := allowedSet(t, manifests, policies)
	upstream := allowedSet(t, manifests, filepath.Join(dir, "kustomize", "components", "network-policies"))

	var table []string
	explained := map[string]int{}
	for _, k := range sortedPairKeys(generated, upstream) {
		g, u := generated[k], upstream[k]
		table = append(table, fmt.Sprintf("%-45s -> %-45s generated: %-12s upstream: %s", k[0], k[1], formatOrNone(g), formatOrNone(u)))
		if extra := netmodel.SubtractPorts(g, u); len(extra) > 0 {
			t.Errorf("%s -> %s: generated allows %s, which upstream does not", k[0], k[1], netmodel.FormatPorts(extra))
		}
		only := netmodel.SubtractPorts(u, g)
		if len(only) == 0 {
			continue
		}
		why := upstreamOnly(k, g)
		if why == "" {
			t.Errorf("%s -> %s: only upstream allows %s, unexplained", k[0], k[1], netmodel.FormatPorts(only))
			continue
		}
		explained[why]++
	}
	t.Logf("microservices-demo, %d generated connections (%d unresolved references), %d upstream:\n%s", len(generated), len(rep.Unresolved), len(upstream), strings.Join(table, "\n"))
	for why, n := range explained {
		t.Logf("only upstream, %d: %s", n, why)
	}
	if len(explained) == 0 {
		t.Error("upstream's policies allow nothing more than the generated ones: the comparison compares nothing")
	}
}

// upstreamOnly explains a connection (or ports) upstream's policies allow and the
// generated ones do not, or returns "".
func upstreamOnly(k [2]string, generated []netmodel.PortRange) string {
	switch {
	case k[1] == netmodel.World:
		return "egress to outside the cluster: upstream opens every workload's egress (egress: [{}]); the manifests name no endpoint outside the cluster"
	case k[1] == "default/frontend[Deployment]" && k[0] != netmodel.World:
		return "ingress to frontend from every pod on every port: upstream opens frontend's ingress (ingress: [{}]); the manifests show only loadgenerator calling it, on the port its Service targets"
	case k[1] == "default/frontend[Deployment]" && len(generated) > 0:
		return "frontend from outside the cluster on every port: upstream's ingress: [{}] opens every port; the LoadBalancer Service frontend-external targets only 8080"
	}
	return ""
}

func formatOrNone(p []netmodel.PortRange) string {
	if len(p) == 0 {
		return "-"
	}
	return netmodel.FormatPorts(p)
}

func sortedPairKeys(maps ...map[[2]string][]netmodel.PortRange) [][2]string {
	var out [][2]string
	for _, m := range maps {
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return out
}

// TestNetpolCorpus generates policies for further corpus projects: the proof must hold,
// the isolation rules must be silent, and running again on the input with the generated
// policies must give the same policies.
func TestNetpolCorpus(t *testing.T) {
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
			policies, rep := generateInto(t, path)
			if rep.Proof.Checked == 0 || len(rep.Connections) == 0 {
				t.Fatalf("nothing derived: %+v", rep)
			}
			_, again := generateInto(t, path, policies)
			if !slices.Equal(rep.Policies, again.Policies) || len(again.Replaced) != len(rep.Policies) {
				t.Errorf("a second run on the generated policies gives %v, replacing %v; want %v", again.Policies, again.Replaced, rep.Policies)
			}
			t.Logf("%s: %d policies, %d connections (%d checked by the model), %d unresolved, %d notes", project, len(rep.Policies), len(rep.Connections), rep.Proof.Checked, len(rep.Unresolved), len(rep.Notes))
		})
	}
}

func TestNetpolGenerateCLI(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: example/web
          env: [{name: CART_ADDR, value: "cart:8080"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers: [{name: cart, image: example/cart, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{port: 8080}]
`,
		"intents.yaml":     "intents:\n  - name: scrape\n    from: {namespaces: [monitoring]}\n    to: {podSelector: {matchLabels: {app: cart}}}\n    ports: [8080]\n",
		"bad-intents.yaml": "intents:\n  - name: scrape\n    from: {namespaces: [monitoring]}\n",
		"broken.yaml":      "kind: [\n",
	})
	t.Run("stream to standard output, report on standard error", func(t *testing.T) {
		r := ringfence(t, "", "netpol", "generate", filepath.Join(dir, "app.yaml"), "--intents", filepath.Join(dir, "intents.yaml"))
		if r.code != 0 {
			t.Fatalf("exit %d:\n%s", r.code, r.stderr)
		}
		for _, want := range []string{"name: ringfence-web", "name: ringfence-cart", "name: ringfence-default-deny", "name: ringfence-dns", "app.kubernetes.io/managed-by: ringfence"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the policies lack %q:\n%s", want, r.stdout)
			}
		}
		for _, want := range []string{
			"shop/web[Deployment] -> shop/cart[Deployment] on 8080/TCP",
			`because Deployment shop/web: container "web" env CART_ADDR="cart:8080"`,
			"because intent scrape",
			"Proof by the connectivity model: 1 connections checked (1 with pods outside the input not checked): 0 missing, 0 extra, 0 isolation findings",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the report lacks %q:\n%s", want, r.stderr)
			}
		}
	})
	t.Run("standard input", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(dir, "app.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		r := ringfence(t, string(raw), "netpol", "generate", "-")
		if r.code != 0 || !strings.Contains(r.stdout, "name: ringfence-web") {
			t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("unreadable input costs only itself", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		r := ringfence(t, "", "netpol", "generate", filepath.Join(dir, "app.yaml"), filepath.Join(dir, "broken.yaml"), "-o", out)
		if r.code != 2 || !strings.Contains(r.stderr, "broken.yaml") {
			t.Fatalf("exit %d, want 2 naming broken.yaml:\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(out, "shop.yaml")); err != nil {
			t.Errorf("the policies of the readable input were not written: %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"an intent without to", []string{"--intents", filepath.Join(dir, "bad-intents.yaml")}, "needs from and to"},
		{"a missing intents file", []string{"--intents", filepath.Join(dir, "absent.yaml")}, "reading intents"},
		{"a bad API server address", []string{"--api-server", "nowhere"}, `API server address "nowhere"`},
		{"the report on standard output with the policies", []string{"--report", "-"}, "--report - needs --output DIR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ringfence(t, "", append([]string{"netpol", "generate", filepath.Join(dir, "app.yaml")}, tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, want 2 with %q:\n%s", r.code, tc.want, r.stderr)
			}
		})
	}
}
