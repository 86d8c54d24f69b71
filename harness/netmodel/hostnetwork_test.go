package netmodel_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// hostNet holds a host-network agent and a server in namespace a, and a client in b.
const hostNet = `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: a, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: c, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec:
  containers: [{name: c, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec:
  containers: [{name: c}]
`

// TestHostNetwork checks both ways of treating host-network pods: outside NetworkPolicy
// (unprotected, the default) or as any pod.
func TestHostNetwork(t *testing.T) {
	const denyAll = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`
	const fromAgent = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server, namespace: a}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{podSelector: {matchLabels: {app: agent}}}]}]`
	const adminDeny = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-agent}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: agent}}}}
  ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]`
	tests := []struct {
		name              string
		policies          string
		src, dst          string
		unprotected, pod  bool // allowed under each
		isolatedUnderPods bool // the agent's side is isolated under pod
	}{
		{"a default deny that selects the host-network pod: ingress", denyAll, "client", "agent", true, false, true},
		{"a default deny that selects the host-network pod: egress", denyAll, "agent", "client", true, false, true},
		{"a podSelector peer that names the host-network pod", fromAgent, "agent", "server", false, true, false},
		{"an AdminNetworkPolicy whose subject is the host-network pod", adminDeny, "client", "agent", true, false, true},
		{"no policy", "", "client", "agent", true, true, false},
	}
	for _, tt := range tests {
		for _, mode := range []netmodel.HostNetwork{"", netmodel.HostNetworkUnprotected, netmodel.HostNetworkPod} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				docs := hostNet
				if tt.policies != "" {
					docs += "---\n" + tt.policies
				}
				m, errs := netmodel.FromObjects(objects(t, docs), netmodel.WithHostNetwork(mode))
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				want, wantMode := tt.unprotected, netmodel.HostNetworkUnprotected
				if mode == netmodel.HostNetworkPod {
					want, wantMode = tt.pod, netmodel.HostNetworkPod
				}
				if m.HostNetwork() != wantMode {
					t.Errorf("model says host network %q, want %q", m.HostNetwork(), wantMode)
				}
				byName := map[string]*netmodel.Workload{}
				for _, w := range m.Workloads() {
					byName[w.Name] = w
				}
				v := m.Check(netmodel.Endpoint{Workload: byName[tt.src]}, netmodel.Endpoint{Workload: byName[tt.dst]}, 80, corev1.ProtocolTCP)
				if v.Allowed() != want {
					t.Errorf("%s -> %s allowed %v, want %v (%+v)", tt.src, tt.dst, v.Allowed(), want, v)
				}
				// Connections (the map) agree with Check.
				listed := false
				for _, c := range m.Connections("") {
					if c.Source.Workload == byName[tt.src] && c.Destination.Workload == byName[tt.dst] {
						listed = true
					}
				}
				if listed != want {
					t.Errorf("%s -> %s listed %v, want %v", tt.src, tt.dst, listed, want)
				}
				agentSide := v.Ingress
				if tt.src == "agent" {
					agentSide = v.Egress
				}
				if isolated := agentSide.Isolated; isolated != (tt.isolatedUnderPods && mode == netmodel.HostNetworkPod) {
					t.Errorf("the agent's side isolated %v (%+v)", isolated, v)
				}
			})
		}
	}
}

func TestParseHostNetwork(t *testing.T) {
	for in, want := range map[string]netmodel.HostNetwork{"": netmodel.HostNetworkUnprotected, "unprotected": netmodel.HostNetworkUnprotected, "pod": netmodel.HostNetworkPod} {
		if got, err := netmodel.ParseHostNetwork(in); err != nil || got != want {
			t.Errorf("ParseHostNetwork(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"node", "Pod", " pod"} {
		if _, err := netmodel.ParseHostNetwork(in); err == nil || !strings.Contains(err.Error(), "want one of unprotected, pod") {
			t.Errorf("ParseHostNetwork(%q) = %v, want an error naming the choices", in, err)
		}
	}
	// An unknown value given to the Go API falls back to the safe default.
	m, _ := netmodel.FromObjects(objects(t, hostNet), netmodel.WithHostNetwork("node"))
	if m.HostNetwork() != netmodel.HostNetworkUnprotected {
		t.Errorf("unknown value: model says %q", m.HostNetwork())
	}
}
