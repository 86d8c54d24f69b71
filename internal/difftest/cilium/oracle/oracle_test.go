package oracle

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The cluster every table case runs in.
//
//	namespace a {team: red}:  a/web  app=web, pod-template-hash=abc123, app.kubernetes.io/name=frontend;
//	                                 service account web; ports http 80/TCP, metrics 9090/TCP
//	                          a/api  app=api, tier=backend, controller-revision-hash=v1;
//	                                 service account default; ports http 8080/TCP, dns 53/UDP
//	namespace b {team: blue}: b/db   app=db, tier=backend; service account db; port pg 5432/TCP
//	                          b/web  app=web; service account default; no ports
//	namespace c {}:           c/tool app=tool, kubernetes.io/role=ops, example.kubernetes.io/owner=ops
//
// Every namespace also has kubernetes.io/metadata.name=<name> (added by the oracle).
var (
	fixtureNamespaces = []Namespace{
		{Name: "a", Labels: map[string]string{"team": "red"}},
		{Name: "b", Labels: map[string]string{"team": "blue"}},
		{Name: "c"},
	}
	fixtureEndpoints = []Endpoint{
		{Name: "a/web", Namespace: "a", ServiceAccount: "web",
			Labels: map[string]string{"app": "web", "pod-template-hash": "abc123", "app.kubernetes.io/name": "frontend"},
			Ports:  []Port{{Name: "http", Port: 80, Protocol: "TCP"}, {Name: "metrics", Port: 9090, Protocol: "TCP"}}},
		{Name: "a/api", Namespace: "a", ServiceAccount: "default",
			Labels: map[string]string{"app": "api", "tier": "backend", "controller-revision-hash": "v1"},
			Ports:  []Port{{Name: "http", Port: 8080, Protocol: "TCP"}, {Name: "dns", Port: 53, Protocol: "UDP"}}},
		{Name: "b/db", Namespace: "b", ServiceAccount: "db",
			Labels: map[string]string{"app": "db", "tier": "backend"},
			Ports:  []Port{{Name: "pg", Port: 5432, Protocol: "TCP"}}},
		{Name: "b/web", Namespace: "b", ServiceAccount: "default",
			Labels: map[string]string{"app": "web"}},
		{Name: "c/tool", Namespace: "c", ServiceAccount: "default",
			Labels: map[string]string{"app": "tool", "kubernetes.io/role": "ops", "example.kubernetes.io/owner": "ops"}},
	}
)

// check is one flow and the expected verdict. from and to are endpoint names
// when they contain a "/" and IP addresses otherwise; the verdict is
// "<egress> <ingress>" with "-" for the side that is an IP.
type check struct {
	from, to string
	port     int
	proto    string
	want     string
}

func peer(s string) Peer {
	if strings.Contains(s, "/") && !strings.Contains(s, ":") {
		return Peer{Endpoint: s}
	}
	return Peer{IP: s}
}

type tableCase struct {
	name     string
	policies []string // YAML documents
	refused  []string // the expected Output.Refused, as prefixes "<kind>/<ns>/<name>:"
	checks   []check
}

func TestSemantics(t *testing.T) {
	for _, tc := range tableCases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Namespaces: fixtureNamespaces, Endpoints: fixtureEndpoints}
			for _, doc := range tc.policies {
				js, err := yaml.YAMLToJSON([]byte(doc))
				if err != nil {
					t.Fatalf("policy YAML: %v\n%s", err, doc)
				}
				in.Policies = append(in.Policies, js)
			}
			for _, c := range tc.checks {
				in.Flows = append(in.Flows, Flow{From: peer(c.from), To: peer(c.to), Port: c.port, Protocol: c.proto})
			}
			out, err := Evaluate(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Refused) != len(tc.refused) {
				t.Errorf("refused = %q, want %d matching %q", out.Refused, len(tc.refused), tc.refused)
			} else {
				for i, prefix := range tc.refused {
					if !strings.HasPrefix(out.Refused[i], prefix) {
						t.Errorf("refused[%d] = %q, want prefix %q", i, out.Refused[i], prefix)
					}
				}
			}
			for i, c := range tc.checks {
				v := out.Verdicts[i]
				got := orDash(v.Egress) + " " + orDash(v.Ingress)
				if got != c.want {
					t.Errorf("%s -> %s %d/%s: got %q, want %q", c.from, c.to, c.port, c.proto, got, c.want)
				}
			}
		})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

