package netpol_test

// Differential tests against cyclonus's NetworkPolicy matcher (github.com/mattfenwick/cyclonus
// pkg/matcher, a test dependency only): the test cases its generator builds, and random
// policies, pods and namespaces, must get the same allow/deny verdict from both.

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mattfenwick/cyclonus/pkg/generator"
	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// pod is a pod of the test cluster.
type pod struct {
	ns, name string
	labels   map[string]string
	ip       netip.Addr
	ports    []netmodel.ContainerPort
}

// cluster is the state a test case's steps build.
type cluster struct {
	namespaces map[string]map[string]string
	pods       map[string]*pod // ns/name
	policies   map[string]*networkingv1.NetworkPolicy
	nextIP     int
}

var defaultPorts = func() []netmodel.ContainerPort {
	var out []netmodel.ContainerPort
	for _, port := range []int32{80, 81} {
		for _, proto := range netmodel.Protocols {
			out = append(out, netmodel.ContainerPort{Name: fmt.Sprintf("serve-%d-%s", port, strings.ToLower(string(proto))), Port: port, Protocol: proto})
		}
	}
	return out
}()

// newCluster is cyclonus's default cluster: namespaces x, y, z labelled ns=<name>, and in
// each, pods a, b, c labelled pod=<name>, serving ports 80 and 81 on TCP, UDP and SCTP.
func newCluster() *cluster {
	c := &cluster{namespaces: map[string]map[string]string{}, pods: map[string]*pod{}, policies: map[string]*networkingv1.NetworkPolicy{}}
	for _, ns := range []string{"x", "y", "z"} {
		c.namespaces[ns] = map[string]string{"ns": ns}
		for _, name := range []string{"a", "b", "c"} {
			c.addPod(ns, name, map[string]string{"pod": name})
		}
	}
	return c
}

func (c *cluster) addPod(ns, name string, labels map[string]string) {
	c.nextIP++
	c.pods[ns+"/"+name] = &pod{ns: ns, name: name, labels: labels, ip: netip.AddrFrom4([4]byte{192, 168, byte(c.nextIP / 250), byte(c.nextIP%250 + 1)}), ports: defaultPorts}
}

// apply carries out one cyclonus action.
func (c *cluster) apply(a *generator.Action) {
	switch {
	case a.CreatePolicy != nil:
		c.policies[a.CreatePolicy.Policy.Namespace+"/"+a.CreatePolicy.Policy.Name] = a.CreatePolicy.Policy
	case a.UpdatePolicy != nil:
		c.policies[a.UpdatePolicy.Policy.Namespace+"/"+a.UpdatePolicy.Policy.Name] = a.UpdatePolicy.Policy
	case a.DeletePolicy != nil:
		delete(c.policies, a.DeletePolicy.Namespace+"/"+a.DeletePolicy.Name)
	case a.CreateNamespace != nil:
		c.namespaces[a.CreateNamespace.Namespace] = a.CreateNamespace.Labels
	case a.SetNamespaceLabels != nil:
		c.namespaces[a.SetNamespaceLabels.Namespace] = a.SetNamespaceLabels.Labels
	case a.DeleteNamespace != nil:
		ns := a.DeleteNamespace.Namespace
		delete(c.namespaces, ns)
		maps.DeleteFunc(c.pods, func(_ string, p *pod) bool { return p.ns == ns })
		maps.DeleteFunc(c.policies, func(_ string, p *networkingv1.NetworkPolicy) bool { return p.Namespace == ns })
	case a.CreatePod != nil:
		c.addPod(a.CreatePod.Namespace, a.CreatePod.Pod, a.CreatePod.Labels)
	case a.SetPodLabels != nil:
		c.pods[a.SetPodLabels.Namespace+"/"+a.SetPodLabels.Pod].labels = a.SetPodLabels.Labels
	case a.DeletePod != nil:
		delete(c.pods, a.DeletePod.Namespace+"/"+a.DeletePod.Pod)
	}
}

// comparison holds both models of one cluster state.
type comparison struct {
	c       *cluster
	model   *netmodel.Model
	ref     *matcher.Policy
	byKey   map[string]*netmodel.Workload
	podKeys []string
}

