package netmodel

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// MaxPort is the highest port number.
const MaxPort = 65535

// PortRange is a protocol and an inclusive range of port numbers.
type PortRange struct {
	Protocol corev1.Protocol `json:"protocol"`
	From     int32           `json:"port"`
	To       int32           `json:"endPort"`
}

// allPorts is every port of every protocol.
var allPorts = []PortRange{{corev1.ProtocolSCTP, 1, MaxPort}, {corev1.ProtocolTCP, 1, MaxPort}, {corev1.ProtocolUDP, 1, MaxPort}}

// World is the outside world: every address that is not a pod.
const World = "0.0.0.0/0,::/0"

// Peer is one end of a connection: a workload, addresses outside the cluster (a CIDR
// with its exceptions, or World), or an outside destination a Cilium policy names
// without addresses (Name: "fqdn:" and a toFQDNs name or pattern, or
// "entity:kube-apiserver").
type Peer struct {
	Workload *Workload
	CIDR     string
	Name     string
	blocks   []*ipBlock // the addresses CIDR names
}

// worldBlocks are every IPv4 and IPv6 address.
var worldBlocks = []*ipBlock{{cidr: netip.MustParsePrefix("0.0.0.0/0")}, {cidr: netip.MustParsePrefix("::/0")}}

// Reaches reports whether some address of q is among the outside addresses the peer
// names: q overlaps one of its CIDRs and is not wholly inside that CIDR's exceptions.
// A workload peer reaches no outside address.
func (p Peer) Reaches(q netip.Prefix) bool {
	q = q.Masked()
	for _, b := range p.blocks {
		if !b.cidr.Overlaps(q) {
			continue
		}
		// The part of q inside the block: the longer of the two prefixes.
		part := q
		if b.cidr.Bits() > q.Bits() {
			part = b.cidr
		}
		if !slices.ContainsFunc(b.except, func(e netip.Prefix) bool { return e.Bits() <= part.Bits() && e.Contains(part.Addr()) }) {
			return true
		}
	}
	return false
}

// String names the peer as namespace/name[Kind], or by its addresses.
func (p Peer) String() string {
	if p.Workload != nil {
		return p.Workload.ID()
	}
	if p.Name != "" {
		return p.Name
	}
	return p.CIDR
}

// Connection is traffic the policies allow from Source to Destination on Ports.
// EgressPolicies and IngressPolicies are the policies whose rules allow it on each side;
// an empty list with the side's Isolated flag false means that side is not isolated.
type Connection struct {
	Source, Destination             Peer
	Ports                           []PortRange
	EgressIsolated, IngressIsolated bool
	EgressPolicies, IngressPolicies []string
	// L7 says a Cilium rule that allows the connection has L7 rules (HTTP, Kafka, DNS):
	// only the requests they allow get through.
	L7 bool
}

// sideResult is what one side of a connection allows.
type sideResult struct {
	isolated bool
	ports    []PortRange // normalised
	policies []string
	l7       bool // a Cilium allow item with L7 rules contributed
}

