package netmodel

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ciliumOf is what the Cilium policies say about one workload, per direction: the allow
// and deny items of the rules that select it, and whether one of those rules puts it in
// default deny.
type ciliumOf struct {
	allow, deny [2][]*ciliumItem // [0] ingress, [1] egress
	defaultDeny [2]bool
	rules       []*ciliumRule // the rules selecting it
}

func dirIndex(egress bool) int {
	if egress {
		return 1
	}
	return 0
}

// has reports whether some Cilium rule has items for w in this direction.
func (c *ciliumOf) has(egress bool) bool {
	if c == nil {
		return false
	}
	d := dirIndex(egress)
	return len(c.allow[d])+len(c.deny[d]) > 0 || c.defaultDeny[d]
}

func (c *ciliumOf) isolates(egress bool) bool { return c != nil && c.defaultDeny[dirIndex(egress)] }

// selectCilium works out which Cilium rules select which workloads. Host-network
// workloads that the model treats as outside NetworkPolicy are outside Cilium's
// endpoint policies too (their traffic is the host's).
func (m *Model) selectCilium() {
	if len(m.cilium) == 0 {
		return
	}
	m.ciliumOf = map[*Workload]*ciliumOf{}
	for _, w := range m.workloads {
		if m.unprotected(w) {
			continue
		}
		id := ciliumIdentity(m.ciliumFilter, w.Namespace, w.Labels, m.namespaces[w.Namespace], w.ServiceAccount)
		m.ciliumIDs[w] = id
		var c ciliumOf
		for _, p := range m.cilium {
			for _, r := range p.rules {
				if r.subject == nil || !r.subject.matches(id) {
					continue
				}
				c.rules = append(c.rules, r)
				c.allow[0] = append(c.allow[0], r.ingress...)
				c.deny[0] = append(c.deny[0], r.ingressDeny...)
				c.allow[1] = append(c.allow[1], r.egress...)
				c.deny[1] = append(c.deny[1], r.egressDeny...)
				c.defaultDeny[0] = c.defaultDeny[0] || r.denyIngress
				c.defaultDeny[1] = c.defaultDeny[1] || r.denyEgress
			}
		}
		if len(c.rules) > 0 {
			m.ciliumOf[w] = &c
		}
	}
}

// ciliumID returns a workload's Cilium identity labels (selectCilium computed them for
// every workload Cilium's endpoint policies apply to).
func (m *Model) ciliumID(w *Workload) map[string]string { return m.ciliumIDs[w] }

// CiliumPolicies returns the Cilium policies the model holds (those Cilium accepts).
func (m *Model) CiliumPolicies() []*CiliumPolicy { return m.cilium }

// CiliumDefaultDeny reports whether a Cilium rule puts w into default deny for the
// direction.
func (m *Model) CiliumDefaultDeny(w *Workload, egress bool) bool {
	return m.ciliumOf[w].isolates(egress)
}

// Isolated reports whether w admits only what policies allow in this direction: a
// NetworkPolicy isolates it, a Cilium rule puts it into default deny, or an admin tier
// has rules for it.
func (m *Model) Isolated(w *Workload, egress bool) bool {
	if egress {
		return len(m.egressOf[w]) > 0 || m.CiliumDefaultDeny(w, true) || m.hasAdmin(w, true)
	}
	return len(m.ingressOf[w]) > 0 || m.CiliumDefaultDeny(w, false) || m.hasAdmin(w, false)
}

// tiered reports whether w's side of this direction goes through the tiers (admin
// policies or Cilium policies) rather than NetworkPolicies alone.
func (m *Model) tiered(w *Workload, egress bool) bool {
	return m.hasAdmin(w, egress) || m.ciliumOf[w].has(egress)
}

// ciliumMatches reports whether an item's peers hold the endpoint.
func (m *Model) ciliumMatches(it *ciliumItem, other Endpoint) bool {
	switch {
	case it.nothing:
		return false
	case it.wildcard:
		return true
	case other.Workload == nil:
		return other.IP.IsValid() && it.matchesOutside(other.IP)
	}
	w := other.Workload
	if m.unprotected(w) {
		// The host's identity: host or remote-node, in the cluster.
		return slices.ContainsFunc(it.entities, func(e string) bool {
			return e == "all" || e == "cluster" || e == "host" || e == "remote-node"
		})
	}
	if slices.ContainsFunc(it.entities, func(e string) bool { return e == "all" || e == "cluster" }) {
		return true
	}
	if len(it.endpoints) == 0 {
		return false
	}
	id := m.ciliumID(w)
	return slices.ContainsFunc(it.endpoints, func(s *ciliumSelector) bool { return !s.reserved && s.matches(id) })
}

