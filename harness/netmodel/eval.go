package netmodel

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Model is a compiled set of namespaces, workloads and policies. Build it with New; it
// is read-only afterwards and safe for concurrent use.
type Model struct {
	namespaces map[string]labels.Set // every namespace, with kubernetes.io/metadata.name
	nsNames    []string              // sorted
	workloads  []*Workload
	byNS       map[string][]*Workload
	policies   map[string][]*Policy // by namespace
	// per workload: the policies that select it, per direction
	ingressOf, egressOf map[*Workload][]*Policy
	// the admin tiers: AdminNetworkPolicies in the order they take effect, the
	// BaselineAdminNetworkPolicy (nil: none), and per workload those that select it
	anps     []*AdminPolicy
	baseline *AdminPolicy
	admin    map[*Workload]*adminOf
	// the Cilium policies, per workload the rules that select it, and the identities
	// of the workloads Cilium's endpoint policies apply to (see selectCilium)
	cilium       []*CiliumPolicy
	ciliumOf     map[*Workload]*ciliumOf
	ciliumIDs    map[*Workload]map[string]string
	ciliumFilter *ciliumFilter
	addressed    int // workloads whose pod addresses are known
	// Workloads that no policy can tell apart (same namespace, same values of every
	// label key a selector reads, same ports, addresses and hostNetwork) form a class;
	// connections are computed between class representatives and then expanded.
	// egressGroup numbers the distinct sets of egress policies workloads have: a
	// workload's egress verdict towards a destination depends only on that set.
	egressGroup map[*Workload]int
	reps        []*Workload
	repsByNS    map[string][]*Workload
	members     map[*Workload][]*Workload
	// hostNetwork says how host-network pods are treated; ownedLeftOut counts the
	// objects FromObjects left out because their controller is in the input.
	hostNetwork  HostNetwork
	ownedLeftOut int
	// Errors are the problems found compiling the policies.
	Errors []error
}

// New builds the model. Namespaces that workloads or policies live in but that have no
// Namespace object get one with only the kubernetes.io/metadata.name label.
func New(namespaces []Namespace, workloads []*Workload, policies []*networkingv1.NetworkPolicy, opts ...Option) *Model {
	return NewWithAdmin(namespaces, workloads, policies, nil, opts...)
}

// NewWithAdmin is New with AdminNetworkPolicies and BaselineAdminNetworkPolicies
// compiled by CompileAdmin. Only the first baseline named default takes effect (the API
// server accepts no other name); the others are left out.
func NewWithAdmin(namespaces []Namespace, workloads []*Workload, policies []*networkingv1.NetworkPolicy, admin []*AdminPolicy, opts ...Option) *Model {
	compiled := make([]*Policy, len(policies))
	var errs []error
	for i, np := range policies {
		p, perrs := CompilePolicy(np)
		compiled[i] = p
		errs = append(errs, perrs...)
	}
	m := newModel(namespaces, workloads, compiled, admin, nil, newSettings(opts))
	m.Errors = errs
	return m
}

