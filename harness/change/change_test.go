package change

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netmap"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/segment"
)

const workloads = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: lab, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 443}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: lab, labels: {app: probe}}
spec: {containers: [{name: c}]}
`

// model builds the connectivity model of workloads and a NetworkPolicy isolating web's
// ingress with the given ingress rules.
func model(t *testing.T, ingress string) *netmodel.Model {
	t.Helper()
	text := workloads + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: ` + ingress + "\n"
	res := load.Bytes("m.yaml", []byte(text))
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	var objs []map[string]any
	for _, d := range res.Documents {
		objs = append(objs, d.Object)
	}
	m, errs := netmodel.FromObjects(objs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return m
}

func snapshot(label string, m *netmodel.Model, findings ...harness.Finding) *Snapshot {
	return &Snapshot{Label: label, Model: m, Report: &harness.Report{Findings: findings}}
}

func TestCompareConnections(t *testing.T) {
	invariants, err := segment.Parse([]any{map[string]any{
		"name": "prod-from-dev",
		"from": map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"env": "dev"}}},
		"to":   map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"env": "prod"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	https := `[{from: [{namespaceSelector: {}}], ports: [{port: 443}]}]`
	both := `[{from: [{namespaceSelector: {}}], ports: [{port: 80}, {port: 443}]}]`
	tcp := func(from, to int32) netmodel.PortRange {
		return netmodel.PortRange{Protocol: "TCP", From: from, To: to}
	}
	probeToWeb := func(ports, unchanged []netmodel.PortRange, invariants ...string) Connection {
		return Connection{
			Connection: netmap.Connection{
				Source: "lab/probe[Pod]", Destination: "shop/web[Pod]", Ports: ports,
				CrossNamespace: true, EgressPolicies: []string{}, IngressIsolated: true,
				IngressPolicies: []string{"shop/web"},
			},
			Unchanged: unchanged, Invariants: invariants,
		}
	}

	// Widening 443 to 80 and 443 opens port 80 only, and that breaks the invariant.
	r := Compare(snapshot("a", model(t, https)), snapshot("b", model(t, both)), invariants)
	want := ConnectionChanges{
		Opened: []Connection{probeToWeb([]netmodel.PortRange{tcp(80, 80)}, []netmodel.PortRange{tcp(443, 443)}, "prod-from-dev")},
		Closed: []Connection{},
	}
	if d := cmp.Diff(want, r.Connections); d != "" {
		t.Errorf("widened (-want +got):\n%s", d)
	}
	if r.Summary.InvariantsBroken != 1 || r.Summary.Invariants != 1 || !r.Fails("none") {
		t.Errorf("summary %+v, fails %v", r.Summary, r.Fails("none"))
	}

	// The reverse closes port 80 and opens nothing.
	r = Compare(snapshot("b", model(t, both)), snapshot("a", model(t, https)), invariants)
	want = ConnectionChanges{
		Opened: []Connection{},
		Closed: []Connection{probeToWeb([]netmodel.PortRange{tcp(80, 80)}, []netmodel.PortRange{tcp(443, 443)})},
	}
	if d := cmp.Diff(want, r.Connections); d != "" {
		t.Errorf("narrowed (-want +got):\n%s", d)
	}
	if r.Fails("low") {
		t.Error("narrowing fails the change")
	}

	// Isolating web with no rule closes everything to it, from every source.
	r = Compare(snapshot("a", model(t, https)), snapshot("c", model(t, "[]")), invariants)
	if len(r.Connections.Opened) != 0 || len(r.Connections.Closed) != 1 || r.Connections.Closed[0].Unchanged != nil {
		t.Errorf("isolated: %+v", r.Connections)
	}
}

func TestCompareFindings(t *testing.T) {
	m := model(t, "[]")
	finding := func(name, file string, line int, msg string) harness.Finding {
		return harness.Finding{
			Rule: "RF-POD-001", Severity: "high", Message: msg,
			Object: harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: name},
			Source: &harness.Source{File: file, Line: line},
		}
	}
	base := snapshot("a", m, finding("web", "a.yaml", 1, "web is privileged"), finding("web", "a.yaml", 9, "web is privileged"))
	// Moved to another file and line, whitespace changed: the same finding. One copy of
	// two is gone, and a new object has one.
	head := snapshot("b", m, finding("web", "b.yaml", 30, "web  is\nprivileged"), finding("api", "b.yaml", 40, "api is privileged"))
	r := Compare(base, head, nil)
	if len(r.Findings.Added) != 1 || r.Findings.Added[0].Object.Name != "api" {
		t.Errorf("added %+v", r.Findings.Added)
	}
	if len(r.Findings.Removed) != 1 || r.Findings.Removed[0].Source.File != "a.yaml" {
		t.Errorf("removed %+v", r.Findings.Removed)
	}
	if !r.Fails("high") || r.Fails("critical") || r.Fails("none") {
		t.Errorf("fails: high %v, critical %v, none %v", r.Fails("high"), r.Fails("critical"), r.Fails("none"))
	}
}

// Text from the manifests cannot break the Markdown table it lands in.
func TestMarkdownEscapes(t *testing.T) {
	r := Compare(snapshot("main", model(t, "[]")), snapshot("pr", model(t, "[]"), harness.Finding{
		Rule: "RF-X", Severity: "low", Message: "name a|b <script> *x* `y`\nsecond line",
		Object: harness.ObjectRef{Kind: "Pod", Namespace: "shop", Name: "w|x"},
	}), nil)
	var buf bytes.Buffer
	if err := Markdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	row := ""
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "RF-X") {
			row = line
		}
	}
	want := "| :white_circle: low | RF-X | Pod shop/w\\|x |  | name a\\|b &lt;script&gt; \\*x\\* \\`y\\` second line |"
	if row != want {
		t.Errorf("row\n%s\nwant\n%s", row, want)
	}
}