// npDecide is the verdict of the NetworkPolicy tier on one side of a connection, with
// the Cilium policies selecting w folded in: isolated when a NetworkPolicy isolates w or
// a Cilium rule puts it in default deny, then allowed when a NetworkPolicy rule or a
// Cilium allow item admits the traffic; a Cilium deny item that matches denies it in
// every case.
func (m *Model) npDecide(w *Workload, egress bool, nps []*Policy, rules func(*Policy) []rule, other Endpoint, port int32, proto corev1.Protocol, name string) Direction {
	c := m.ciliumOf[w]
	if !c.has(egress) {
		return m.direction(nps, rules, other, port, proto, name)
	}
	d := dirIndex(egress)
	isolated := len(nps) > 0 || c.defaultDeny[d]
	for _, it := range c.deny[d] {
		if it.allowsPort(port, proto, name) && m.ciliumMatches(it, other) {
			return Direction{Isolated: isolated}
		}
	}
	if !isolated {
		return Direction{Allowed: true}
	}
	v := Direction{Isolated: true}
	if len(nps) > 0 {
		v = m.direction(nps, rules, other, port, proto, name)
	}
	for _, it := range c.allow[d] {
		if it.allowsPort(port, proto, name) && m.ciliumMatches(it, other) {
			v.Allowed = true
			if id := it.rule.policy.ID(); !slices.Contains(v.Policies, id) {
				v.Policies = append(v.Policies, id)
			}
		}
	}
	return v
}

// itemUnit is the classes an allow item's peers select: all of them when it admits every
// workload (no peer field, or the entities all or cluster).
func (m *Model) itemUnit(it *ciliumItem, cache *classCache) *unit {
	if u, ok := cache.items[it]; ok {
		return u
	}
	u := &unit{}
	switch {
	case it.nothing:
	case it.wildcard || slices.ContainsFunc(it.entities, func(e string) bool { return e == "all" || e == "cluster" }):
		u.all = true
	default:
		for _, w := range m.reps {
			if m.ciliumMatches(it, Endpoint{Workload: w}) {
				u.classes = append(u.classes, w)
			}
		}
	}
	cache.items[it] = u
	return u
}

// ciliumDenied reports whether a Cilium deny item of w's policies denies the traffic.
func (m *Model) ciliumDenied(w *Workload, egress bool, other Endpoint, port int32, proto corev1.Protocol, name string) bool {
	c := m.ciliumOf[w]
	if c == nil {
		return false
	}
	return slices.ContainsFunc(c.deny[dirIndex(egress)], func(it *ciliumItem) bool {
		return it.allowsPort(port, proto, name) && m.ciliumMatches(it, other)
	})
}

// npSide is side (in graph.go) for the NetworkPolicy tier with the Cilium policies
// folded in, as npDecide decides one port: isolated says whether that tier isolates w;
// when it does not, the ports are every port but those Cilium deny items deny.
func (m *Model) npSide(w *Workload, egress bool, other Endpoint, dst *Workload) sideResult {
	nps, rules := m.ingressOf[w], ingressRules
	if egress {
		nps, rules = m.egressOf[w], egressRules
	}
	s := m.side(nps, rules, other, dst)
	c := m.ciliumOf[w]
	if !c.has(egress) {
		return s
	}
	d := dirIndex(egress)
	res := sideResult{isolated: len(nps) > 0 || c.defaultDeny[d], policies: slices.Clone(s.policies)}
	ports := slices.Clone(s.ports) // every port when no NetworkPolicy isolates w
	if res.isolated {
		if len(nps) == 0 {
			ports = nil // Cilium's default deny
		}
		for _, it := range c.allow[d] {
			if !m.ciliumMatches(it, other) {
				continue
			}
			rp := resolvePorts(it.ports, dst)
			if len(rp) == 0 {
				continue
			}
			ports = append(ports, rp...)
			if it.l7 {
				res.l7 = true
			}
			if id := it.rule.policy.ID(); !slices.Contains(res.policies, id) {
				res.policies = append(res.policies, id)
			}
		}
	}
	var denied []PortRange
	for _, it := range c.deny[d] {
		if m.ciliumMatches(it, other) {
			denied = append(denied, resolvePorts(it.ports, dst)...)
		}
	}
	res.ports = subtract(normalise(ports), normalise(denied))
	return res
}

