package netmodel

import (
	"fmt"
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

func (m *Model) newEgressIndex(cache map[*peer][]*Workload) *egressIndex {
	x := &egressIndex{openSet: map[int]bool{}, byGroup: map[int][]*Workload{}, reverse: map[*Workload][]int{}, wildcard: map[string]*wildcard{}}
	done := map[int]bool{}
	for _, rep := range m.reps {
		g := m.egressGroup[rep]
		policies := m.egressOf[rep]
		if len(policies) == 0 || m.tiered(rep, true) { // admin and Cilium rules may let anything through
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

// ingressPorts is the union of the ports dst's ingress rules allow to anyone: every port
// when dst is not isolated.
func (m *Model) ingressPorts(dst *Workload) []PortRange {
	policies := m.ingressOf[dst]
	if len(policies) == 0 || m.tiered(dst, false) {
		return allPorts
	}
	var out []PortRange
	for _, p := range policies {
		for _, r := range p.ingress {
			out = append(out, r.resolve(dst)...)
		}
	}
	return normalise(out)
}

// candidates returns the classes that may reach dst: admitted by its ingress (sources;
// all of them when admitted is nil) and let through by their egress.
func (x *egressIndex) candidates(m *Model, dst *Workload, sources []*Workload, admitted map[*Workload]bool) []*Workload {
	ports := m.ingressPorts(dst)
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
