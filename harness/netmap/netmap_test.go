package netmap_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/netmap"
)

// shop is a small cluster: a default deny in shop, a web tier open to the ingress
// controller's namespace on a named port, a db reachable from web only (namespace and
// pod selector in one peer), egress from web limited to the db and DNS, and a monitoring
// namespace left open.
const shop = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          ports: [{name: pg, containerPort: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: ingress-nginx}
spec:
  template:
    metadata: {labels: {app: ingress}}
    spec:
      containers: [{name: c}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
      ports: [{port: http}]
  egress:
    - to: [{podSelector: {matchLabels: {app: db}}}]
      ports: [{port: 5432}]
    - ports: [{port: 53, protocol: UDP}, {port: 53}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {env: prod}}
          podSelector: {matchLabels: {app: web}}
`

func mapOf(t *testing.T, manifests string, opts netmap.Options) *netmap.Map {
	t.Helper()
	m, err := netmap.FromFiles(context.Background(), []string{"-"}, strings.NewReader(manifests), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type edge struct{ src, dst, ports, via string }

func edges(m *netmap.Map) []edge {
	var out []edge
	for _, c := range m.Connections {
		via := strings.Join(c.EgressPolicies, ",") + " | " + strings.Join(c.IngressPolicies, ",")
		out = append(out, edge{c.Source, c.Destination, netmap.FormatPorts(c.Ports), via})
	}
	return out
}

func TestShop(t *testing.T) {
	m := mapOf(t, shop, netmap.Options{})
	if len(m.Errors) > 0 {
		t.Fatalf("errors: %v", m.Errors)
	}
	want := []edge{
		{"0.0.0.0/0,::/0", "ingress-nginx/controller[Deployment]", "all ports", " | "},
		{"ingress-nginx/controller[Deployment]", "0.0.0.0/0,::/0", "all ports", " | "},
		// the named port resolves to web's 8080
		{"ingress-nginx/controller[Deployment]", "shop/web[Deployment]", "TCP 8080", " | shop/web"},
		// DNS to anywhere: the rule has no peers
		{"shop/web[Deployment]", "0.0.0.0/0,::/0", "TCP 53; UDP 53", "shop/web | "},
		{"shop/web[Deployment]", "ingress-nginx/controller[Deployment]", "TCP 53; UDP 53", "shop/web | "},
		// to the db: egress 5432 from web's policy, ingress from db's policy
		{"shop/web[Deployment]", "shop/db[StatefulSet]", "TCP 53,5432; UDP 53", "shop/web | shop/db"},
	}
	if diff := cmp.Diff(want, edges(m), cmp.AllowUnexported(edge{})); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ingress-nginx/controller[Deployment]"}, m.Exposed); diff != "" {
		t.Errorf("exposed (-want +got):\n%s", diff)
	}
	if m.Summary.CrossNamespace != 2 || m.Summary.Workloads != 3 || m.Summary.Policies != 3 {
		t.Errorf("summary: %+v", m.Summary)
	}
}

func TestNamespaceFilter(t *testing.T) {
	m := mapOf(t, shop, netmap.Options{Namespace: "ingress-nginx"})
	for _, c := range m.Connections {
		if !strings.HasPrefix(c.Source, "ingress-nginx/") && !strings.HasPrefix(c.Destination, "ingress-nginx/") {
			t.Errorf("connection outside ingress-nginx: %s -> %s", c.Source, c.Destination)
		}
	}
	if m.Summary.Connections != 4 {
		t.Errorf("got %d connections, want 4: %v", m.Summary.Connections, edges(m))
	}
}

// An ipBlock with except, a port range, host-network pods and a separate-peers (OR)
// rule.
func TestCorners(t *testing.T) {
	const manifests = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api}}
spec:
  containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: c}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec:
  containers: [{name: c}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: a}
spec:
  podSelector: {}
  ingress:
    - from:
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
        - podSelector: {matchLabels: {app: agent}}
      ports: [{port: 8000, endPort: 8100}]
    - from:
        - namespaceSelector: {}
          podSelector: {matchLabels: {app: client}}
      ports: [{protocol: UDP}]
`
	m := mapOf(t, manifests, netmap.Options{})
	want := []edge{
		{"0.0.0.0/0,::/0", "a/agent[Pod]", "all ports", " | "},
		{"0.0.0.0/0,::/0", "b/client[Pod]", "all ports", " | "},
		{"10.0.0.0/8 except 10.1.0.0/16", "a/api[Pod]", "TCP 8000-8100", " | a/api"},
		// host-network pods are not isolated and reach everything that admits all peers;
		// the api admits none without peers, and podSelectors do not select them
		{"a/agent[Pod]", "0.0.0.0/0,::/0", "all ports", " | "},
		{"a/agent[Pod]", "b/client[Pod]", "all ports", " | "},
		{"a/api[Pod]", "0.0.0.0/0,::/0", "all ports", " | "},
		{"a/api[Pod]", "a/agent[Pod]", "all ports", " | "},
		{"a/api[Pod]", "b/client[Pod]", "all ports", " | "},
		{"b/client[Pod]", "0.0.0.0/0,::/0", "all ports", " | "},
		{"b/client[Pod]", "a/agent[Pod]", "all ports", " | "},
		{"b/client[Pod]", "a/api[Pod]", "UDP all", " | a/api"},
	}
	if diff := cmp.Diff(want, edges(m), cmp.AllowUnexported(edge{})); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
}

func TestBadInputIsLocated(t *testing.T) {
	const manifests = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: a}
spec:
  podSelector: {}
  ingress:
    - from: [{ipBlock: {cidr: not-a-cidr}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odd, namespace: a}
spec:
  template:
    spec:
      containers: "not a list"
---
apiVersion: v1
kind: Pod
metadata: {name: fine, namespace: a}
spec:
  containers: [{name: c}]
`
	m := mapOf(t, manifests, netmap.Options{})
	if len(m.Errors) != 2 {
		t.Fatalf("got errors %v, want 2", m.Errors)
	}
	if e := m.Errors[0]; e.Document != 0 || e.Line != 1 || !strings.Contains(e.Message, "not-a-cidr") {
		t.Errorf("first error: %+v", e)
	}
	if e := m.Errors[1]; e.Document != 1 || e.Line != 9 || !strings.Contains(e.Message, "Deployment") {
		t.Errorf("second error: %+v", e)
	}
	if m.Summary.Workloads != 1 || m.Summary.Policies != 1 {
		t.Errorf("what could be read was not mapped: %+v", m.Summary)
	}
}

func TestFormats(t *testing.T) {
	m := mapOf(t, shop, netmap.Options{})
	for _, format := range netmap.Formats {
		var b bytes.Buffer
		if err := netmap.Write(&b, m, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := b.String()
		switch format {
		case "json":
			var back netmap.Map
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("json: %v", err)
			}
			if diff := cmp.Diff(m, &back); diff != "" {
				t.Errorf("json round trip (-want +got):\n%s", diff)
			}
		case "dot":
			if !strings.HasPrefix(out, "digraph netmap {") || strings.Count(out, " -> ") != len(m.Connections) ||
				!strings.Contains(out, `label="namespace shop"`) || !strings.Contains(out, `label="TCP 8080 (shop/web)"`) {
				t.Errorf("dot:\n%s", out)
			}
		case "mermaid":
			if !strings.HasPrefix(out, "flowchart LR\n") || strings.Count(out, " -->|") != len(m.Connections) ||
				!strings.Contains(out, `web#91;Deployment#93;`) {
				t.Errorf("mermaid:\n%s", out)
			}
		case "text":
			for _, s := range []string{"3 workloads, 3 NetworkPolicies: 6 allowed connections (2 cross namespaces)", "Paths across namespaces:", "<- ingress-nginx/controller[Deployment]  TCP 8080  [egress not isolated; ingress shop/web]"} {
				if !strings.Contains(out, s) {
					t.Errorf("text lacks %q:\n%s", s, out)
				}
			}
		}
	}
	if err := netmap.Write(&bytes.Buffer{}, m, "yaml"); err == nil {
		t.Error("unknown format accepted")
	}
}

