package netpol_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// randomCases is how many random clusters TestCyclonusRandom compares; every pod pair
// and a set of outside addresses are probed in each.
const randomCases = 10000

// gen draws random but valid namespaces, pods and NetworkPolicies from a small space of
// names, labels, addresses and ports, so that selectors, ipBlocks and ports often match.
type gen struct{ r *rand.Rand }

func (g gen) pick(items ...string) string { return items[g.r.IntN(len(items))] }
func (g gen) chance(n int) bool           { return g.r.IntN(n) == 0 }

var (
	labelKeys   = []string{"app", "tier", "env"}
	labelValues = []string{"a", "b", "c"}
	portNames   = []string{"http", "dns", "metrics", "grpc"}
	protocols   = []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}
)

// zoneKey is on every generated pod and namespace, and is the only key NotIn
// expressions use: cyclonus's matcher treats NotIn on an absent key as no match, where
// Kubernetes (apimachinery's selectors, which ringfence uses) treats it as a match.
const zoneKey = "zone"

func (g gen) labels() map[string]string {
	out := map[string]string{zoneKey: g.pick(labelValues...)}
	for _, k := range labelKeys {
		if g.chance(2) {
			out[k] = g.pick(labelValues...)
		}
	}
	return out
}

// selector is a label selector: empty, matchLabels, matchExpressions with every
// operator, or both.
func (g gen) selector() *metav1.LabelSelector {
	s := &metav1.LabelSelector{}
	switch g.r.IntN(4) {
	case 0: // empty: selects everything
	case 1:
		s.MatchLabels = map[string]string{g.pick(labelKeys...): g.pick(labelValues...)}
	default:
		if g.chance(2) {
			s.MatchLabels = map[string]string{g.pick(labelKeys...): g.pick(labelValues...)}
		}
		for range 1 + g.r.IntN(2) {
			e := metav1.LabelSelectorRequirement{Key: g.pick(labelKeys...)}
			switch g.r.IntN(4) {
			case 0:
				e.Operator, e.Values = metav1.LabelSelectorOpIn, []string{g.pick(labelValues...), g.pick(labelValues...)}
			case 1:
				e.Key, e.Operator, e.Values = zoneKey, metav1.LabelSelectorOpNotIn, []string{g.pick(labelValues...)}
			case 2:
				e.Operator = metav1.LabelSelectorOpExists
			default:
				e.Operator = metav1.LabelSelectorOpDoesNotExist
			}
			s.MatchExpressions = append(s.MatchExpressions, e)
		}
	}
	return s
}

// containerPorts are a pod's declared ports: a few of 80, 53, 9090 and 50051 on a
// random protocol, some named.
func (g gen) containerPorts() []netmodel.ContainerPort {
	var out []netmodel.ContainerPort
	for i, port := range []int32{80, 53, 9090, 50051} {
		if g.chance(2) {
			continue
		}
		p := netmodel.ContainerPort{Port: port, Protocol: protocols[g.r.IntN(len(protocols))]}
		if !g.chance(4) {
			p.Name = portNames[i]
		}
		if g.chance(6) { // the same name on another number: named ports resolve per pod
			p.Name = g.pick(portNames...)
		}
		out = append(out, p)
	}
	return out
}

// block is an ipBlock around the test cluster's pod addresses (192.168.0.0/24) or the
// outside addresses probed, with except entries inside it.
func (g gen) block() *networkingv1.IPBlock {
	switch g.r.IntN(5) {
	case 0:
		return &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: g.pickSome("192.168.0.0/16", "10.0.0.0/8", "8.8.8.8/32")}
	case 1:
		return &networkingv1.IPBlock{CIDR: "192.168.0.0/24", Except: g.pickSome(fmt.Sprintf("192.168.0.%d/32", 1+g.r.IntN(12)), "192.168.0.0/29")}
	case 2:
		return &networkingv1.IPBlock{CIDR: fmt.Sprintf("192.168.0.%d/%d", 8*g.r.IntN(2), 28+g.r.IntN(5))}
	case 3:
		return &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: g.pickSome("10.0.0.0/24")}
	default:
		return &networkingv1.IPBlock{CIDR: "::/0", Except: g.pickSome("fd00::/8")}
	}
}