const (
	aa = "allow allow"
	ad = "allow deny"
	da = "deny allow"
	dd = "deny deny"
	xa = "- allow" // source is an IP
	xd = "- deny"
	ax = "allow -" // destination is an IP
	dx = "deny -"
)

var tableCases = []tableCase{
	{
		// With no policy selecting them, endpoints allow everything both ways.
		name: "no policy allows everything",
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
			{"b/db", "2001:db8::1", 443, "TCP", ax},
		},
	},
	{
		// A CNP is namespaced: an empty endpointSelector selects the pods of its
		// own namespace only, and its peer selectors are scoped to that namespace
		// unless they name one (ParseToCiliumRule adds
		// k8s:io.kubernetes.pod.namespace=<ns> to both).
		name: "CNP empty endpointSelector selects its namespace only",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad}, // app=web of namespace a is not in b
			{"b/web", "b/db", 5432, "TCP", aa},
			{"c/tool", "a/api", 8080, "TCP", aa}, // a/api not selected
			{"a/web", "b/web", 80, "TCP", ad},    // b/web selected too
		},
	},
	{
		// A CCNP's empty endpointSelector selects every pod of the cluster, and
		// its peer selectors are cluster-wide.
		name: "CCNP empty endpointSelector selects all namespaces",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"b/web", "a/api", 8080, "TCP", aa},
			{"c/tool", "a/web", 80, "TCP", ad},
			{"8.8.8.8", "a/api", 8080, "TCP", xd},
		},
	},
	{
		// fromEndpoints [{}] in a CNP: every pod of the policy's namespace.
		name: "CNP fromEndpoints [{}] is the policy namespace",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{}]
`},
		checks: []check{
			{"b/web", "b/db", 5432, "TCP", aa},
			{"a/web", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
		},
	},
	{
		// fromEndpoints [{}] in a CCNP: every pod of the cluster (the parser adds
		// k8s:io.kubernetes.pod.namespace Exists), but not world.
		name: "CCNP fromEndpoints [{}] is all pods but not world",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"c/tool", "b/db", 5432, "TCP", aa},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"2001:db8::1", "b/db", 5432, "TCP", xd},
		},
	},
	{
		// Selector keys: "k8s:app", "any:app" and "app" (no source, which means
		// any) all match the pod label app, which has source k8s.
		name: "label key sources k8s, any and none",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {"k8s:app": db}}
  ingress:
  - fromEndpoints: [{matchLabels: {"any:app": web}}]
  egress:
  - toEndpoints: [{matchLabels: {tier: backend}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"b/web", "b/db", 5432, "TCP", aa},
			{"c/tool", "b/db", 5432, "TCP", ad},
			{"b/db", "a/api", 8080, "TCP", aa},
			{"b/db", "a/web", 80, "TCP", da},
		},
	},
	{
		// A key with another source (container:) does not match k8s pod labels,
		// so this policy selects nothing.
		name: "label key with another source selects nothing",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {"container:app": db}}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// Naming the namespace with k8s:io.kubernetes.pod.namespace in a CNP peer
		// replaces the implicit policy namespace.
		name: "CNP peer in another namespace by io.kubernetes.pod.namespace",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": a}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", aa},
			{"b/web", "b/db", 5432, "TCP", ad},
			{"c/tool", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// A namespace-labels key (k8s:io.cilium.k8s.namespace.labels.<key>) in a
		// CNP peer also lifts the implicit policy namespace: it selects pods of
		// every namespace with that label.
		name: "CNP peer by namespace labels",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {"k8s:io.cilium.k8s.namespace.labels.team": red}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"b/web", "b/db", 5432, "TCP", ad},
			{"c/tool", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// kubernetes.io/metadata.name, which the API server puts on every
		// namespace, is a namespace label like any other (and identity-relevant:
		// the io.cilium.k8s.namespace.labels prefix is included by the filter).
		name: "namespace label kubernetes.io/metadata.name",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - {key: io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name, operator: In, values: [c]}
`},
		checks: []check{
			{"c/tool", "b/db", 5432, "TCP", aa},
			{"a/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// The pod's service account is the identity label
		// k8s:io.cilium.k8s.policy.serviceaccount.
		name: "service account",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", ad},
			{"b/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// pod-template-hash is dropped by the default label filter, so a
		// selector on it matches no pod.
		name: "pod-template-hash is not identity-relevant",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {pod-template-hash: abc123}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// ... and DoesNotExist on it matches pods that do carry it.
		name: "DoesNotExist on a filtered label matches",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector:
    matchLabels: {app: web}
    matchExpressions: [{key: pod-template-hash, operator: DoesNotExist}]
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", ad},
			{"8.8.8.8", "a/web", 80, "TCP", xa},
			{"c/tool", "b/web", 80, "TCP", ad},
		},
	},
	{
		// controller-revision-hash is dropped by the default label filter too.
		name: "controller-revision-hash is not identity-relevant",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {controller-revision-hash: v1}}]
