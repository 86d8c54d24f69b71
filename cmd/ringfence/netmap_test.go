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

func TestWhoCanAndPermissionsCommands(t *testing.T) {
	const manifests = `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: ops}
spec:
  serviceAccountName: debugger
  containers: [{name: c, image: busybox:1}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debugger, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: debugger}]
`
	r := ringfence(t, manifests, "who-can", "create", "pods", "--subresource", "exec", "-n", "ops", "-")
	if r.code != 0 {
		t.Fatalf("who-can: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "ServiceAccount ops/debugger") || !strings.Contains(r.stdout, "RoleBinding ops/debugger -> ClusterRole admin") {
		t.Errorf("who-can output:\n%s", r.stdout)
	}
	r = ringfence(t, manifests, "who-can", "create", "pods", "--subresource", "exec", "-n", "shop", "-")
	if strings.Contains(r.stdout, "debugger") {
		t.Errorf("the RoleBinding is in ops, not shop:\n%s", r.stdout)
	}
	r = ringfence(t, manifests, "permissions", "pod/debug", "-n", "ops", "-", "-o", "json")
	if r.code != 0 {
		t.Fatalf("permissions: exit %d: %s", r.code, r.stderr)
	}
	var list struct {
		Subject     struct{ Display string }
		Permissions []struct{ Namespace, GrantedBy string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	if list.Subject.Display != "Pod ops/debug (ServiceAccount ops/debugger)" {
		t.Errorf("subject: %q", list.Subject.Display)
	}
	inOps := 0
	for _, p := range list.Permissions {
		if p.Namespace == "ops" && strings.HasPrefix(p.GrantedBy, "RoleBinding ops/debugger -> ClusterRole admin") {
			inOps++
		}
	}
	if inOps < 10 {
		t.Errorf("admin through aggregation should give many rules in ops, got %d:\n%s", inOps, r.stdout)
	}
	if r := ringfence(t, manifests, "permissions", "pod/missing", "-n", "ops", "-"); r.code != 2 || !strings.Contains(r.stderr, "no Pod ops/missing") {
		t.Errorf("unknown workload: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := ringfence(t, "kind: [", "who-can", "get", "pods", "-"); r.code != 2 || !strings.Contains(r.stdout, "errors:") {
		t.Errorf("bad input: exit %d, stdout %q", r.code, r.stdout)
	}
}
