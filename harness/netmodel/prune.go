package netmodel

import (
	"fmt"
	"slices"
)

// egressIndex says, for a destination, which source groups' egress can let anything
// through to it, so Connections need not try every source its ingress admits. A source
// group (workloads with the same egress policies) can reach a destination when it is not
// isolated for egress, when one of its egress rules without peers allows a port the
// destination's ingress allows, or when a peer of one of its egress rules selects the
// destination. It is built once per Connections call.
type egressIndex struct {
	open     []*Workload          // classes of groups not isolated for egress
	openSet  map[int]bool         // those groups
	byGroup  map[int][]*Workload  // classes per isolated group
	reverse  map[*Workload][]int  // destination class -> groups a peer of which selects it
	wildcard map[string]*wildcard // rules without peers, by their ports
}

// wildcard is the rules without peers that share one ports list, and their groups.
type wildcard struct {
	rule   rule
	groups []int
}

func (m *Model) newEgressIndex(cache *classCache) *egressIndex {
	x := &egressIndex{openSet: map[int]bool{}, byGroup: map[int][]*Workload{}, reverse: map[*Workload][]int{}, wildcard: map[string]*wildcard{}}
	done := map[int]bool{}
	for _, rep := range m.reps {
		g := m.egressGroup[rep]
		policies := m.egressOf[rep]
		cilium := m.ciliumOf[rep]
		// Admin rules may let anything through; so does the default allow of a class
		// that neither a NetworkPolicy nor Cilium's default deny isolates.
		if m.hasAdmin(rep, true) || (len(policies) == 0 && !cilium.isolates(true)) {
			x.open = append(x.open, rep)
			x.openSet[g] = true
			continue
		}
		x.byGroup[g] = append(x.byGroup[g], rep)
		if done[g] {
			continue
		}
		done[g] = true
		marked := map[*Workload]bool{}
		if cilium != nil {
			for _, it := range cilium.allow[1] {
				u := m.itemUnit(it, cache)
				if u.all {
					x.addWildcard(rule{ports: it.ports}, g)
					continue
				}
				for _, c := range u.classes {
					if !marked[c] {
						marked[c] = true
						x.reverse[c] = append(x.reverse[c], g)
					}
				}
			}
		}
		for _, p := range policies {
			for i := range p.egress {
				r := &p.egress[i]
				if r.peers == nil {
					x.addWildcard(*r, g)
					continue
				}
				for j := range r.peers {
					pe := &r.peers[j]
					if pe.block != nil {
						if m.addressed > 0 { // pods with known addresses may match ipBlocks
							x.addWildcard(*r, g)
						}
						continue
					}
					for _, c := range m.cachedPeerClasses(pe, cache) {
						if !marked[c] {
							marked[c] = true
							x.reverse[c] = append(x.reverse[c], g)
						}
					}
				}
			}
		}
	}
	return x
}

func (x *egressIndex) addWildcard(r rule, g int) {
	key := fmt.Sprint(r.ports == nil, r.ports)
	w := x.wildcard[key]
	if w == nil {
		w = &wildcard{rule: r}
		x.wildcard[key] = w
	}
	if n := len(w.groups); n == 0 || w.groups[n-1] != g {
		w.groups = append(w.groups, g)
	}
}

// groups returns the isolated groups whose egress may reach dst on some port of ports
// (what dst's ingress allows at most).
func (x *egressIndex) groups(dst *Workload, ports []PortRange) map[int]bool {
	out := map[int]bool{}
	for _, g := range x.reverse[dst] {
		out[g] = true
	}
	for _, w := range x.wildcard {
		if len(intersect(normalise(w.rule.resolve(dst)), ports)) > 0 {
			for _, g := range w.groups {
				out[g] = true
			}
		}
	}
	return out
}

// ingressPorts is the union of the ports dst's ingress rules (NetworkPolicy rules and
// Cilium allow items) allow to anyone: every port when dst is not isolated or an admin
// tier has a say.
func (m *Model) ingressPorts(dst *Workload) []PortRange {
	policies := m.ingressOf[dst]
	cilium := m.ciliumOf[dst]
	if m.hasAdmin(dst, false) || (len(policies) == 0 && !cilium.isolates(false)) {
		return allPorts
	}
	var out []PortRange
	for _, p := range policies {
		for _, r := range p.ingress {
			out = append(out, r.resolve(dst)...)
		}
	}
	if cilium != nil {
		for _, it := range cilium.allow[0] {
			if !it.nothing {
				out = append(out, resolvePorts(it.ports, dst)...)
			}
		}
	}
	return normalise(out)
}