// Connections lists every allowed connection between two workloads, and between each
// workload and the outside world, in a stable order. namespace, when not "", limits the
// result to connections with an end in it (classes never span namespaces, so the limit
// applies to classes before they are expanded).
//
// Connections are computed between classes of workloads that no policy tells apart,
// then expanded to their members. A destination's possible sources are those its
// ingress admits (from the peers of the policies that isolate it, each peer's matching
// classes computed once; or every class when it is not isolated or a rule admits every
// peer) that their egress lets through (see egressIndex: groups not isolated, rules
// without peers on a port the destination serves, peers that select it), enumerated
// from whichever side is smaller; the egress verdict is decided once per source group.
// So the cost follows the connections found, plus workloads × policies of their
// namespace for selection. Traffic from a workload's pods
// to each other is not listed.
func (m *Model) Connections(namespace string) []Connection {
	keep := func(w *Workload) bool { return namespace == "" || w.Namespace == namespace }
	cache := newClassCache()
	index := m.newEgressIndex(cache)
	var out []Connection
	for _, dst := range m.reps {
		candidates, open := m.sourceCandidates(dst, index, cache)
		egress := map[int]sideResult{} // by the source's egress group
		for _, src := range candidates {
			members := m.members[src]
			if len(members) == 1 && src == dst {
				continue
			}
			if !keep(src) && !keep(dst) {
				continue
			}
			eg, ok := egress[m.egressGroup[src]]
			if !ok {
				eg = m.adminSide(src, true, Endpoint{Workload: dst}, dst)
				egress[m.egressGroup[src]] = eg
			}
			if eg.isolated && len(eg.ports) == 0 {
				continue
			}
			in := open
			if in.isolated {
				in = m.adminSide(dst, false, Endpoint{Workload: src}, dst)
			}
			ports := intersect(eg.ports, in.ports)
			if len(ports) == 0 {
				continue
			}
			for _, s := range members {
				for _, d := range m.members[dst] {
					if s == d {
						continue
					}
					out = append(out, Connection{
						Source: Peer{Workload: s}, Destination: Peer{Workload: d}, Ports: ports,
						EgressIsolated: eg.isolated, IngressIsolated: in.isolated,
						EgressPolicies: eg.policies, IngressPolicies: in.policies, L7: eg.l7 || in.l7,
					})
				}
			}
		}
	}
	for _, w := range m.workloads {
		if !keep(w) {
			continue
		}
		out = append(out, m.external(w, true)...)
		out = append(out, m.external(w, false)...)
	}
	// Two workloads may share an ID (one name in one namespace, from two files): their
	// positions in the input keep the order the same from run to run.
	object := func(p Peer) int {
		if p.Workload == nil {
			return -1
		}
		return p.Workload.Object
	}
	slices.SortFunc(out, func(a, b Connection) int {
		return cmp.Or(cmp.Compare(a.Source.String(), b.Source.String()), cmp.Compare(a.Destination.String(), b.Destination.String()),
			cmp.Compare(object(a.Source), object(b.Source)), cmp.Compare(object(a.Destination), object(b.Destination)))
	})
	return out
}

