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
	"github.com/ringfence/ringfence/harness/netmodel"
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

// TestPodDump maps pods dumped from a cluster (kubectl get pods -A -o yaml: a List of
// Pods whose controllers are not in it) with the shop's policies: the map lists the
// controllers, not their replicas.
func TestPodDump(t *testing.T) {
	m, err := netmap.FromFiles(context.Background(), []string{"testdata/poddump"}, nil, netmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Errors) > 0 {
		t.Fatalf("errors: %v", m.Errors)
	}
	want := []netmap.Group{
		{Workload: "kube-system/coredns-7db6d8ff4d[ReplicaSet]", Pods: []string{"coredns-7db6d8ff4d-hx2kq", "coredns-7db6d8ff4d-w8n5v"}},
		// four nodes, one of them still on the previous revision
		{Workload: "kube-system/kube-proxy[DaemonSet]", Pods: []string{"kube-proxy-2x9sd", "kube-proxy-4kq8n", "kube-proxy-9zz1w", "kube-proxy-tq7mb"}},
		{Workload: "monitoring/node-exporter[DaemonSet]", Pods: []string{"node-exporter-5mz7c", "node-exporter-b8r2x", "node-exporter-kk4fq", "node-exporter-x2d9p"}},
		{Workload: "shop/db[StatefulSet]", Pods: []string{"db-0", "db-1", "db-2"}},
		{Workload: "shop/report-28934520[Job]", Pods: []string{"report-28934520-6hx2w"}},
		// a rollout: the Deployment's two ReplicaSets
		{Workload: "shop/web-58d4c6f9b7[ReplicaSet]", Pods: []string{"web-58d4c6f9b7-zp4xk"}},
		{Workload: "shop/web-6c8f9d7b54[ReplicaSet]", Pods: []string{"web-6c8f9d7b54-jq2m7", "web-6c8f9d7b54-r5t8w"}},
	}
	if diff := cmp.Diff(want, m.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	// 19 pods: the 17 above, the mirror pod of a static pod (owned by its Node) and a
	// pod started by hand.
	if s := m.Summary; s.Workloads != 9 || s.GroupedPods != 17 || s.HostNetworkWorkloads != 2 || s.OwnedLeftOut != 0 {
		t.Errorf("summary %+v, want 9 workloads, 17 grouped pods, 2 on the host network", s)
	}
	ends := map[string]bool{}
	for _, c := range m.Connections {
		ends[c.Source], ends[c.Destination] = true, true
	}
	for _, replica := range []string{"shop/db-0[Pod]", "kube-system/kube-proxy-2x9sd[Pod]", "shop/web-6c8f9d7b54-jq2m7[Pod]"} {
		if ends[replica] {
			t.Errorf("the map lists the replica %s", replica)
		}
	}
	for _, e := range []edge{
		{"shop/web-6c8f9d7b54[ReplicaSet]", "shop/db[StatefulSet]", "TCP 5432", "shop/web | shop/db"},
		{"shop/web-58d4c6f9b7[ReplicaSet]", "kube-system/coredns-7db6d8ff4d[ReplicaSet]", "TCP 53; UDP 53", "shop/web | "},
	} {
		if !slices.Contains(edges(m), e) {
			t.Errorf("no %+v", e)
		}
	}
	var b strings.Builder
	if err := netmap.Write(&b, m, "text"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"Pods whose controller is not in the input are grouped under it as one workload, namespace/name[Kind] (17 pods as 7 workloads, listed below).",
		"2 workloads run on the host network, taken to be outside NetworkPolicy (host network: unprotected)",
		"Pods grouped under their controller, which the input does not hold:\n  kube-system/coredns-7db6d8ff4d[ReplicaSet]  2 pods: coredns-7db6d8ff4d-hx2kq, coredns-7db6d8ff4d-w8n5v\n",
	} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}

	// With the DaemonSet in the input, its template stands for its pods.
	const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: node-exporter}}
  template:
    metadata: {labels: {app.kubernetes.io/name: node-exporter}}
    spec: {containers: [{name: node-exporter, ports: [{name: metrics, containerPort: 9100}]}]}