// sourceCandidates returns the classes that may reach dst, and the verdict of dst's
// ingress when it admits everything (open.isolated false). A destination that Cilium's
// default deny isolates is taken one admission at a time (each NetworkPolicy rule and
// Cilium allow item, with the sources it admits and its ports), so that a clusterwide
// rule admitting every pod on one port only brings the sources whose egress may use
// that port.
func (m *Model) sourceCandidates(dst *Workload, x *egressIndex, cache *classCache) ([]*Workload, sideResult) {
	cilium := m.ciliumOf[dst]
	if !cilium.isolates(false) || m.hasAdmin(dst, false) {
		sources, admitted, open := m.ingressSources(dst, cache)
		return x.candidates(m, dst, sources, admitted, m.ingressPorts(dst)), open
	}
	seen := map[*Workload]bool{}
	var out []*Workload
	add := func(cands []*Workload) {
		for _, c := range cands {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	admit := func(u *unit, ports []PortRange) {
		if u.all {
			add(x.candidates(m, dst, m.reps, nil, normalise(ports)))
			return
		}
		add(x.candidates(m, dst, u.classes, u.members(), normalise(ports)))
	}
	for _, p := range m.ingressOf[dst] {
		for i := range p.ingress {
			r := &p.ingress[i]
			admit(m.ruleUnit(r, cache), r.resolve(dst))
		}
	}
	for _, it := range cilium.allow[0] {
		admit(m.itemUnit(it, cache), resolvePorts(it.ports, dst))
	}
	return out, sideResult{isolated: true}
}

// unit is the classes one admission selects (an ingress NetworkPolicy rule's peers, or a
// Cilium allow item's; a class may be listed twice), or all of them. Connections computes
// it once per admission.
type unit struct {
	classes []*Workload
	all     bool
	set     map[*Workload]bool // the classes as a set, made when first asked for
}

// members returns the unit's classes as a set.
func (u *unit) members() map[*Workload]bool {
	if u.set == nil {
		u.set = make(map[*Workload]bool, len(u.classes))
		for _, w := range u.classes {
			u.set[w] = true
		}
	}
	return u.set
}

// ruleUnit is the classes an ingress rule admits: all of them for a rule without peers,
// or with an ipBlock peer when pods have known addresses; otherwise those its pod and
// namespace peers select (ipBlocks match no pod).
func (m *Model) ruleUnit(r *rule, cache *classCache) *unit {
	if u, ok := cache.rules[r]; ok {
		return u
	}
	u := &unit{}
	if r.peers == nil || (m.addressed > 0 && slices.ContainsFunc(r.peers, func(pe peer) bool { return pe.block != nil })) {
		u.all = true
	} else {
		for j := range r.peers {
			if pe := &r.peers[j]; pe.block == nil {
				u.classes = append(u.classes, m.cachedPeerClasses(pe, cache)...)
			}
		}
	}
	cache.rules[r] = u
	return u
}

// candidates returns the classes that may reach dst on some of ports (at most what its
// ingress allows): admitted by its ingress (sources; all of them when admitted is nil)
// and let through by their egress.
func (x *egressIndex) candidates(m *Model, dst *Workload, sources []*Workload, admitted map[*Workload]bool, ports []PortRange) []*Workload {
	if len(ports) == 0 {
		return nil
	}
	groups := x.groups(dst, ports)
	egressCount := len(x.open)
	for g := range groups {
		egressCount += len(x.byGroup[g])
	}
	var out []*Workload
	if admitted == nil || egressCount < len(sources) {
		add := func(c *Workload) {
			if admitted == nil || admitted[c] {
				out = append(out, c)
			}
		}
		for _, c := range x.open {
			add(c)
		}
		for g := range groups {
			for _, c := range x.byGroup[g] {
				add(c)
			}
		}
		return out
	}
	for _, c := range sources {
		if g := m.egressGroup[c]; x.openSet[g] || groups[g] {
			out = append(out, c)
		}
	}
	return out
}
