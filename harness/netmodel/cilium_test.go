package netmodel

import (
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// ciliumWorld is the objects every case of TestCiliumSemantics adds its policies to:
// namespaces a (team red) and b (team blue), and pods a/web (app web, sa web, port http 80),
// a/api (app api, pod-template-hash), b/db (app db, port 5432) and b/tool.
const ciliumWorld = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec:
  serviceAccountName: web
  containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api, pod-template-hash: abc}}
spec:
  containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: b, labels: {app: db}}
spec:
  containers: [{name: c, image: i, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: b, labels: {app: tool}}
spec:
  containers: [{name: c, image: i}]
`

func decodeDocs(t *testing.T, docs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range strings.Split(docs, "\n---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
			t.Fatalf("decode %q: %v", d, err)
		}
		out = append(out, obj)
	}
	return out
}

// flow is one connection to check: ends are a pod's namespace/name or an address.
type ciliumFlow struct {
	from, to string
	port     int32
	proto    corev1.Protocol
	want     bool
}

func TestCiliumSemantics(t *testing.T) {
	tcp := corev1.ProtocolTCP
	cases := []struct {
		name     string
		policies string
		refused  bool // Cilium refuses the policy: FromObjects reports it
		flows    []ciliumFlow
	}{{
		// A CiliumNetworkPolicy's endpointSelector and peer selectors apply in its own
		// namespace (utils.ParseToCiliumRule adds io.kubernetes.pod.namespace).
		name: "namespaced empty selectors",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {}
  ingress: [{fromEndpoints: [{}]}]`,
		flows: []ciliumFlow{
			{"a/api", "a/web", 80, tcp, true},
			{"b/db", "a/web", 80, tcp, false},
			{"8.8.8.8", "a/web", 80, tcp, false},
			{"a/web", "b/db", 5432, tcp, true}, // b is not selected
		},
	}, {
		// A clusterwide policy's empty peer selector gets io.kubernetes.pod.namespace
		// Exists: every pod, not the world.
		name: "clusterwide empty selectors",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {}
  ingress: [{fromEndpoints: [{}]}]`,
		flows: []ciliumFlow{
			{"b/db", "a/web", 80, tcp, true},
			{"a/web", "b/db", 5432, tcp, true},
			{"8.8.8.8", "b/db", 5432, tcp, false},
		},
	}, {
		// Keys with the sources k8s and any, and without a source, match pod labels;
		// reserved: keys match no pod.
		name: "label sources",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
specs:
- endpointSelector: {matchLabels: {"k8s:app": web}}
  ingress: [{fromEndpoints: [{matchLabels: {"any:app": api}}]}]
- endpointSelector: {matchLabels: {"reserved:host": ""}}
  ingress: [{}]`,
		flows: []ciliumFlow{
			{"a/api", "a/web", 80, tcp, true},
			{"a/web", "a/api", 8080, tcp, true}, // api is not selected
			{"b/tool", "a/web", 80, tcp, false},
		},
	}, {
		// A peer selector naming io.kubernetes.pod.namespace reaches that namespace.
		name: "namespace key",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": b, app: tool}}]}]`,
		flows: []ciliumFlow{
			{"b/tool", "a/web", 80, tcp, true},
			{"b/db", "a/web", 80, tcp, false},
			{"a/api", "a/web", 80, tcp, false},
		},
	}, {
		// Namespace labels (io.cilium.k8s.namespace.labels.*) lift the namespace scope.
		name: "namespace labels",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.cilium.k8s.namespace.labels.team": blue}}]}]`,
		flows: []ciliumFlow{
			{"b/tool", "a/web", 80, tcp, true},
			{"b/db", "a/web", 80, tcp, true},
			{"a/api", "a/web", 80, tcp, false},
		},
	}, {
		name: "service account",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEndpoints: [{matchLabels: {"io.cilium.k8s.policy.serviceaccount": web}}]}]`,
		flows: []ciliumFlow{
			{"a/web", "b/db", 5432, tcp, true},
			{"a/api", "b/db", 5432, tcp, false},
		},
	}, {
		// pod-template-hash is not identity-relevant (the default label filter drops it):
		// the selector selects nothing, so api stays open.
		name: "filtered label",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {pod-template-hash: abc}}
  ingress: [{}]`,
		flows: []ciliumFlow{{"b/tool", "a/api", 8080, tcp, true}},
	}, {
		name: "entities",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
specs:
- endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEntities: [world]}]
- endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEntities: [cluster]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{fromEntities: [world-ipv6]}]`,
		flows: []ciliumFlow{
			{"8.8.8.8", "a/web", 80, tcp, true},
			{"b/tool", "a/web", 80, tcp, false},
			{"b/tool", "a/api", 8080, tcp, true},
			{"8.8.8.8", "a/api", 8080, tcp, false},
			{"8.8.8.8", "b/db", 5432, tcp, false},
			{"2001:db8::1", "b/db", 5432, tcp, true},
		},
	}, {
		// CIDRs with except match outside addresses only.
		name: "cidr set",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {}
  egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]}, {toCIDR: [203.0.113.7]}]`,
		flows: []ciliumFlow{
			{"a/web", "10.2.3.4", 443, tcp, true},
			{"a/web", "10.1.2.3", 443, tcp, false},
			{"a/web", "203.0.113.7", 443, tcp, true},
			{"a/web", "b/db", 5432, tcp, false},
		},
	}, {
		// Port ranges, named ports, ANY (the default protocol) and port 0.
		name: "ports",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {}
  ingress:
  - fromEntities: [cluster]
    toPorts: [{ports: [{port: "8000", endPort: 8100, protocol: TCP}, {port: http}, {port: "53"}]}]
  - fromEntities: [world]
    toPorts: [{ports: [{port: "0", protocol: UDP}]}]`,
		flows: []ciliumFlow{
			{"a/web", "a/api", 8080, tcp, true},
			{"a/web", "a/api", 8101, tcp, false},
			{"a/api", "a/web", 80, tcp, true},
			{"a/web", "b/db", 80, tcp, false}, // db has no port named http
			{"a/web", "b/db", 53, corev1.ProtocolUDP, true},
			{"a/web", "b/db", 53, corev1.ProtocolSCTP, true},
			{"8.8.8.8", "b/db", 9999, corev1.ProtocolUDP, true},
			{"8.8.8.8", "b/db", 9999, tcp, false},
		},
	}, {
		// An item with ports and no peer matches every peer, the world included.
		name: "ports without peers",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{toPorts: [{ports: [{port: "5432", protocol: TCP}]}]}]`,
		flows: []ciliumFlow{
			{"8.8.8.8", "b/db", 5432, tcp, true},
			{"a/web", "b/db", 5432, tcp, true},
			{"a/web", "b/db", 5433, tcp, false},
		},
	}, {
		// An explicitly empty peer list matches nothing; the rule still isolates.
		name: "empty peer list",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{fromEndpoints: []}]`,
		flows: []ciliumFlow{{"b/tool", "b/db", 5432, tcp, false}},
	}, {
		// ingress: [{}] denies all ingress; ingress: [] is no ingress at all.
		name: "empty items",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
specs:
- endpointSelector: {matchLabels: {app: web}}
  ingress: [{}]
- endpointSelector: {matchLabels: {app: api}}
  ingress: []
  egress: [{toEntities: [all]}]`,
		flows: []ciliumFlow{
			{"a/api", "a/web", 80, tcp, false},
			{"a/web", "a/api", 8080, tcp, true},
		},
	}, {
		// Deny items win over Cilium and NetworkPolicy allows.
		name: "deny over allow",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEntities: [all]}]
  ingressDeny: [{fromEndpoints: [{matchLabels: {app: tool}}], toPorts: [{ports: [{port: "5432"}]}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {}
  ingress: [{}]`,
		flows: []ciliumFlow{
			{"a/web", "b/db", 5432, tcp, true},
			{"b/tool", "b/db", 5432, tcp, false},
			{"b/tool", "b/db", 5433, tcp, true},
		},
	}, {
		// enableDefaultDeny ingress false: the allow adds nothing, the deny still denies.
		name: "no default deny",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingress: [{fromEndpoints: [{matchLabels: {app: tool}}]}]
  ingressDeny: [{fromEntities: [world]}]`,
		flows: []ciliumFlow{
			{"a/web", "b/db", 5432, tcp, true},
			{"8.8.8.8", "b/db", 5432, tcp, false},
		},
	}, {
		// A policy with only deny items puts the pods in default deny.
		name: "deny only",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  egressDeny: [{toEntities: [world]}]`,
		flows: []ciliumFlow{
			{"b/db", "a/web", 80, tcp, false},
			{"b/db", "8.8.8.8", 443, tcp, false},
		},
	}, {
		// Union with NetworkPolicies: each allows its part.
		name: "union with NetworkPolicy",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEndpoints: [{matchLabels: {app: tool}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: red}}}]}]`,
		flows: []ciliumFlow{
			{"b/tool", "b/db", 5432, tcp, true},
			{"a/web", "b/db", 5432, tcp, true},
			{"8.8.8.8", "b/db", 5432, tcp, false},
		},
	}, {
		name:    "refused: no direction",
		refused: true,
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}`,
		flows: []ciliumFlow{{"a/web", "b/db", 5432, tcp, true}},
	}, {
		name:    "refused: two kinds of peers",
		refused: true,
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{fromEndpoints: [{}], fromCIDR: [10.0.0.0/8]}]`,
		flows: []ciliumFlow{{"a/web", "b/db", 5432, tcp, true}},
	}, {
		// L7 rules need the protocol TCP spelled out.
		name:    "refused: L7 without TCP",
		refused: true,
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]`,
		flows: []ciliumFlow{{"a/web", "b/db", 5432, tcp, true}},
	}, {
		// L7 rules need a port other than 0 (api.PortRule.sanitize).
		name:    "refused: L7 on port 0",
		refused: true,
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress: [{toPorts: [{ports: [{port: "0", protocol: TCP}], rules: {http: [{method: GET}]}}]}]`,
		flows: []ciliumFlow{{"a/web", "b/db", 5432, tcp, true}},
	}, {
		// In a namespaced policy's endpointSelector, Cilium sets the k8s: namespace key to
		// the policy's namespace; the same key written with any: (or no source) stays
		// beside it, so naming another namespace selects nothing.
		name: "endpointSelector namespace key",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
specs:
- endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b, app: web}}
  ingress: [{}]