`
	m, err = netmap.FromFiles(context.Background(), []string{"testdata/poddump", "-"}, strings.NewReader(ds), netmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Summary; s.Workloads != 9 || s.GroupedPods != 13 || s.OwnedLeftOut != 4 || slices.ContainsFunc(m.Groups, func(g netmap.Group) bool { return strings.HasPrefix(g.Workload, "monitoring/") }) {
		t.Errorf("with the DaemonSet: summary %+v, groups %v", s, m.Groups)
	}
	b.Reset()
	if err := netmap.Write(&b, m, "text"); err != nil {
		t.Fatal(err)
	}
	if s := "4 Pods, ReplicaSets or Jobs made by a controller in the input left out: the controller's pod template stands for them."; !strings.Contains(b.String(), s) {
		t.Errorf("text lacks %q:\n%s", s, b.String())
	}
}

// TestHostNetworkChoice maps a host-network pod that a default deny selects, under each
// choice: unprotected (the default) leaves it open, pod applies the policy.
func TestHostNetworkChoice(t *testing.T) {
	const manifests = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: c, ports: [{containerPort: 9100}]}]
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
	tests := []struct {
		choice    netmodel.HostNetwork
		reachable bool
		exposed   []string
		legend    string
	}{
		{"", true, []string{"a/agent[Pod]", "b/client[Pod]"}, "1 workload runs on the host network, taken to be outside NetworkPolicy (host network: unprotected): never isolated, and not selected as peers."},
		{netmodel.HostNetworkUnprotected, true, []string{"a/agent[Pod]", "b/client[Pod]"}, "(host network: unprotected)"},
		{netmodel.HostNetworkPod, false, []string{"b/client[Pod]"}, "1 workload runs on the host network, treated as any pod (host network: pod): the policies that select them apply."},
	}
	for _, tt := range tests {
		t.Run(string(tt.choice), func(t *testing.T) {
			m := mapOf(t, manifests, netmap.Options{HostNetwork: tt.choice})
			reachable := false
			for _, c := range m.Connections {
				if c.Source == "b/client[Pod]" && c.Destination == "a/agent[Pod]" {
					reachable = true
				}
			}
			if reachable != tt.reachable {
				t.Errorf("client -> agent listed %v, want %v: %v", reachable, tt.reachable, edges(m))
			}
			if diff := cmp.Diff(tt.exposed, m.Exposed); diff != "" {
				t.Errorf("exposed (-want +got):\n%s", diff)
			}
			want := tt.choice
			if want == "" {
				want = netmodel.HostNetworkUnprotected
			}
			if m.Settings.HostNetwork != want {
				t.Errorf("settings say %q, want %q", m.Settings.HostNetwork, want)
			}
			var b strings.Builder
			if err := netmap.Write(&b, m, "json"); err != nil {
				t.Fatal(err)
			}
			if s := `"settings": {` + "\n" + `    "hostNetwork": "` + string(want) + `"`; !strings.Contains(b.String(), s) {
				t.Errorf("JSON lacks %q:\n%s", s, b.String())
			}
			b.Reset()
			if err := netmap.Write(&b, m, "text"); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.legend) {
				t.Errorf("text lacks %q:\n%s", tt.legend, b.String())
			}
		})
	}
	if _, err := netmap.FromFiles(context.Background(), []string{"-"}, strings.NewReader(manifests), netmap.Options{HostNetwork: "node"}); err == nil || !strings.Contains(err.Error(), `"node": want one of unprotected, pod`) {
		t.Errorf("unknown choice: %v", err)
	}
}

// TestGroupedFormats checks that every format says what a grouped workload stands for.
func TestGroupedFormats(t *testing.T) {
	m, err := netmap.FromFiles(context.Background(), []string{"testdata/poddump"}, nil, netmap.Options{Namespace: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	wants := map[string][]string{
		"dot":     {`[label="web-6c8f9d7b54[ReplicaSet] (2 pods)"];`, `[label="coredns-7db6d8ff4d[ReplicaSet] (2 pods)"];`, `label="namespace/name[Kind] (N pods): Pods grouped under their controller, which the input does not hold";` + "\n  labelloc=b;\n}\n"},
		"mermaid": {"---\ntitle: \"namespace/name[Kind] (N pods): Pods grouped under their controller, which the input does not hold\"\n---\nflowchart LR\n", `["db#91;StatefulSet#93; (3 pods)"]`},
		"json":    {`"groups": [`, `"workload": "shop/db[StatefulSet]",`},
		"text":    {"(17 pods as 7 workloads, listed below)", "  shop/db[StatefulSet]  3 pods: db-0, db-1, db-2\n"},
	}
	for format, want := range wants {
		var b strings.Builder
		if err := netmap.Write(&b, m, format); err != nil {
			t.Fatal(err)
		}
		for _, s := range want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s lacks %q:\n%s", format, s, b.String())
			}
		}
	}
	// Groups of a controller whose pods differ are named by what differs, and the text
	// says so.
	m = mapOf(t, `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: db-0
      namespace: shop
      labels: {app: db, statefulset.kubernetes.io/pod-name: db-0}
      ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: u, controller: true}]
    spec: {containers: [{name: c}]}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: db-1
      namespace: shop
      labels: {app: db, statefulset.kubernetes.io/pod-name: db-1}
      ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: u, controller: true}]
    spec: {containers: [{name: c}]}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: primary, namespace: shop}
    spec:
      podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
      ingress: [{ports: [{port: 5432}]}]
