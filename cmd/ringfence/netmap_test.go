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

// TestHostNetworkFlag checks --host-network on every command that uses the connectivity
// model: the choice changes the answer for a host-network pod that a default deny
// selects, the JSON output names it, and anything else is a usage error.
func TestHostNetworkFlag(t *testing.T) {
	const manifests = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b}
spec:
  containers: [{name: c}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`
	dir := writeFiles(t, map[string]string{
		"cluster.yaml":   manifests,
		"ringfence.yaml": "parameters:\n  RF-NET-030:\n    invariants:\n      - {name: agents-from-b, from: {namespaces: [b]}, to: {podSelector: {matchLabels: {app: agent}}}}\n",
	})
	cluster, cfg := filepath.Join(dir, "cluster.yaml"), filepath.Join(dir, "ringfence.yaml")
	tests := []struct {
		args      []string
		want      string
		reachable bool
	}{
		{nil, "unprotected", true},
		{[]string{"--host-network", "unprotected"}, "unprotected", true},
		{[]string{"--host-network=pod"}, "pod", false},
	}
	for _, tt := range tests {
		r := ringfence(t, "", append([]string{"netmap", cluster, "-o", "json"}, tt.args...)...)
		var m struct {
			Settings    struct{ HostNetwork string }
			Connections []struct{ Source, Destination string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || r.code != 0 {
			t.Fatalf("netmap %v: exit %d, %v\n%s%s", tt.args, r.code, err, r.stdout, r.stderr)
		}
		reachable := false
		for _, c := range m.Connections {
			reachable = reachable || (c.Source == "b/client[Pod]" && c.Destination == "a/agent[Pod]")
		}
		if m.Settings.HostNetwork != tt.want || reachable != tt.reachable {
			t.Errorf("netmap %v: settings say %q, client -> agent %v; want %q, %v", tt.args, m.Settings.HostNetwork, reachable, tt.want, tt.reachable)
		}

		r = ringfence(t, "", append([]string{"test", cluster, "-o", "json", "--rule", "RF-NET-030", "--config", cfg, "--fail-on", "none"}, tt.args...)...)
		if r.code != 0 {
			t.Fatalf("test %v: exit %d\n%s", tt.args, r.code, r.stderr)
		}
		rep := decodeReport(t, r.stdout)
		if rep.Settings.HostNetwork != tt.want || (rep.Summary.Findings == 1) != tt.reachable {
			t.Errorf("test %v: settings say %q, %d findings; want %q and a finding %v", tt.args, rep.Settings.HostNetwork, rep.Summary.Findings, tt.want, tt.reachable)
		}
	}
	// Usage errors come before anything is read or any cluster is asked.
	for _, cmd := range [][]string{{"netmap", cluster}, {"test", cluster}, {"audit", "--kubeconfig", filepath.Join(dir, "missing")}} {
		for _, bad := range []string{"node", "Pod", ""} {
			r := ringfence(t, "", append(cmd, "--host-network", bad)...)
			if want := `--host-network "` + bad + `": want one of unprotected, pod`; r.code != 2 || !strings.Contains(r.stderr, want) {
				t.Errorf("%s --host-network %q: exit %d, stderr %q; want 2 and %q", cmd[0], bad, r.code, r.stderr, want)
			}
		}
	}
}

// TestNetmapPodDump maps pods dumped from a cluster: the map lists their controllers.
func TestNetmapPodDump(t *testing.T) {
	r := ringfence(t, "", "netmap", "../../harness/netmap/testdata/poddump", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var m struct {
		Summary map[string]any
		Groups  []struct {
			Workload string
			Pods     []string
		}
		Connections []struct{ Source, Destination string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	if m.Summary["workloads"] != 9.0 || m.Summary["groupedPods"] != 17.0 || len(m.Groups) != 7 {
		t.Errorf("summary %v, %d groups", m.Summary, len(m.Groups))
	}
	for _, c := range m.Connections {
		for _, end := range []string{c.Source, c.Destination} {
			if strings.Contains(end, "kube-proxy-") || strings.Contains(end, "db-0") {
				t.Errorf("a replica is mapped: %s -> %s", c.Source, c.Destination)
			}
		}
	}
	r = ringfence(t, "", "netmap", "../../harness/netmap/testdata/poddump")
	if !strings.Contains(r.stdout, "kube-system/kube-proxy[DaemonSet]  4 pods: kube-proxy-2x9sd, kube-proxy-4kq8n, kube-proxy-9zz1w, kube-proxy-tq7mb") {
		t.Errorf("text:\n%s", r.stdout)
	}
}