`},
		checks: []check{
			{"a/api", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// app.kubernetes.io is explicitly included by the default filter (its
		// include is longer than any ignore that matches).
		name: "app.kubernetes.io labels are identity-relevant",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app.kubernetes.io/name: frontend}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// Keys beginning with kubernetes.io are ignored by the default filter.
		name: "kubernetes.io/ keys are not identity-relevant",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {kubernetes.io/role: ops}}]
`},
		checks: []check{
			{"c/tool", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// The filter's patterns are regular expressions anchored at the start of
		// the key: example.kubernetes.io/owner is not ignored.
		name: "keys merely containing kubernetes.io are identity-relevant",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {example.kubernetes.io/owner: ops}}]
`},
		checks: []check{
			{"c/tool", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// Entity world: every address outside the cluster, IPv4 and IPv6, but no pod.
		name: "entity world",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
			{"10.1.2.3", "b/db", 5432, "TCP", xa},
			{"2001:db8::1", "b/db", 5432, "TCP", xa},
			{"a/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// Entity world also selects the CIDR identities policies create for
		// external prefixes (they carry reserved:world-ipv4).
		name: "entity world selects CIDR identities",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  egress:
  - toEntities: [world]
`, `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: q}
spec:
  endpointSelector: {matchLabels: {app: tool}}
  egress:
  - toCIDR: [8.8.8.0/24, "2001:db8::/64"]
`},
		checks: []check{
			{"b/db", "8.8.8.8", 53, "UDP", ax},
			{"b/db", "2001:db8::1", 443, "TCP", ax},
			{"c/tool", "8.8.8.8", 53, "UDP", ax},
			{"c/tool", "203.0.113.7", 53, "UDP", dx},
		},
	},
	{
		// Entity cluster: every pod (and the node entities), no external address.
		name: "entity cluster",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEntities: [cluster]
  egress:
  - toEntities: [cluster]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"b/db", "c/tool", 80, "TCP", aa},
			{"b/db", "8.8.8.8", 53, "UDP", dx}, // DNS is not special
		},
	},
	{
		// Entity all: everything.
		name: "entity all",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEntities: [all]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"2001:db8::1", "b/db", 5432, "TCP", xa},
		},
	},
	{
		// Entity host is the node; pods and external addresses are not it.
		name: "entity host selects no pod or external address",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toEntities: [host]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", da},
			{"a/web", "8.8.8.8", 53, "UDP", dx},
			{"a/api", "8.8.8.8", 53, "UDP", ax},
		},
	},
	{
		// toCIDR selects external addresses in the prefix, never pods.
		name: "toCIDR",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  egress:
  - toCIDR: [8.8.8.0/24]
`},
		checks: []check{
			{"b/db", "8.8.8.8", 53, "UDP", ax},
			{"b/db", "203.0.113.7", 53, "UDP", dx},
			{"b/db", "a/web", 80, "TCP", da},
		},
	},
	{
		// toCIDRSet with except; 0.0.0.0/0 does not cover IPv6, nor pods.
		name: "toCIDRSet with except",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  egress:
  - toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]
`},
		checks: []check{
			{"b/db", "8.8.8.8", 53, "UDP", ax},
			{"b/db", "10.1.2.3", 53, "UDP", dx},
			{"b/db", "2001:db8::1", 53, "UDP", dx},
			{"b/db", "a/web", 80, "TCP", da},
		},
	},
	{
		// fromCIDR and fromCIDRSet (IPv6, with except) together.
		name: "fromCIDR and fromCIDRSet",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromCIDRSet: [{cidr: "2001:db8::/32", except: ["2001:db8::/126"]}]
  - fromCIDR: [203.0.113.0/24]
`},
		checks: []check{
			{"2001:db8::1", "b/db", 5432, "TCP", xd},
			{"203.0.113.7", "b/db", 5432, "TCP", xa},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
		},
	},
	{
		// A port range (endPort) covers its bounds; protocol must match.
		name: "port range",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - toPorts: [{ports: [{port: "8000", endPort: 8100, protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "a/api", 8080, "TCP", aa},
			{"a/web", "a/api", 8100, "TCP", aa},
			{"a/web", "a/api", 80, "TCP", ad},
			{"a/web", "a/api", 8080, "UDP", ad},
		},
	},
	{
		// An ingress named port resolves against each selected pod's own ports.
		name: "ingress named port per destination",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector:
    matchExpressions: [{key: app, operator: In, values: [web, api]}]
  ingress:
  - toPorts: [{ports: [{port: http, protocol: TCP}]}]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
			{"c/tool", "a/web", 8080, "TCP", ad},
			{"c/tool", "a/api", 8080, "TCP", aa},
			{"c/tool", "a/api", 80, "TCP", ad},
			{"c/tool", "b/web", 80, "TCP", ad}, // b/web has no port named http
		},
	},
	{
		// An egress named port resolves against the selected peers' ports.
		name: "egress named port per peer",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}]
    toPorts: [{ports: [{port: pg, protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/web", "b/web", 5432, "TCP", da},
			{"a/web", "b/db", 80, "TCP", da},
		},
	},
	{
		// A named port without a protocol (ANY).
		name: "named port with protocol ANY",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - toPorts: [{ports: [{port: dns}]}]
  egress:
  - toPorts: [{ports: [{port: pg}]}]
`},
		checks: []check{
			{"c/tool", "a/api", 53, "UDP", aa},
			{"c/tool", "a/api", 53, "TCP", ad},
			{"a/api", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// Protocol ANY covers TCP and UDP on that port.
		name: "protocol ANY",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - toPorts: [{ports: [{port: "53", protocol: ANY}]}]
`},
		checks: []check{
			{"a/web", "b/db", 53, "TCP", aa},
			{"a/web", "b/db", 53, "UDP", aa},
			{"a/web", "b/db", 53, "SCTP", aa},
			{"a/web", "b/db", 54, "UDP", ad},
		},
	},
	{
		// Port 0 is every port of the protocol.
		name: "port 0 is all ports",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - toPorts: [{ports: [{port: "0", protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 12345, "TCP", aa},
			{"a/web", "b/db", 53, "UDP", ad},
		},
	},
	{
		// SCTP port rules.
		name: "SCTP port",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - toPorts: [{ports: [{port: "9", protocol: SCTP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 9, "SCTP", aa},
			{"a/web", "b/db", 9, "TCP", ad},
		},
	},
	{
		// L7 HTTP rules redirect to the proxy: at L3/L4 the port is allowed.
		name: "L7 http rules allow the port",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: tool}}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
      rules:
        http: [{method: GET, path: "/"}]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
			{"c/tool", "a/web", 81, "TCP", ad},
			{"a/api", "a/web", 80, "TCP", ad},
		},
	},
	{
		// ingressDeny wins over an allow of the same traffic.
		name: "ingressDeny beats ingress allow",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEntities: [all]
  ingressDeny:
  - fromEndpoints: [{matchLabels: {app: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"b/web", "b/db", 5432, "TCP", ad},
			{"a/api", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// ... and over a Kubernetes NetworkPolicy allow.
		name: "ingressDeny beats a NetworkPolicy allow",
		policies: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - {}
`, `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"a/web", "b/db", 80, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", aa},
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
		},
	},
	{
		// egressDeny of a CIDR wins over toEntities world.
		name: "egressDeny beats egress allow",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  egress:
  - toEntities: [world]
  egressDeny:
  - toCIDR: [8.8.8.8/32]
`},
		checks: []check{
			{"b/db", "8.8.8.8", 53, "UDP", dx},
			{"b/db", "203.0.113.7", 53, "UDP", ax},
		},
	},
	{
		// A policy with only deny rules still puts the selected endpoints in
		// default deny for that direction.
		name: "deny-only policy enables default deny",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {app: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"a/api", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"b/db", "a/api", 8080, "TCP", aa}, // egress untouched
		},
	},
	{
		// enableDefaultDeny.ingress=false: the deny applies, everything else stays allowed.
		name: "enableDefaultDeny ingress false with deny",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {app: web}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"a/api", "b/db", 5432, "TCP", aa},
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
		},
	},
	{
		// enableDefaultDeny.ingress=false with an allow rule: the allow restricts nothing.
		name: "enableDefaultDeny ingress false with allow",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  enableDefaultDeny: {ingress: false}
  ingress:
  - fromEndpoints: [{matchLabels: {app: api}}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// ... but another policy selecting the endpoint in default deny (here a
		// NetworkPolicy denying all ingress) turns default deny on, and the
		// non-default-deny policy's allows still count.
		name: "enableDefaultDeny false next to a default-deny policy",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  enableDefaultDeny: {ingress: false}
  ingress:
  - fromEndpoints: [{matchLabels: {app: api}}]
`, `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"a/api", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// A rule whose only section is "ingress: []" has no rules at all:
		// Sanitize refuses it.
		name: "ingress: [] alone is refused",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: []
`},
		refused: []string{"CiliumNetworkPolicy/b/p:"},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
		},
	},
	{
		// Next to an egress section, "ingress: []" leaves ingress unrestricted.
		name: "ingress: [] next to egress leaves ingress open",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: []
  egress:
  - toEntities: [world]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"b/db", "a/web", 80, "TCP", da},
			{"b/db", "8.8.8.8", 53, "UDP", ax},
		},
	},
	{
		// "ingress: [{}]" is a rule that selects no peer: default deny, nothing allowed.
		name: "ingress: [{}] denies all ingress",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"b/web", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"b/db", "a/web", 80, "TCP", aa},
		},
	},
	{
		// A rule with toPorts and no peer selector allows every peer on those
		// ports, world included (its L3 is the wildcard).
		name: "L4-only ingress rule allows every peer",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`},
		checks: []check{
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/web", "b/db", 80, "TCP", ad},
		},
	},
	{
		// The same on egress: to pods and to world.
		name: "L4-only egress rule allows every peer",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  egress:
  - toPorts: [{ports: [{port: "53", protocol: UDP}]}]
`},
		checks: []check{
			{"b/db", "8.8.8.8", 53, "UDP", ax},
			{"b/db", "a/api", 53, "UDP", aa},
			{"b/db", "8.8.8.8", 443, "TCP", dx},
		},
	},
	{
		// An explicitly empty peer list (fromEndpoints: []) selects no peer, even
		// with toPorts: unlike an absent one.
		name: "empty fromEndpoints list selects nothing",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: []
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
		},
	},
	{
		// An L4-only deny denies the port from every peer; with
		// enableDefaultDeny.ingress=false nothing else is denied.
		name: "L4-only ingressDeny without default deny",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: db}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
  - toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"a/web", "b/db", 80, "TCP", aa},
		},
	},
	{
		// any:io.kubernetes.pod.namespace names the namespace like the k8s: key.
		name: "CNP peer namespace by any: key",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {"any:io.kubernetes.pod.namespace": c}}]
`},
		checks: []check{
			{"c/tool", "b/db", 5432, "TCP", aa},
			{"b/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// A NetworkPolicy egress rule with ports and no "to" allows every
		// destination, world included.
		name: "NetworkPolicy egress ports only",
		policies: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}]
