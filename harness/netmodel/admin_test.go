package netmodel_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// objects decodes YAML documents separated by "---".
func objects(t *testing.T, docs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range strings.Split(docs, "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("decoding %q: %v", doc, err)
		}
		out = append(out, obj)
	}
	return out
}

// base holds namespaces a (tier=front) and b, a client and a server in each; the servers
// declare http (TCP 8080) and dns (UDP 53).
const base = `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {tier: front}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: b, labels: {app: server}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
`

// probe is one connection to decide: from a workload (namespace/name) to a workload or
// an address, on a port.
type probe struct {
	src, dst string
	port     int32
	proto    corev1.Protocol
}

func (p probe) String() string { return fmt.Sprintf("%s->%s %s/%d", p.src, p.dst, p.proto, p.port) }

func TestAdminPrecedence(t *testing.T) {
	tcp := func(src, dst string, port int32) probe { return probe{src, dst, port, corev1.ProtocolTCP} }
	tests := []struct {
		name    string
		objects string
		want    map[probe]bool
	}{{
		name: "ANP Allow overrides a NetworkPolicy deny",
		objects: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: allow-from-b}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {tier: front}}}
  ingress:
    - action: Allow
      from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}]`,
		want: map[probe]bool{tcp("b/client", "a/server", 8080): true, tcp("a/client", "a/server", 8080): false},
	}, {
		name: "ANP Deny overrides a NetworkPolicy allow",
		objects: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: a}
spec: {podSelector: {}, ingress: [{}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-b}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: server}}}}
  ingress:
    - action: Deny
      from: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}, podSelector: {}}}]`,
		want: map[probe]bool{tcp("b/client", "a/server", 8080): false, tcp("a/client", "a/server", 8080): true, tcp("a/client", "b/server", 8080): true},
	}, {
		name: "Pass falls to the NetworkPolicies",
		objects: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same-namespace, namespace: a}
spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-then-deny}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
    - action: Pass
      from: [{namespaces: {}}]
    - action: Deny
      from: [{namespaces: {}}]`,
		want: map[probe]bool{tcp("a/client", "a/server", 8080): true, tcp("b/client", "a/server", 8080): false, tcp("a/client", "b/server", 8080): true},
	}, {
		name: "Pass falls to the BaselineAdminNetworkPolicy when no NetworkPolicy selects the pod",
		objects: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: b}
spec: {podSelector: {}, ingress: [{}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
    - action: Pass
      from: [{namespaces: {}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
    - action: Deny
      from: [{namespaces: {}}]`,
		// a has no NetworkPolicy: the baseline denies; b's allows.
		want: map[probe]bool{tcp("b/client", "a/server", 8080): false, tcp("a/client", "b/server", 8080): true},
	}, {
		name: "BaselineAdminNetworkPolicy decides only pods no NetworkPolicy selects",
		objects: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-open, namespace: a}