// newModel builds the model from compiled policies.
func newModel(namespaces []Namespace, workloads []*Workload, policies []*Policy, admin []*AdminPolicy, cilium []*CiliumPolicy, s settings) *Model {
	m := &Model{
		hostNetwork: s.hostNetwork,
		namespaces:  map[string]labels.Set{},
		byNS:        map[string][]*Workload{},
		policies:    map[string][]*Policy{},
		ingressOf:   map[*Workload][]*Policy{},
		egressOf:    map[*Workload][]*Policy{},
		admin:       map[*Workload]*adminOf{},
		cilium:      cilium,
		ciliumIDs:   map[*Workload]map[string]string{},
	}
	if len(cilium) > 0 {
		m.ciliumFilter = newCiliumFilter()
	}
	for _, p := range admin {
		switch {
		case !p.Baseline:
			m.anps = append(m.anps, p)
		case p.Name == "default" && m.baseline == nil:
			m.baseline = p
		}
	}
	sortAdmin(m.anps)
	addNS := func(name string, l map[string]string) {
		set := labels.Set{}
		for k, v := range l {
			set[k] = v
		}
		set[NamespaceNameLabel] = name
		m.namespaces[name] = set
	}
	for _, ns := range namespaces {
		addNS(ns.Name, ns.Labels)
	}
	for _, w := range workloads {
		if _, ok := m.namespaces[w.Namespace]; !ok {
			addNS(w.Namespace, nil)
		}
		w.id = ""
		w.id = w.ID()
		m.workloads = append(m.workloads, w)
		if len(w.IPs) > 0 {
			m.addressed++
		}
		m.byNS[w.Namespace] = append(m.byNS[w.Namespace], w)
	}
	for _, p := range policies {
		if _, ok := m.namespaces[p.Namespace]; !ok {
			addNS(p.Namespace, nil)
		}
		m.policies[p.Namespace] = append(m.policies[p.Namespace], p)
	}
	for _, p := range cilium {
		if _, ok := m.namespaces[p.Namespace]; !ok && !p.Clusterwide() {
			addNS(p.Namespace, nil)
		}
	}
	for name := range m.namespaces {
		m.nsNames = append(m.nsNames, name)
	}
	m.classify(policies, admin)
	m.selectCilium()
	sort.Strings(m.nsNames)
	// Which policies select which workloads: workloads × policies of their namespace.
	for _, w := range m.workloads {
		if m.unprotected(w) {
			continue
		}
		set := labels.Set(w.Labels)
		for _, p := range m.policies[w.Namespace] {
			if !p.selector.Matches(set) {
				continue
			}
			if p.Ingress {
				m.ingressOf[w] = append(m.ingressOf[w], p)
			}
			if p.Egress {
				m.egressOf[w] = append(m.egressOf[w], p)
			}
		}
		// The admin tiers: every admin policy against every workload (cluster-scoped).
		var a adminOf
		nsLabels := m.namespaces[w.Namespace]
		for _, p := range m.anps {
			if !p.selects(nsLabels, set) {
				continue
			}
			if len(p.ingress) > 0 {
				a.ingress = append(a.ingress, p)
			}
			if len(p.egress) > 0 {
				a.egress = append(a.egress, p)
			}
		}
		if b := m.baseline; b != nil && b.selects(nsLabels, set) {
			a.baseIngress, a.baseEgress = len(b.ingress) > 0, len(b.egress) > 0
		}
		if len(a.ingress)+len(a.egress) > 0 || a.baseIngress || a.baseEgress {
			m.admin[w] = &a
		}
	}
	m.egressGroup = map[*Workload]int{}
	groups := map[string]int{}
	for _, w := range m.reps {
		var b strings.Builder
		for _, p := range m.egressOf[w] {
			b.WriteString(p.ID())
			b.WriteByte(0)
		}
		anps, base := m.admin[w].policies(true)
		for _, p := range anps {
			b.WriteString(p.ID())
			b.WriteByte(0)
		}
		if base {
			b.WriteString("\x01baseline")
		}
		b.WriteString(m.ciliumGroupKey(w))
		g, ok := groups[b.String()]
		if !ok {
			g = len(groups)
			groups[b.String()] = g
		}
		m.egressGroup[w] = g
	}
	return m
}

// Workloads returns the model's workloads in the order given.
func (m *Model) Workloads() []*Workload { return m.workloads }

// HostNetwork says how the model treats host-network pods.
func (m *Model) HostNetwork() HostNetwork { return m.hostNetwork }

// OwnedLeftOut counts the Pods, ReplicaSets and Jobs FromObjects left out because the
// controller that made them is in the input (its pod template stands for them).
func (m *Model) OwnedLeftOut() int { return m.ownedLeftOut }

// unprotected reports whether w is outside NetworkPolicy: a host-network workload, unless
// host-network pods are treated as any pod.
func (m *Model) unprotected(w *Workload) bool {
	return w.HostNetwork && m.hostNetwork != HostNetworkPod
}

// NamespaceLabels returns a namespace's labels, kubernetes.io/metadata.name included;
// nil for a namespace the model does not know.
func (m *Model) NamespaceLabels(ns string) labels.Set { return m.namespaces[ns] }

// AdminPolicyCount counts the AdminNetworkPolicies and the BaselineAdminNetworkPolicy
// that take effect.
func (m *Model) AdminPolicyCount() int {
	n := len(m.anps)
	if m.baseline != nil {
		n++
	}
	return n
}

// AdminIngress reports whether an AdminNetworkPolicy or the BaselineAdminNetworkPolicy
// has ingress rules for w.
func (m *Model) AdminIngress(w *Workload) bool { return m.hasAdmin(w, false) }

// PolicyCount counts the NetworkPolicies of a namespace, or of every namespace for "".
func (m *Model) PolicyCount(ns string) int {
	if ns != "" {
		return len(m.policies[ns])
	}
	n := 0
	for _, ps := range m.policies {
		n += len(ps)
	}
	return n
}

// Policies returns the policies of a namespace.
func (m *Model) Policies(ns string) []*Policy { return m.policies[ns] }

// IngressPolicies returns the policies that isolate w for ingress (none: not isolated).
func (m *Model) IngressPolicies(w *Workload) []*Policy { return m.ingressOf[w] }

// EgressPolicies returns the policies that isolate w for egress (none: not isolated).
func (m *Model) EgressPolicies(w *Workload) []*Policy { return m.egressOf[w] }

// Endpoint is one end of a connection: a workload, or an address outside the cluster.
type Endpoint struct {
	Workload *Workload
	IP       netip.Addr // for external endpoints; for workloads, one of its IPs if known
}

// Direction is the verdict of one side of a connection.
type Direction struct {
	Isolated bool     // some NetworkPolicy of this direction selects the pod, or an admin rule decided
	Allowed  bool     // not isolated, or a rule allows the traffic
	Policies []string // the policies whose rules allow it (admin ones as AdminNetworkPolicy/name)
}