`},
		checks: []check{
			{"a/web", "8.8.8.8", 53, "UDP", ax},
			{"a/web", "b/db", 53, "UDP", aa},
			{"a/web", "b/db", 5432, "TCP", da},
			{"b/db", "a/web", 80, "TCP", aa},
		},
	},
	{
		// A rule without ingress, ingressDeny, egress or egressDeny is refused, in
		// a CNP and in a CCNP; one bad rule in specs refuses the whole policy.
		name: "rules without sections are refused",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
`, `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: q}
spec:
  endpointSelector: {}
`, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: r, namespace: b}
specs:
- endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEntities: [world]}]
- endpointSelector: {matchLabels: {app: web}}
`},
		refused: []string{"CiliumNetworkPolicy/b/p:", "CiliumClusterwideNetworkPolicy//q:", "CiliumNetworkPolicy/b/r:"},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"a/web", "b/web", 80, "TCP", aa},
		},
	},
	{
		// spec and specs together: both apply.
		name: "spec and specs together",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEntities: [world]}]
specs:
- endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: db}}]}]
`},
		checks: []check{
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
			{"a/web", "b/db", 5432, "TCP", ad},
			{"b/db", "b/web", 80, "TCP", aa},
			{"8.8.8.8", "b/web", 80, "TCP", xd},
		},
	},
	{
		// A NetworkPolicy and a CNP selecting the same pod: the union of their allows.
		name: "NetworkPolicy plus CNP is the union",
		policies: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": a, app: api}}]
`},
		checks: []check{
			{"b/web", "b/db", 5432, "TCP", aa},
			{"a/api", "b/db", 5432, "TCP", aa},
			{"a/web", "b/db", 5432, "TCP", ad},
			{"c/tool", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// NetworkPolicy namespaceSelector and ipBlock with except; an ipBlock
		// does not select pods.
		name: "NetworkPolicy namespaceSelector and ipBlock",
		policies: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: red}}
    - ipBlock: {cidr: 0.0.0.0/0, except: [8.8.8.0/24]}
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", aa},
			{"c/tool", "b/db", 5432, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xd},
			{"203.0.113.7", "b/db", 5432, "TCP", xa},
			{"2001:db8::1", "b/db", 5432, "TCP", xd},
		},
	},
	{
		// A CNP's endpointSelector naming another namespace is overridden: it
		// applies in the policy's namespace only.
		name: "CNP endpointSelector cannot leave its namespace",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": a, app: web}}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
			{"c/tool", "b/web", 80, "TCP", ad},
		},
	},
	{
		// Only the k8s: namespace key is replaced by the policy's namespace: with
		// any: or no source, the key stays and the parser adds
		// k8s:io.kubernetes.pod.namespace=<policy namespace> beside it, so naming
		// another namespace selects nothing at all.
		name: "CNP endpointSelector with an any: namespace key",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: b}
spec:
  endpointSelector: {matchLabels: {"any:io.kubernetes.pod.namespace": a, app: web}}
  ingress:
  - fromEntities: [world]
`, `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: q, namespace: b}
spec:
  endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: b, app: db}}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
			{"c/tool", "b/web", 80, "TCP", aa},
			{"c/tool", "b/db", 5432, "TCP", ad}, // naming its own namespace is harmless
		},
	},
	{
		// L7 rules on port 0 (all ports) are refused.
		name: "L7 rules on port 0 are refused",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - toPorts:
    - ports: [{port: "0", protocol: TCP}]
      rules:
        http: [{method: GET}]
`},
		refused: []string{"CiliumClusterwideNetworkPolicy//p:"},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
		},
	},
	{
		// A NetworkPolicy peer on a label the filter drops selects no pod either
		// (unlike Kubernetes' own semantics).
		name: "NetworkPolicy peer on a filtered label",
		policies: []string{`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchLabels: {pod-template-hash: abc123}}
`},
		checks: []check{
			{"a/web", "b/db", 5432, "TCP", ad},
		},
	},
	{
		// A CCNP's endpointSelector can name a namespace.
		name: "CCNP endpointSelector by namespace",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "a/web", 80, "TCP", aa},
			{"c/tool", "b/web", 80, "TCP", ad},
			{"8.8.8.8", "b/db", 5432, "TCP", xa},
		},
	},
	{
		// matchExpressions Exists and NotIn.
		name: "matchExpressions Exists and NotIn",
		policies: []string{`
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector:
    matchExpressions:
    - {key: tier, operator: Exists}
    - {key: app, operator: NotIn, values: [db]}
  ingress:
  - fromEntities: [world]
`},
		checks: []check{
			{"c/tool", "a/api", 8080, "TCP", ad},
			{"c/tool", "b/db", 5432, "TCP", aa},
			{"c/tool", "a/web", 80, "TCP", aa},
		},
	},
}

