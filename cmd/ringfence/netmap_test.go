package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNetmapCommand(t *testing.T) {
	const manifests = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: other}
spec:
  containers: [{name: c}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from: [{namespaceSelector: {}}]
      ports: [{port: http}]
`
	r := ringfence(t, manifests, "netmap", "-", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var m struct {
		Summary     map[string]int
		Connections []struct {
			Source, Destination string
			IngressPolicies     []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range m.Connections {
		if c.Source == "other/client[Pod]" && c.Destination == "shop/web[Pod]" && len(c.IngressPolicies) == 1 && c.IngressPolicies[0] == "shop/web" {
			found = true
		}
	}
	if !found || m.Summary["crossNamespace"] != 2 {
		t.Errorf("netmap JSON: %s", r.stdout)
	}

	r = ringfence(t, manifests, "netmap", "-", "--namespace", "shop", "-o", "mermaid")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "flowchart LR") || !strings.Contains(r.stdout, "TCP 80 (shop/web)") {
		t.Errorf("mermaid: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = ringfence(t, manifests, "netmap", "-", "-o", "svg")
	if r.code != 2 || !strings.Contains(r.stderr, `--output "svg"`) {
		t.Errorf("unknown format: exit %d, stderr %q", r.code, r.stderr)
	}

	r = ringfence(t, manifests+"---\nkind: [\n", "netmap", "-", "-o", "dot")
	if r.code != 2 || !strings.Contains(r.stdout, "digraph") || !strings.Contains(r.stderr, "document 3") {
		t.Errorf("bad input: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// --disable and the config's disabled list switch rules off, as a user checking part of a
// cluster does with the cross-object rules.
func TestDisable(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ringfence.yaml")
	if err := os.WriteFile(cfg, []byte("disabled: [RF-NET-003]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	off := ringfence(t, "", "test", "../../examples/", "-o", "json", "--disable", "RF-NET-001", "--config", cfg)
	count := func(out string) map[string]int {
		var rep struct{ Findings []struct{ Rule string } }
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		n := map[string]int{}
		for _, f := range rep.Findings {
			n[f.Rule]++
		}
		return n
	}
	got := count(off.stdout)
	if got["RF-NET-001"] != 0 || got["RF-NET-003"] != 0 || len(got) == 0 {
		t.Errorf("disabled rules still report: %v", got)
	}
	full := count(ringfence(t, "", "test", "../../examples/", "-o", "json").stdout)
	if full["RF-NET-001"] == 0 || full["RF-NET-003"] == 0 {
		t.Errorf("the examples no longer exercise RF-NET-001 and RF-NET-003: %v", full)
	}
	if r := ringfence(t, "", "test", "../../examples/", "--disable", "RF-NOPE-001"); r.code != 2 || !strings.Contains(r.stderr, `unknown rule "RF-NOPE-001"`) {
		t.Errorf("unknown rule: exit %d, %s", r.code, r.stderr)
	}
}