// ciliumNamed lists w's egress connections to the outside destinations Cilium names
// without addresses: toFQDNs names and patterns, and the kube-apiserver entity. Their
// ports are those of the allow items naming them, less those a deny item denies to every
// outside address; each is its own peer, so it is listed even when w reaches the whole
// outside world.
func (m *Model) ciliumNamed(w *Workload) []Connection {
	c := m.ciliumOf[w]
	if c == nil || (len(m.egressOf[w]) == 0 && !c.defaultDeny[1]) {
		return nil
	}
	type acc struct {
		ports    []PortRange
		policies []string
		l7       bool
	}
	byName := map[string]*acc{}
	add := func(name string, it *ciliumItem) {
		a := byName[name]
		if a == nil {
			a = &acc{}
			byName[name] = a
		}
		a.ports = append(a.ports, resolvePorts(it.ports, nil)...)
		a.l7 = a.l7 || it.l7
		if id := it.rule.policy.ID(); !slices.Contains(a.policies, id) {
			a.policies = append(a.policies, id)
		}
	}
	for _, it := range c.allow[1] {
		if it.nothing {
			continue
		}
		for _, f := range it.fqdns {
			add("fqdn:"+f, it)
		}
		if slices.Contains(it.entities, "kube-apiserver") {
			add("entity:kube-apiserver", it)
		}
	}
	var denied []PortRange
	for _, it := range c.deny[1] {
		if it.matchesOutside(netip.Addr{}) {
			denied = append(denied, resolvePorts(it.ports, nil)...)
		}
	}
	var out []Connection
	for name, a := range byName {
		ports := subtract(normalise(a.ports), normalise(denied))
		if len(ports) == 0 {
			continue
		}
		out = append(out, Connection{
			Source: Peer{Workload: w}, Destination: Peer{Name: name}, Ports: ports,
			EgressIsolated: true, EgressPolicies: a.policies, L7: a.l7,
		})
	}
	slices.SortFunc(out, func(a, b Connection) int { return strings.Compare(a.Destination.Name, b.Destination.Name) })
	return out
}

// ciliumCIDRs returns the prefixes w's Cilium items name in a direction (and their
// exceptions), which cut the outside world into parts with one verdict each.
func (m *Model) ciliumCIDRs(w *Workload, egress bool) []netip.Prefix {
	c := m.ciliumOf[w]
	if c == nil {
		return nil
	}
	d := dirIndex(egress)
	var out []netip.Prefix
	for _, items := range [][]*ciliumItem{c.allow[d], c.deny[d]} {
		for _, it := range items {
			for _, b := range it.cidrs {
				out = append(out, b.cidr)
				out = append(out, b.except...)
			}
		}
	}
	return out
}

// ciliumKeys returns the pod label keys the Cilium policies' selectors read.
func ciliumKeys(ps []*CiliumPolicy) []string {
	var out []string
	add := func(s *ciliumSelector) {
		if s != nil {
			out = append(out, s.keys()...)
		}
	}
	for _, p := range ps {
		for _, r := range p.rules {
			add(r.subject)
			for _, items := range [][]*ciliumItem{r.ingress, r.ingressDeny, r.egress, r.egressDeny} {
				for _, it := range items {
					for _, s := range it.endpoints {
						add(s)
					}
				}
			}
		}
	}
	return out
}

// ciliumGroupKey is the part of a workload's egress group that its Cilium rules make.
func (m *Model) ciliumGroupKey(w *Workload) string {
	c := m.ciliumOf[w]
	if !c.has(true) {
		return ""
	}
	var b strings.Builder
	for _, r := range c.rules {
		if r.hasEgressItems {
			fmt.Fprintf(&b, "\x02%p", r)
		}
	}
	return b.String()
}