func (g gen) pickSome(items ...string) []string {
	var out []string
	for _, it := range items {
		if g.chance(2) {
			out = append(out, it)
		}
	}
	return out
}

// peers is a from or to list: nil, empty, or peers of every shape (namespaceSelector and
// podSelector together in one peer are ANDed; separate peers are ORed).
func (g gen) peers() []networkingv1.NetworkPolicyPeer {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return []networkingv1.NetworkPolicyPeer{}
	}
	var out []networkingv1.NetworkPolicyPeer
	for range 1 + g.r.IntN(3) {
		var p networkingv1.NetworkPolicyPeer
		switch g.r.IntN(4) {
		case 0:
			p.IPBlock = g.block()
		case 1:
			p.NamespaceSelector = g.selector()
		case 2:
			p.PodSelector = g.selector()
		default:
			p.NamespaceSelector, p.PodSelector = g.selector(), g.selector()
		}
		out = append(out, p)
	}
	return out
}

// ports is a ports list: nil, empty, or entries with and without protocol, numbers,
// names, ranges and no port at all.
func (g gen) ports() []networkingv1.NetworkPolicyPort {
	switch g.r.IntN(5) {
	case 0:
		return nil
	case 1:
		return []networkingv1.NetworkPolicyPort{}
	}
	var out []networkingv1.NetworkPolicyPort
	for range 1 + g.r.IntN(2) {
		var p networkingv1.NetworkPolicyPort
		if !g.chance(3) {
			proto := protocols[g.r.IntN(len(protocols))]
			p.Protocol = &proto
		}
		switch g.r.IntN(5) {
		case 0: // every port of the protocol
		case 1:
			v := intstr.FromString(g.pick(portNames...))
			p.Port = &v
		case 2:
			from := []int32{50, 53, 80, 9000}[g.r.IntN(4)]
			end := from + int32(g.r.IntN(100))
			v := intstr.FromInt32(from)
			p.Port, p.EndPort = &v, &end
		default:
			v := intstr.FromInt32([]int32{80, 53, 9090, 50051, 81}[g.r.IntN(5)])
			p.Port = &v
		}
		out = append(out, p)
	}
	return out
}

func (g gen) policy(ns string, i int) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("np%d", i)}}
	np.Spec.PodSelector = *g.selector()
	switch g.r.IntN(4) {
	case 0: // unset: defaulted
	case 1:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	case 2:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	default:
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	}
	rules := func() int {
		switch g.r.IntN(4) {
		case 0:
			return -1 // nil
		case 1:
			return 0 // empty
		}
		return 1 + g.r.IntN(2)
	}
	if n := rules(); n >= 0 {
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{}
		for range n {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: g.peers(), Ports: g.ports()})
		}
	}
	if n := rules(); n >= 0 {
		np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{}
		for range n {
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: g.peers(), Ports: g.ports()})
		}
	}
	return np
}

// cluster draws namespaces (some without a Namespace object, so only their
// kubernetes.io/metadata.name label exists), pods and policies.
func (g gen) cluster() *cluster {
	c := &cluster{namespaces: map[string]map[string]string{}, pods: map[string]*pod{}, policies: map[string]*networkingv1.NetworkPolicy{}}
	names := []string{"x", "y", "z"}
	for _, ns := range names {
		c.namespaces[ns] = g.labels()
	}
	for _, ns := range names {
		for i := range 1 + g.r.IntN(3) {
			c.addPod(ns, fmt.Sprintf("p%d", i), g.labels())
			c.pods[fmt.Sprintf("%s/p%d", ns, i)].ports = g.containerPorts()
		}
	}
	for i := range 1 + g.r.IntN(4) {
		np := g.policy(g.pick(names...), i)
		c.policies[np.Namespace+"/"+np.Name] = np
	}
	return c
}