- endpointSelector: {matchLabels: {"io.kubernetes.pod.namespace": b, app: api}}
  ingress: [{}]`,
		flows: []ciliumFlow{
			{"b/tool", "a/web", 80, tcp, false},
			{"b/tool", "a/api", 8080, tcp, true},
		},
	}, {
		name: "L7 allows",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]}]`,
		flows: []ciliumFlow{
			{"a/api", "a/web", 80, tcp, true},
			{"a/api", "a/web", 81, tcp, false},
		},
	}, {
		// A nodeSelector rule is a host policy: it selects no pod.
		name: "host policy",
		policies: `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  nodeSelector: {}
  ingress: [{fromEntities: [cluster]}]`,
		flows: []ciliumFlow{{"8.8.8.8", "b/db", 5432, tcp, true}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := decodeDocs(t, ciliumWorld+"\n---\n"+tc.policies)
			m, errs := FromObjects(objs)
			var refused bool
			for _, e := range errs {
				if strings.Contains(e.Error(), "Cilium refuses") {
					refused = true
				} else if !strings.Contains(e.Error(), "not modelled") {
					t.Errorf("unexpected error: %v", e)
				}
			}
			if refused != tc.refused {
				t.Errorf("refused = %v, want %v (errors %v)", refused, tc.refused, errs)
			}
			end := func(s string) Endpoint {
				if a, err := netip.ParseAddr(s); err == nil {
					return Endpoint{IP: a}
				}
				for _, w := range m.Workloads() {
					if w.Namespace+"/"+w.Name == s {
						return Endpoint{Workload: w}
					}
				}
				t.Fatalf("no endpoint %s", s)
				return Endpoint{}
			}
			conns := m.Connections("")
			for _, f := range tc.flows {
				if got := m.Check(end(f.from), end(f.to), f.port, f.proto).Allowed(); got != f.want {
					t.Errorf("%s -> %s %s/%d: allowed %v, want %v", f.from, f.to, f.proto, f.port, got, f.want)
				}
				if got := carries(conns, end(f.from), end(f.to), f.port, f.proto); got != f.want {
					t.Errorf("%s -> %s %s/%d: Connections has it %v, want %v", f.from, f.to, f.proto, f.port, got, f.want)
				}
			}
		})
	}
}