spec: {podSelector: {matchLabels: {app: server}}, ingress: [{}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
    - action: Allow
      from: [{namespaces: {matchLabels: {tier: front}}}]
    - action: Deny
      from: [{namespaces: {}}]`,
		want: map[probe]bool{
			tcp("b/client", "a/server", 8080): true,  // the NetworkPolicy decides
			tcp("b/client", "a/client", 8080): false, // baseline deny
			tcp("a/client", "b/server", 8080): true,  // baseline allow, first match
			tcp("b/client", "b/server", 8080): false,
		},
	}, {
		name: "lower priority number first, equal priorities by name",
		objects: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: z-allow}
spec:
  priority: 5
  subject: {namespaces: {}}
  ingress: [{action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 8080}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-late}
spec:
  priority: 20
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a-deny-53}
spec:
  priority: 5
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {protocol: UDP, port: 53}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: b-allow-53}
spec:
  priority: 5
  subject: {namespaces: {}}
  ingress: [{action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {protocol: UDP, port: 53}}]}]`,
		want: map[probe]bool{
			tcp("b/client", "a/server", 8080):                true,
			tcp("b/client", "a/server", 9090):                false,
			{"b/client", "a/server", 53, corev1.ProtocolUDP}: false, // a-deny-53 sorts before b-allow-53
		},
	}, {
		name: "ports: number, range and named port",
		objects: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ports}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}
  ingress:
    - action: Allow
      from: [{namespaces: {}}]
      ports:
        - portNumber: {protocol: TCP, port: 80}
        - portRange: {start: 9000, end: 9100}
        - namedPort: dns
    - action: Deny
      from: [{namespaces: {}}]`,
		want: map[probe]bool{
			tcp("a/client", "b/server", 80):                    true,
			tcp("a/client", "b/server", 81):                    false,
			tcp("a/client", "b/server", 9050):                  true, // portRange protocol defaults to TCP
			{"a/client", "b/server", 9050, corev1.ProtocolUDP}: false,
			{"a/client", "b/server", 53, corev1.ProtocolUDP}:   true, // namedPort resolves on the destination
			tcp("a/client", "b/server", 53):                    false,
			tcp("a/client", "b/server", 8080):                  false,
		},
	}, {
		name: "egress networks",
		objects: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}
  egress:
    - action: Deny
      to: [{networks: [10.0.0.0/8]}]
    - action: Allow
      to: [{networks: [0.0.0.0/0]}]
    - action: Deny
      to: [{namespaces: {}}]`,
		want: map[probe]bool{
			tcp("a/client", "10.1.2.3", 443):    false,
			tcp("a/client", "192.0.2.1", 443):   true,
			tcp("a/client", "2001:db8::1", 443): true, // no IPv6 rule: default allow
			tcp("a/client", "b/server", 8080):   false,
			tcp("b/client", "10.1.2.3", 443):    true,
		},
	}, {
		name: "both directions combined",
		objects: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: b-no-egress-to-a}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}
  egress:
    - action: Deny
      to: [{namespaces: {matchLabels: {tier: front}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a-allows-b}
spec:
  priority: 2
  subject: {namespaces: {matchLabels: {tier: front}}}
  ingress:
    - action: Allow
      from: [{namespaces: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-egress-deny, namespace: a}
spec: {podSelector: {}, policyTypes: [Egress]}`,
		want: map[probe]bool{
			tcp("b/client", "a/server", 8080): false, // ingress allows, egress denies
			tcp("a/client", "b/server", 8080): false, // a's NetworkPolicy denies egress
			tcp("b/client", "b/server", 8080): true,
		},
	}, {
		name: "legacy v0.1.1 peers",
		objects: `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: legacy}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}
  ingress:
    - action: Allow
      from: [{pods: {namespaces: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}}, podSelector: {matchLabels: {app: client}}}}]
    - action: Deny
      from: [{namespaces: {namespaceSelector: {}}}]`,
		want: map[probe]bool{tcp("b/client", "a/server", 8080): true, tcp("b/server", "a/server", 8080): false},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := objects(t, base+"---\n"+tt.objects)
			m, errs := netmodel.FromObjects(objs)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			byID := map[string]*netmodel.Workload{}
			for _, w := range m.Workloads() {
				byID[w.Namespace+"/"+w.Name] = w
			}
			endpoint := func(s string) netmodel.Endpoint {
				if w := byID[s]; w != nil {
					return netmodel.Endpoint{Workload: w}
				}
				a, err := netip.ParseAddr(s)
				if err != nil {
					t.Fatalf("no workload or address %q", s)
				}
				return netmodel.Endpoint{IP: a}
			}
			conns := m.Connections("")
			got, fromGraph := map[probe]bool{}, map[probe]bool{}
			for p := range tt.want {
				got[p] = m.Check(endpoint(p.src), endpoint(p.dst), p.port, p.proto).Allowed()
				fromGraph[p] = connected(conns, endpoint(p.src), endpoint(p.dst), p.port, p.proto)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Transformer("str", stringKeys)); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, fromGraph, cmp.Transformer("str", stringKeys)); diff != "" {
				t.Errorf("Connections (-want +got):\n%s", diff)
			}
		})
	}
}

func stringKeys(m map[probe]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range m {
		out[k.String()] = v
	}
	return out
}

// connected reports whether some connection of conns carries port/proto from src to dst.
func connected(conns []netmodel.Connection, src, dst netmodel.Endpoint, port int32, proto corev1.Protocol) bool {
	for _, c := range conns {
		if c.Source.Workload != src.Workload {
			continue
		}
		if dst.Workload != nil {
			if c.Destination.Workload != dst.Workload {
				continue
			}
		} else if c.Destination.Workload != nil || !c.Destination.Reaches(netip.PrefixFrom(dst.IP, dst.IP.BitLen())) || excludes(c.Destination.CIDR, dst.IP) {
			continue
		}
		if slices.ContainsFunc(c.Ports, func(r netmodel.PortRange) bool { return r.Protocol == proto && port >= r.From && port <= r.To }) {
			return true
		}
	}
	return false
}

// excludes reports whether an "X except Y,Z" destination leaves out the address.
func excludes(cidr string, a netip.Addr) bool {
	_, ex, ok := strings.Cut(cidr, " except ")
	if !ok {
		return false
	}
	for _, e := range strings.Split(ex, ",") {
		if p, err := netip.ParsePrefix(e); err == nil && p.Contains(a) {
			return true
		}
	}
	return false
}

func TestAdminErrorsAndBaselineName(t *testing.T) {
	objs := objects(t, base+`---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: not-default}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: related}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {sameLabels: [tenant]}}]}]`)
	m, errs := netmodel.FromObjects(objs)
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d: %v", e.Index, e))
	}
	want := []string{
		"6: BaselineAdminNetworkPolicy: not-default: only the BaselineAdminNetworkPolicy named default takes effect; left out",
		"7: AdminNetworkPolicy/related: ingress[0] peer 0: peers relating namespaces with sameLabels or notSameLabels are not modelled (they match nothing)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	anps, baseline := m.AdminPolicies()
	if len(anps) != 1 || baseline != nil {
		t.Errorf("admin policies %v, baseline %v", anps, baseline)
	}
}

func TestAdminEgressToOutside(t *testing.T) {
	objs := objects(t, base+`---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}
  egress:
    - action: Deny
      to: [{networks: [10.0.0.0/8]}]
    - action: Allow
      to: [{networks: [0.0.0.0/0]}]
      ports: [{portNumber: {protocol: TCP, port: 443}}]
    - action: Deny
      to: [{networks: [0.0.0.0/0]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: b}}}
  egress:
    - action: Deny
      to: [{networks: ["::/0"]}]`)
	m, errs := netmodel.FromObjects(objs)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	type row struct{ Source, Destination, Ports string }
	var got []row
	for _, c := range m.Connections("") {
		if c.Destination.Workload == nil && c.Source.Workload.Name == "client" {
			got = append(got, row{c.Source.String(), c.Destination.String(), netmodel.FormatPorts(c.Ports)})
		}
	}
	want := []row{
		{"a/client[Pod]", "0.0.0.0/0 except 10.0.0.0/8", "TCP 443"},
		{"a/client[Pod]", "::/0", "all ports"},
		{"b/client[Pod]", "0.0.0.0/0", "all ports"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("connections to the outside (-want +got):\n%s", diff)
	}
}