// probePorts are the destination ports probed on every pair: the declared ports (which
// named ports can match) and one that no pod declares.
func probePorts(p *pod) []netmodel.ContainerPort {
	out := slices.Clone(p.ports)
	for _, proto := range protocols {
		out = append(out, netmodel.ContainerPort{Port: 81, Protocol: proto})
	}
	return out
}

var randomExternals = []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("192.168.0.3"), netip.MustParseAddr("fd00::1"), netip.MustParseAddr("2001:db8::1")}

// TestCyclonusRandom compares ringfence's model with cyclonus's matcher on random,
// seeded (so reproducible) clusters: every pod pair on every declared port and a port no
// pod declares, and every pod with outside addresses in and out.
func TestCyclonusRandom(t *testing.T) {
	cases := randomCases
	if testing.Short() {
		cases = 1000
	}
	g := gen{r: rand.New(rand.NewPCG(2026, 12))}
	probes, allowed, ran := 0, 0, 0
	var failures []string
	for i := range cases {
		ran++
		c := g.cluster()
		cmp := compare(t, c)
		record := func(ok bool, msg string, v bool) {
			probes++
			if v {
				allowed++
			}
			if !ok {
				failures = append(failures, fmt.Sprintf("case %d: %s\n%s", i, msg, describe(c)))
			}
		}
		// The connection list must say the same as the per-connection verdicts.
		conns := map[[2]string][]netmodel.PortRange{}
		for _, conn := range cmp.model.Connections("") {
			if conn.Source.Workload != nil && conn.Destination.Workload != nil {
				conns[[2]string{conn.Source.String(), conn.Destination.String()}] = conn.Ports
			}
		}
		for _, src := range cmp.podKeys {
			for _, dst := range cmp.podKeys {
				for _, p := range probePorts(c.pods[dst]) {
					ok, msg, v := cmp.probeVerdict(src, dst, netip.Addr{}, p.Port, p.Protocol)
					record(ok, msg, v)
					if src == dst {
						continue // pods' traffic to themselves is not listed
					}
					listed := slices.ContainsFunc(conns[[2]string{cmp.byKey[src].ID(), cmp.byKey[dst].ID()}], func(r netmodel.PortRange) bool {
						return r.Protocol == p.Protocol && r.From <= p.Port && p.Port <= r.To
					})
					if listed != v {
						failures = append(failures, fmt.Sprintf("case %d: %s -> %s %d/%s: cyclonus allowed=%v, Connections lists it=%v\n%s", i, src, dst, p.Port, p.Protocol, v, listed, describe(c)))
					}
				}
			}
			for _, ext := range randomExternals {
				proto := protocols[g.r.IntN(len(protocols))]
				record(cmp.probeVerdict(src, "", ext, 80, proto))
				record(cmp.probeVerdict("", src, ext, []int32{80, 53, 81}[g.r.IntN(3)], proto))
			}
		}
		if len(failures) > 20 {
			break
		}
	}
	for i, f := range failures {
		if i == 5 {
			t.Errorf("... and %d more", len(failures)-5)
			break
		}
		t.Error(f)
	}
	if allowed == 0 || allowed == probes {
		t.Errorf("the generator is degenerate: %d of %d probes allowed", allowed, probes)
	}
	t.Logf("random clusters: %d of %d cases run, %d probes (%d allowed), %d disagreements", ran, cases, probes, allowed, len(failures))
}

// describe prints a cluster for a failure message.
func describe(c *cluster) string {
	out := ""
	for _, ns := range []string{"x", "y", "z"} {
		out += fmt.Sprintf("  namespace %s %v\n", ns, c.namespaces[ns])
	}
	for _, key := range slices.Sorted(maps.Keys(c.pods)) {
		p := c.pods[key]
		out += fmt.Sprintf("  pod %s %v %s ports %v\n", key, p.labels, p.ip, p.ports)
	}
	for _, key := range slices.Sorted(maps.Keys(c.policies)) {
		out += fmt.Sprintf("  policy %s %s\n", key, c.policies[key].Spec.String())
	}
	return out
}