func TestCiliumIdentityFilter(t *testing.T) {
	id := CiliumIdentity("a", map[string]string{
		"app": "web", "pod-template-hash": "x", "app.kubernetes.io/name": "web", "kubernetes.io/arch": "amd64",
		"controller-revision-hash": "1", "statefulset.kubernetes.io/pod-name": "w-0", "my.kubernetes.io/x": "y", "k8s.io/z": "1",
	}, map[string]string{"team": "x"}, "")
	want := map[string]string{
		"k8s:app": "web", "k8s:app.kubernetes.io/name": "web", "k8s:my.kubernetes.io/x": "y",
		"k8s:io.kubernetes.pod.namespace": "a", "k8s:io.cilium.k8s.namespace.labels.team": "x",
		"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name": "a",
		"k8s:io.cilium.k8s.policy.serviceaccount":                        "default", "k8s:io.cilium.k8s.policy.cluster": "default",
	}
	if len(id) != len(want) {
		t.Errorf("identity %v, want %v", id, want)
	}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("identity[%s] = %q, want %q (identity %v)", k, id[k], v, id)
		}
	}
}

// carries reports whether some connection of conns carries port/proto from src to dst
// (either may be an outside address).
func carries(conns []Connection, src, dst Endpoint, port int32, proto corev1.Protocol) bool {
	matches := func(p Peer, e Endpoint) bool {
		if e.Workload != nil || p.Workload != nil {
			return p.Workload == e.Workload
		}
		for _, b := range p.blocks {
			if b.contains(e.IP) {
				return true
			}
		}
		return false
	}
	for _, c := range conns {
		if !matches(c.Source, src) || !matches(c.Destination, dst) {
			continue
		}
		for _, r := range c.Ports {
			if r.Protocol == proto && port >= r.From && port <= r.To {
				return true
			}
		}
	}
	return false
}