// TestBatch checks that EvaluateAll keeps inputs independent and ordered.
func TestBatch(t *testing.T) {
	deny := `{"apiVersion":"cilium.io/v2","kind":"CiliumClusterwideNetworkPolicy","metadata":{"name":"p"},"spec":{"endpointSelector":{},"ingress":[{}]}}`
	flow := Flow{From: Peer{Endpoint: "a/web"}, To: Peer{Endpoint: "b/db"}, Port: 5432, Protocol: "TCP"}
	base := Input{Namespaces: fixtureNamespaces, Endpoints: fixtureEndpoints, Flows: []Flow{flow}}
	withDeny := base
	withDeny.Policies = []json.RawMessage{json.RawMessage(deny)}
	outs, err := EvaluateAll([]Input{base, withDeny, base})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range outs {
		got = append(got, fmt.Sprint(o.Verdicts))
	}
	want := []string{"[{allow allow}]", "[{allow deny}]", "[{allow allow}]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestIdentityLabels pins the labels the agent gives a pod.
func TestIdentityLabels(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	ep := fixtureEndpoints[0]
	lbls, ports := EndpointIdentityLabels(ep, nsInfo{name: "a", labels: map[string]string{"team": "red", "kubernetes.io/metadata.name": "a"}})
	var got []string
	for _, l := range lbls.LabelArray() {
		got = append(got, l.String())
	}
	want := []string{
		"k8s:app=web",
		"k8s:app.kubernetes.io/name=frontend",
		// Named ports are part of the identity (generated source), so pods with
		// the same labels but different named ports get different identities.
		"gen:io.cilium.k8s.named-ports=http.TCP.80_metrics.TCP.9090",
		"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=a",
		"k8s:io.cilium.k8s.namespace.labels.team=red",
		"k8s:io.cilium.k8s.policy.cluster=default",
		"k8s:io.cilium.k8s.policy.serviceaccount=web",
		"k8s:io.kubernetes.pod.namespace=a",
	}
	if !slices.Equal(got, want) {
		t.Errorf("identity labels:\n got %q\nwant %q", got, want)
	}
	if len(ports) != 2 {
		t.Errorf("named ports = %v", ports)
	}
}