func compare(t *testing.T, c *cluster) *comparison {
	t.Helper()
	var namespaces []netmodel.Namespace
	for name, l := range c.namespaces {
		namespaces = append(namespaces, netmodel.Namespace{Name: name, Labels: l})
	}
	cmp := &comparison{c: c, byKey: map[string]*netmodel.Workload{}}
	var workloads []*netmodel.Workload
	for key, p := range c.pods {
		w := &netmodel.Workload{Namespace: p.ns, Name: p.name, Kind: "Pod", Labels: p.labels, Ports: p.ports, IPs: []netip.Addr{p.ip}}
		workloads = append(workloads, w)
		cmp.byKey[key] = w
		cmp.podKeys = append(cmp.podKeys, key)
	}
	sort.Strings(cmp.podKeys)
	var policies, defaulted []*networkingv1.NetworkPolicy
	for _, key := range slices.Sorted(maps.Keys(c.policies)) {
		np := c.policies[key]
		policies = append(policies, np)
		// cyclonus takes policyTypes as written: default them as the API server does.
		d := np.DeepCopy()
		if len(d.Spec.PolicyTypes) == 0 {
			d.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			if len(d.Spec.Egress) > 0 {
				d.Spec.PolicyTypes = append(d.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
			}
		}
		defaulted = append(defaulted, d)
	}
	cmp.model = netmodel.New(namespaces, workloads, policies)
	if len(cmp.model.Errors) > 0 {
		t.Fatalf("model errors: %v", cmp.model.Errors)
	}
	cmp.ref = matcher.BuildNetworkPolicies(false, defaulted)
	return cmp
}

// nsLabels are a namespace's labels as the API server keeps them.
func (cmp *comparison) nsLabels(ns string) map[string]string {
	out := map[string]string{netmodel.NamespaceNameLabel: ns}
	maps.Copy(out, cmp.c.namespaces[ns])
	return out
}

func (cmp *comparison) refPeer(key string, ip netip.Addr) *matcher.TrafficPeer {
	if key == "" {
		return &matcher.TrafficPeer{IP: ip.String()}
	}
	p := cmp.c.pods[key]
	return &matcher.TrafficPeer{IP: p.ip.String(), Internal: &matcher.InternalPeer{PodLabels: p.labels, NamespaceLabels: cmp.nsLabels(p.ns), Namespace: p.ns}}
}

func (cmp *comparison) endpoint(key string, ip netip.Addr) netmodel.Endpoint {
	if key == "" {
		return netmodel.Endpoint{IP: ip}
	}
	return netmodel.Endpoint{Workload: cmp.byKey[key]}
}

// probe compares one connection; src or dst "" is the external address ext.
func (cmp *comparison) probe(src, dst string, ext netip.Addr, port int32, proto corev1.Protocol) (bool, string) {
	ok, msg, _ := cmp.probeVerdict(src, dst, ext, port, proto)
	return ok, msg
}

// probeVerdict is probe that also returns cyclonus's verdict.
func (cmp *comparison) probeVerdict(src, dst string, ext netip.Addr, port int32, proto corev1.Protocol) (bool, string, bool) {
	name := ""
	if dst != "" {
		for _, p := range cmp.c.pods[dst].ports {
			if p.Port == port && p.Protocol == proto {
				name = p.Name
			}
		}
	}
	want := cmp.ref.IsTrafficAllowed(&matcher.Traffic{
		Source: cmp.refPeer(src, ext), Destination: cmp.refPeer(dst, ext),
		ResolvedPort: int(port), ResolvedPortName: name, Protocol: proto,
	}).IsAllowed()
	v := cmp.model.Check(cmp.endpoint(src, ext), cmp.endpoint(dst, ext), port, proto)
	if v.Allowed() == want {
		return true, "", want
	}
	show := func(k string) string {
		if k == "" {
			return ext.String()
		}
		return k
	}
	return false, fmt.Sprintf("%s -> %s %d/%s: cyclonus allowed=%v, ringfence allowed=%v (egress %+v, ingress %+v)",
		show(src), show(dst), port, proto, want, v.Allowed(), v.Egress, v.Ingress), want
}

// externals are outside addresses probed to and from every pod: inside and outside the
// ipBlocks the generator builds around the pod addresses.
var externals = []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("192.168.0.250"), netip.MustParseAddr("192.168.7.7"), netip.MustParseAddr("10.0.0.1")}

// probeAll compares every pod pair on every declared port, and every pod with the
// external addresses; it returns the number of probes and the disagreements.
func (cmp *comparison) probeAll() (int, []string) {
	n := 0
	var diffs []string
	record := func(ok bool, msg string) {
		n++
		if !ok {
			diffs = append(diffs, msg)
		}
	}
	for _, src := range cmp.podKeys {
		for _, dst := range cmp.podKeys {
			for _, p := range cmp.c.pods[dst].ports {
				record(cmp.probe(src, dst, netip.Addr{}, p.Port, p.Protocol))
			}
		}
		for _, ext := range externals {
			for _, proto := range netmodel.Protocols {
				record(cmp.probe(src, "", ext, 80, proto))
				record(cmp.probe("", src, ext, 81, proto))
			}
		}
	}
	return n, diffs
}

func TestCyclonusGeneratedCases(t *testing.T) {
	podIP := "192.168.0.2" // the address of x/a, around which the generator builds ipBlocks
	gen := generator.NewTestCaseGenerator(false, podIP, []string{"x", "y", "z"}, nil, nil)
	cases := gen.GenerateTestCases()
	if len(cases) == 0 {
		t.Fatal("cyclonus generated no test cases")
	}
	probes, steps := 0, 0
	var failures []string
	for _, tc := range cases {
		c := newCluster()
		for i, step := range tc.Steps {
			for _, a := range step.Actions {
				c.apply(a)
			}
			n, diffs := compare(t, c).probeAll()
			probes += n
			steps++
			for _, d := range diffs {
				failures = append(failures, fmt.Sprintf("%s (step %d): %s", tc.Description, i, d))
			}
		}
	}
	for i, f := range failures {
		if i == 20 {
			t.Errorf("... and %d more", len(failures)-20)
			break
		}
		t.Error(f)
	}
	t.Logf("cyclonus generator: %d test cases, %d steps, %d probes, %d disagreements", len(cases), steps, probes, len(failures))
}