// Verdict is the verdict on one connection: the source's egress and the destination's
// ingress must both allow it.
type Verdict struct {
	Egress, Ingress Direction
}

// Allowed reports whether both sides allow the connection.
func (v Verdict) Allowed() bool { return v.Egress.Allowed && v.Ingress.Allowed }

// Check decides one connection from src to dst on port/proto. The destination's
// container port name, for named ports, comes from dst's declared ports.
func (m *Model) Check(src, dst Endpoint, port int32, proto corev1.Protocol) Verdict {
	name := ""
	if dst.Workload != nil {
		name = dst.Workload.portName(port, proto)
	}
	var egress, ingress []*Policy
	if src.Workload != nil {
		egress = m.egressOf[src.Workload]
	}
	if dst.Workload != nil {
		ingress = m.ingressOf[dst.Workload]
	}
	return Verdict{
		Egress:  m.decide(src.Workload, true, egress, egressRules, dst, port, proto, name),
		Ingress: m.decide(dst.Workload, false, ingress, ingressRules, src, port, proto, name),
	}
}

func egressRules(p *Policy) []rule  { return p.egress }
func ingressRules(p *Policy) []rule { return p.ingress }

// direction decides one side of a connection: the policies isolating the pod on this
// side, and the endpoint on the other side. External endpoints and unprotected
// host-network pods are never isolated (the policies passed are empty).
func (m *Model) direction(policies []*Policy, rules func(*Policy) []rule, other Endpoint, port int32, proto corev1.Protocol, name string) Direction {
	if len(policies) == 0 {
		return Direction{Allowed: true}
	}
	d := Direction{Isolated: true}
	for _, p := range policies {
		for _, r := range rules(p) {
			if m.ruleAllows(r, other, port, proto, name) {
				d.Allowed = true
				d.Policies = append(d.Policies, p.ID())
				break
			}
		}
	}
	return d
}

// ruleAllows reports whether one rule allows traffic with other on port/proto.
func (m *Model) ruleAllows(r rule, other Endpoint, port int32, proto corev1.Protocol, name string) bool {
	if r.ports != nil && !slices.ContainsFunc(r.ports, func(s portSpec) bool { return s.matches(port, proto, name) }) {
		return false
	}
	return r.peers == nil || slices.ContainsFunc(r.peers, func(pe peer) bool { return m.matchesPeer(pe, other) })
}

// matchesPeer reports whether other is selected by the peer.
func (m *Model) matchesPeer(pe peer, other Endpoint) bool {
	if pe.block != nil {
		if other.Workload == nil {
			return other.IP.IsValid() && pe.block.contains(other.IP)
		}
		if other.IP.IsValid() {
			return pe.block.contains(other.IP)
		}
		return slices.ContainsFunc(other.Workload.IPs, pe.block.contains)
	}
	w := other.Workload
	if w == nil || m.unprotected(w) {
		return false
	}
	if pe.ns == nil {
		if w.Namespace != pe.policyNS {
			return false
		}
	} else if !pe.ns.Matches(m.namespaces[w.Namespace]) {
		return false
	}
	return pe.pod.Matches(labels.Set(w.Labels))
}

// classify groups the workloads into classes no policy can tell apart.
func (m *Model) classify(policies []*Policy, admin []*AdminPolicy) {
	keySet := map[string]bool{}
	for _, p := range policies {
		for _, k := range p.keys {
			keySet[k] = true
		}
	}
	for _, p := range admin {
		for _, k := range p.keys {
			keySet[k] = true
		}
	}
	for _, k := range ciliumKeys(m.cilium) {
		keySet[k] = true
	}
	keys := make([]string, 0, len(keySet))
	for k := range keySet {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.repsByNS = map[string][]*Workload{}
	m.members = map[*Workload][]*Workload{}
	byKey := map[string]*Workload{}
	var b strings.Builder
	for _, w := range m.workloads {
		b.Reset()
		fmt.Fprintf(&b, "%s\x00%t\x00%v\x00%v", w.Namespace, m.unprotected(w), w.Ports, w.IPs)
		if len(m.cilium) > 0 { // Cilium selectors may read the service account
			fmt.Fprintf(&b, "\x00%s", w.ServiceAccount)
		}
		for _, k := range keys {
			if v, ok := w.Labels[k]; ok {
				fmt.Fprintf(&b, "\x00%s=%s", k, v)
			} else {
				fmt.Fprintf(&b, "\x00%s!", k)
			}
		}
		rep, ok := byKey[b.String()]
		if !ok {
			rep = w
			byKey[b.String()] = w
			m.reps = append(m.reps, w)
			m.repsByNS[w.Namespace] = append(m.repsByNS[w.Namespace], w)
		}
		m.members[rep] = append(m.members[rep], w)
	}
}