// A policy without its workloads: the pods its selectors describe are inferred, with
// other pods in its namespace and in another namespace to show what stays shut.
func TestInferFromPoliciesAlone(t *testing.T) {
	const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-allow, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
        - namespaceSelector: {matchLabels: {team: ops}}
          podSelector: {matchLabels: {app: probe}}
      ports: [{port: 8080}]
`
	m := mapOf(t, policy, netmap.Options{})
	if !m.Summary.Inferred {
		t.Fatal("a policy without workloads was not mapped by inference")
	}
	var into []string
	for _, c := range m.Connections {
		if c.Destination == "shop/{app=api}[Inferred]" {
			into = append(into, c.Source+" "+netmap.FormatPorts(c.Ports))
		}
	}
	want := []string{"shop/{app=web}[Inferred] TCP 8080", "{team=ops}/{app=probe}[Inferred] TCP 8080"}
	if diff := cmp.Diff(want, into); diff != "" {
		t.Errorf("sources of shop/{app=api} (-want +got):\n%s", diff)
	}
	var names []string
	for _, c := range m.Connections {
		if strings.HasSuffix(c.Source, "[Inferred]") && !slices.Contains(names, c.Source) {
			names = append(names, c.Source)
		}
	}
	slices.Sort(names)
	wantNames := []string{"other-namespace/other-pods[Inferred]", "shop/other-pods[Inferred]", "shop/{app=api}[Inferred]", "shop/{app=web}[Inferred]", "{team=ops}/other-pods[Inferred]", "{team=ops}/{app=probe}[Inferred]"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("inferred groups (-want +got):\n%s", diff)
	}
	// With workloads present nothing is inferred unless asked.
	withPod := policy + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c}]}\n"
	if m := mapOf(t, withPod, netmap.Options{}); m.Summary.Inferred || m.Summary.Workloads != 1 {
		t.Errorf("inferred with a workload present: %+v", m.Summary)
	}
	if m := mapOf(t, withPod, netmap.Options{Infer: true}); !m.Summary.Inferred || m.Summary.Workloads < 4 {
		t.Errorf("--infer with a workload present: %+v", m.Summary)
	}
}

// TestAdminPolicies checks that AdminNetworkPolicies and the baseline shape the map: a
// policy-only set is inferred, admin policies are counted and named, and pods an admin
// policy has ingress rules for are not exposed to everything.
func TestAdminPolicies(t *testing.T) {
	m := mapOf(t, `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: web-only}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: demo}}}
  ingress:
    - action: Allow
      from: [{namespaces: {}}]
      ports: [{portNumber: {protocol: TCP, port: 80}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: demo}}}
  ingress:
    - action: Deny
      from: [{namespaces: {}}]
`, netmap.Options{})
	if !m.Summary.Inferred || m.Summary.AdminPolicies != 2 || m.Summary.Policies != 0 {
		t.Errorf("summary %+v, want inferred with 2 admin policies", m.Summary)
	}
	if diff := cmp.Diff([]string{"other-namespace/other-pods[Inferred]"}, m.Exposed); diff != "" {
		t.Errorf("exposed (-want +got):\n%s", diff)
	}
	want := edge{"other-namespace/other-pods[Inferred]", "demo/other-pods[Inferred]", "TCP 80", " | AdminNetworkPolicy/web-only"}
	if !slices.Contains(edges(m), want) {
		t.Errorf("no %+v among %+v", want, edges(m))
	}
	var b strings.Builder
	if err := netmap.Write(&b, m, "text"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "0 NetworkPolicies, 2 admin policies:") {
		t.Errorf("text summary does not count the admin policies:\n%s", b.String())
	}
}