// ingressSources returns the class representatives that may reach dst as far as its
// ingress policies say, as a list and a set: those their peers select, or every class
// (and a nil set) when dst is not isolated (open then holds the verdict: everything
// allowed) or a rule admits every peer. Unprotected host-network workloads are never
// selected by peers, but a rule without peers admits them.
func (m *Model) ingressSources(dst *Workload, cache *classCache) ([]*Workload, map[*Workload]bool, sideResult) {
	policies := m.ingressOf[dst]
	isolated := sideResult{isolated: true}
	if m.hasAdmin(dst, false) {
		return m.reps, nil, isolated // admin rules may admit anyone: every class, decided by adminSide
	}
	cilium := m.ciliumOf[dst]
	if len(policies) == 0 && !cilium.isolates(false) {
		if cilium.has(false) {
			return m.reps, nil, isolated // Cilium deny rules may deny some: decided by adminSide
		}
		return m.reps, nil, sideResult{ports: allPorts}
	}
	seen := map[*Workload]bool{}
	var out []*Workload
	var units []*unit
	for _, p := range policies {
		for i := range p.ingress {
			units = append(units, m.ruleUnit(&p.ingress[i], cache))
		}
	}
	if cilium != nil {
		for _, it := range cilium.allow[0] {
			units = append(units, m.itemUnit(it, cache))
		}
	}
	for _, u := range units {
		if u.all {
			return m.reps, nil, isolated
		}
		for _, w := range u.classes {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out, seen, isolated
}

// classCache holds, for one Connections call, the classes each NetworkPolicy peer, each
// ingress rule and each Cilium allow item selects.
type classCache struct {
	peers map[*peer][]*Workload
	rules map[*rule]*unit
	items map[*ciliumItem]*unit
}

func newClassCache() *classCache {
	return &classCache{peers: map[*peer][]*Workload{}, rules: map[*rule]*unit{}, items: map[*ciliumItem]*unit{}}
}

// cachedPeerClasses is peerClasses, computed once per peer.
func (m *Model) cachedPeerClasses(pe *peer, cache *classCache) []*Workload {
	classes, ok := cache.peers[pe]
	if !ok {
		classes = m.peerClasses(pe)
		cache.peers[pe] = classes
	}
	return classes
}

// peerClasses returns the class representatives a pod/namespace peer selects.
func (m *Model) peerClasses(pe *peer) []*Workload {
	var out []*Workload
	pick := func(ns string) {
		for _, w := range m.repsByNS[ns] {
			if !m.unprotected(w) && pe.pod.Matches(labels.Set(w.Labels)) {
				out = append(out, w)
			}
		}
	}
	if pe.ns == nil {
		pick(pe.policyNS)
		return out
	}
	for _, ns := range m.nsNames {
		if pe.ns.Matches(m.namespaces[ns]) {
			pick(ns)
		}
	}
	return out
}

// side computes what one side allows: policies are those isolating the pod on this side
// (none: everything), other is the far end, and dst is the destination workload named
// ports resolve against.
func (m *Model) side(policies []*Policy, rules func(*Policy) []rule, other Endpoint, dst *Workload) sideResult {
	if len(policies) == 0 {
		return sideResult{ports: allPorts}
	}
	res := sideResult{isolated: true}
	var ports []PortRange
	for _, p := range policies {
		allowed := false
		for _, r := range rules(p) {
			if r.peers != nil && !slices.ContainsFunc(r.peers, func(pe peer) bool { return m.matchesPeer(pe, other) }) {
				continue
			}
			rp := r.resolve(dst)
			if len(rp) > 0 {
				ports = append(ports, rp...)
				allowed = true
			}
		}
		if allowed {
			res.policies = append(res.policies, p.ID())
		}
	}
	res.ports = normalise(ports)
	return res
}

// resolve turns a rule's ports into ranges for traffic to dst: named ports become the
// numbers dst's containers declare under that name (nothing when dst is not a workload).
func (r rule) resolve(dst *Workload) []PortRange { return resolvePorts(r.ports, dst) }

// resolvePorts is rule.resolve for a ports list (nil: every port).
func resolvePorts(ports []portSpec, dst *Workload) []PortRange {
	if ports == nil {
		return allPorts
	}
	var out []PortRange
	for _, s := range ports {
		switch {
		case s.all:
			out = append(out, PortRange{s.protocol, 1, MaxPort})
		case s.name != "":
			if dst == nil {
				continue
			}
			for _, cp := range dst.Ports {
				if cp.Name == s.name && (s.anyProtocol || cp.Protocol == s.protocol) {
					out = append(out, PortRange{cp.Protocol, cp.Port, cp.Port})
				}
			}
		default:
			out = append(out, PortRange{s.protocol, s.from, s.to})
		}
	}
	return out
}

// external lists w's connections with the outside world: inbound (ingress) or outbound.
// Pods can always be reached from, and reach, the outside unless isolated; isolated,
// only rules without peers (every address) and ipBlock peers admit outside addresses.
//
// Admin tiers change only the outbound side: their ingress peers are pods and
// namespaces, which never match outside addresses, so inbound traffic from outside falls
// through them to the NetworkPolicies and then to the default allow. Cilium policies
// change both sides (entities and CIDRs name outside addresses).
func (m *Model) external(w *Workload, inbound bool) []Connection {
	if (!inbound && m.hasAdmin(w, true)) || m.ciliumOf[w].has(!inbound) {
		out := m.adminExternal(w, inbound)
		if !inbound {
			out = append(out, m.ciliumNamed(w)...)
		}
		return out
	}
	policies, rules := m.egressOf[w], egressRules
	if inbound {
		policies, rules = m.ingressOf[w], ingressRules
	}
	var dst *Workload
	if inbound {
		dst = w
	}
	blocks := map[string][]*ipBlock{World: worldBlocks}
	conn := func(cidr string, ports []PortRange, isolated bool, pols []string) Connection {
		c := Connection{Ports: ports}
		outside := Peer{CIDR: cidr, blocks: blocks[cidr]}
		if inbound {
			c.Source, c.Destination = outside, Peer{Workload: w}
			c.IngressIsolated, c.IngressPolicies = isolated, pols
		} else {
			c.Source, c.Destination = Peer{Workload: w}, outside
			c.EgressIsolated, c.EgressPolicies = isolated, pols
		}
		return c
	}
	if len(policies) == 0 {
		return []Connection{conn(World, allPorts, false, nil)}
	}
	type acc struct {
		ports    []PortRange
		policies []string
	}
	byCIDR := map[string]*acc{}
	var order []string
	add := func(cidr string, ports []PortRange, policy string) {
		if len(ports) == 0 {
			return
		}
		a := byCIDR[cidr]
		if a == nil {
			a = &acc{}
			byCIDR[cidr] = a
			order = append(order, cidr)
		}
		a.ports = append(a.ports, ports...)
		if !slices.Contains(a.policies, policy) {
			a.policies = append(a.policies, policy)
		}
	}
	for _, p := range policies {
		for _, r := range rules(p) {
			ports := r.resolve(dst)
			if r.peers == nil {
				add(World, ports, p.ID())
				continue
			}
			for _, pe := range r.peers {
				if pe.block != nil {
					add(pe.block.text, ports, p.ID())
					blocks[pe.block.text] = []*ipBlock{pe.block}
				}
			}
		}
	}
	slices.Sort(order)
	var out []Connection
	for _, cidr := range order {
		a := byCIDR[cidr]
		if ports := normalise(a.ports); len(ports) > 0 {
			out = append(out, conn(cidr, ports, true, a.policies))
		}
	}
	return out
}

// normalise sorts ranges by protocol and start and merges those that overlap or touch.
func normalise(in []PortRange) []PortRange {
	if len(in) == 0 {
		return nil
	}
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b PortRange) int {
		return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	out := []PortRange{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Protocol == last.Protocol && r.From <= last.To+1 {
			last.To = max(last.To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// intersect returns the ports in both normalised lists.
func intersect(a, b []PortRange) []PortRange {
	var out []PortRange
	for _, x := range a {
		for _, y := range b {
			if x.Protocol != y.Protocol {
				continue
			}
			if from, to := max(x.From, y.From), min(x.To, y.To); from <= to {
				out = append(out, PortRange{x.Protocol, from, to})
			}
		}
	}
	return normalise(out)
}

// FormatPorts renders port ranges for people: "all ports", or per protocol
// "TCP 80, 8000-8100".
func FormatPorts(ports []PortRange) string {
	if isAll(ports) {
		return "all ports"
	}
	var parts []string
	var cur string
	var nums []string
	flush := func() {
		if cur != "" {
			parts = append(parts, cur+" "+strings.Join(nums, ","))
		}
	}
	for _, p := range ports {
		if string(p.Protocol) != cur {
			flush()
			cur, nums = string(p.Protocol), nil
		}
		switch {
		case p.From == 1 && p.To == MaxPort:
			nums = append(nums, "all")
		case p.From == p.To:
			nums = append(nums, fmt.Sprint(p.From))
		default:
			nums = append(nums, fmt.Sprintf("%d-%d", p.From, p.To))
		}
	}
	flush()
	return strings.Join(parts, "; ")
}

func isAll(ports []PortRange) bool {
	if len(ports) != len(Protocols) {
		return false
	}
	for _, p := range ports {
		if p.From != 1 || p.To != MaxPort {
			return false
		}
	}
	return true
}

// SubtractPorts returns the ports of a that are not in b, normalised (sorted by protocol
// and start, ranges that overlap or touch merged).
func SubtractPorts(a, b []PortRange) []PortRange { return subtract(normalise(a), normalise(b)) }

// IntersectPorts returns the ports in both a and b, normalised.
func IntersectPorts(a, b []PortRange) []PortRange { return intersect(normalise(a), normalise(b)) }