`, netmap.Options{})
	var b strings.Builder
	if err := netmap.Write(&b, m, "text"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"A controller whose Pods differ in labels, ports or hostNetwork is split, each part named by what sets it apart: namespace/name{key=value}[Kind].",
		"  shop/db{statefulset.kubernetes.io/pod-name=db-0}[StatefulSet]  1 pod: db-0\n"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}
}

// The API's own list shape (GET /api/v1/pods): a PodList whose items name no kind.
func TestTypedPodList(t *testing.T) {
	m := mapOf(t, `apiVersion: v1
kind: PodList
metadata: {resourceVersion: "8812"}
items:
  - metadata:
      name: fluent-bit-7xk2p
      namespace: logging
      labels: {app.kubernetes.io/name: fluent-bit, controller-revision-hash: 6b7f9c5d8, pod-template-generation: "1"}
      ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: fluent-bit, uid: 1f0c, controller: true, blockOwnerDeletion: true}]
    spec: {nodeName: node-1, containers: [{name: fluent-bit, ports: [{name: http, containerPort: 2020}]}]}
    status: {phase: Running, podIP: 10.244.1.7, podIPs: [{ip: 10.244.1.7}]}
  - metadata:
      name: fluent-bit-q9d4m
      namespace: logging
      labels: {app.kubernetes.io/name: fluent-bit, controller-revision-hash: 6b7f9c5d8, pod-template-generation: "1"}
      ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: fluent-bit, uid: 1f0c, controller: true, blockOwnerDeletion: true}]
    spec: {nodeName: node-2, containers: [{name: fluent-bit, ports: [{name: http, containerPort: 2020}]}]}
    status: {phase: Running, podIP: 10.244.2.9, podIPs: [{ip: 10.244.2.9}]}
`, netmap.Options{})
	want := []netmap.Group{{Workload: "logging/fluent-bit[DaemonSet]", Pods: []string{"fluent-bit-7xk2p", "fluent-bit-q9d4m"}}}
	if diff := cmp.Diff(want, m.Groups); diff != "" || m.Summary.Workloads != 1 || len(m.Errors) > 0 {
		t.Errorf("groups (-want +got):\n%s\nsummary %+v, errors %v", diff, m.Summary, m.Errors)
	}
}

// TestCilium maps a namespace that only Cilium policies segment
// (testdata/cilium/empire.yaml): the deathstar admits the tiefighter alone, on TCP 80,
// narrowed by an HTTP rule; the tiefighter reaches the deathstar and a named outside
// API and nothing else; the xwing, which no policy selects, stays open.
func TestCilium(t *testing.T) {
	m, err := netmap.FromFiles(context.Background(), []string{"testdata/cilium/empire.yaml"}, nil, netmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Errors) > 0 {
		t.Fatalf("errors: %v", m.Errors)
	}
	const (
		world   = "0.0.0.0/0,::/0"
		star    = "galaxy/deathstar[Deployment]"
		fighter = "galaxy/tiefighter[Pod]"
		xwing   = "galaxy/xwing[Pod]"
		egress  = "CiliumNetworkPolicy/galaxy/tiefighter-egress"
	)
	want := []edge{
		{world, fighter, "all ports", " | "},
		{world, xwing, "all ports", " | "},
		{star, world, "all ports", " | "},
		{star, fighter, "all ports", " | "},
		{star, xwing, "all ports", " | "},
		{fighter, "fqdn:api.example.com", "TCP 443", egress + " | "},
		{fighter, star, "TCP 80", egress + " | CiliumNetworkPolicy/galaxy/landing"},
		{xwing, world, "all ports", " | "},
		{xwing, fighter, "all ports", " | "},
	}
	if diff := cmp.Diff(want, edges(m), cmp.AllowUnexported(edge{})); diff != "" {
		t.Errorf("connections (-want +got):\n%s", diff)
	}
	for _, c := range m.Connections {
		if wantL7 := c.Source == fighter && c.Destination == star; c.L7 != wantL7 {
			t.Errorf("%s -> %s: l7 %v, want %v", c.Source, c.Destination, c.L7, wantL7)
		}
	}
	if m.Summary.CiliumPolicies != 2 || m.Summary.Policies != 0 || m.Summary.Exposed != 2 {
		t.Errorf("summary %+v", m.Summary)
	}
	var b strings.Builder
	if err := netmap.Write(&b, m, "text"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"0 NetworkPolicies, 2 Cilium policies:", "ingress CiliumNetworkPolicy/galaxy/landing; L7 rules narrow it]"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text has no %q:\n%s", s, b.String())
		}
	}
}
