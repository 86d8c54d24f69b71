package htmlreport

import (
	"fmt"
	"slices"
)

// A View is one drawing of the connectivity picture. Drawing each of 20,000 connections
// between 200 workloads gives a picture nobody can read and Graphviz cannot lay out in
// minutes, so the review draws the same connections at three scales:
//
//   - "workloads": every workload, grouped by namespace, and every connection as an
//     edge, drawn only while that stays readable (see maxDetailed);
//   - "namespaces": a node per namespace, connections aggregated per pair of namespaces;
//   - one view per namespace: its workloads, each other namespace as one node, and the
//     connections with an end in the namespace aggregated per pair of drawn nodes.
//
// Workloads of a namespace that all reach each other (because no policy isolates them,
// or because their policies admit each other) form a mesh: they are drawn together in a
// box, and their connections leave from the box, since drawing the n*(n-1) edges among
// them would say only that all of them are open to each other. Namespaces that all reach
// each other form meshes of the namespaces view the same way.
//
// Every connection is in exactly one edge of the "workloads" and "namespaces" views, and
// of the view of each namespace it has an end in: the browser test checks this.
type View struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Workloads are the indexes in Data.Workloads of the workloads drawn.
	Workloads []int `json:"workloads"`
	// Elsewhere is true when the view draws every other namespace as one node, o0,
	// because a node each gave more than maxEdges edges.
	Elsewhere bool `json:"elsewhere,omitempty"`
	// Meshes are sets of nodes that all reach each other, drawn as a box: indexes in
	// Data.Workloads in a namespace's view, in Data.Namespaces in the namespaces view.
	Meshes [][]int    `json:"meshes,omitempty"`
	Edges  []ViewEdge `json:"edges"`
}

// ViewEdge is an edge of a view: the connections, as indexes in Data.Connections, it
// stands for, between two drawn nodes.
type ViewEdge struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Connections []int  `json:"connections"`
}

// maxDetailed bounds the "workloads" view: above this many connections, the review opens
// on the namespaces.
const maxDetailed = 400

// maxEdges is the most edges a namespace view draws with a node per other namespace.
const maxEdges = 150

// minMesh is the smallest open mesh drawn as a box.
const minMesh = 3

// unit is a node of a view: a workload, a namespace, an outside address block, or a
// namespace's mesh.
type unit struct {
	kind  byte // 'w' workload, 'n' namespace, 'x' outside, 'm' mesh, 'o' other namespaces
	index int
}

func (u unit) id() string { return fmt.Sprintf("%c%d", u.kind, u.index) }

// graph holds the indexes the views are built from.
type graph struct {
	d       *Data
	ns      map[string]int // namespace name to index
	outside map[string]int // outside block to index, in order of first use
	// ends are each connection's two ends: the workload index, or -1-j for outside
	// block j.
	ends [][2]int
}

func newGraph(d *Data) *graph {
	g := &graph{d: d, ns: map[string]int{}, outside: map[string]int{}}
	for i, n := range d.Namespaces {
		g.ns[n.Name] = i
	}
	end := func(i int, s string) int {
		if i >= 0 {
			return i
		}
		j, ok := g.outside[s]
		if !ok {
			j = len(g.outside)
			g.outside[s] = j
		}
		return -1 - j
	}
	g.ends = make([][2]int, len(d.Connections))
	for k, c := range d.Connections {
		g.ends[k] = [2]int{end(c.From, c.Source), end(c.To, c.Destination)}
	}
	return g
}

// nsOf is the namespace index of a connection end, -1 for an outside block.
func (g *graph) nsOf(end int) int {
	if end < 0 {
		return -1
	}
	return g.ns[g.d.Workloads[end].Namespace]
}

// views builds the review's views: "workloads" (when small enough), "namespaces", and
// one per namespace.
func (g *graph) views() []View {
	var out []View
	if len(g.d.Connections) <= maxDetailed {
		out = append(out, g.view("workloads", "", nil, func(end int) unit {
			if end < 0 {
				return unit{'x', -1 - end}
			}
			return unit{'w', end}
		}))
	}
	// The namespaces that all reach each other are meshes too.
	nsLinked := map[[2]int]bool{}
	for _, e := range g.ends {
		if a, b := g.nsOf(e[0]), g.nsOf(e[1]); a >= 0 && b >= 0 {
			nsLinked[[2]int{a, b}] = true
		}
	}
	all := make([]int, len(g.d.Namespaces))
	for n := range all {
		all[n] = n
	}
	nsMeshes := meshes(all, nsLinked)
	nsMesh := map[int]int{}
	for q, m := range nsMeshes {
		for _, n := range m {
			nsMesh[n] = q
		}
	}
	overview := g.view("namespaces", "", nil, func(end int) unit {
		if end < 0 {
			return unit{'x', -1 - end}
		}
		if q, ok := nsMesh[g.nsOf(end)]; ok {
			return unit{'m', q}
		}
		return unit{'n', g.nsOf(end)}
	})
	overview.Meshes = nsMeshes
	out = append(out, overview)
	touching := make([][]int, len(g.d.Namespaces))
	for k, e := range g.ends {
		a, b := g.nsOf(e[0]), g.nsOf(e[1])
		if a >= 0 {
			touching[a] = append(touching[a], k)
		}
		if b >= 0 && b != a {
			touching[b] = append(touching[b], k)
		}
	}
	for n, ns := range g.d.Namespaces {
		linked := map[[2]int]bool{}
		for _, k := range touching[n] {
			if e := g.ends[k]; e[0] >= 0 && e[1] >= 0 {
				linked[e] = true
			}
		}
		meshes := meshes(g.d.Namespaces[n].Workloads, linked)
		inMesh := map[int]int{}
		for q, m := range meshes {
			for _, i := range m {
				inMesh[i] = q
			}
		}
		to := func(elsewhere bool) func(int) unit {
			return func(end int) unit {
				q, meshed := inMesh[end]
				switch {
				case end < 0:
					return unit{'x', -1 - end}
				case meshed:
					return unit{'m', q}
				case g.nsOf(end) == n:
					return unit{'w', end}
				case elsewhere:
					return unit{'o', 0}
				}
				return unit{'n', g.nsOf(end)}
			}
		}
		v := g.view(ns.Name, ns.Name, touching[n], to(false))
		if len(v.Edges) > maxEdges {
			v = g.view(ns.Name, ns.Name, touching[n], to(true))
			v.Elsewhere = true
		}
		v.Meshes = meshes
		// The namespace's workloads are all drawn, connected or not.
		v.Workloads = ns.Workloads
		out = append(out, v)
	}
	return out
}

// view aggregates the connections (all when conns is nil) into edges between the units
// their ends map to.
func (g *graph) view(name, namespace string, conns []int, to func(end int) unit) View {
	if conns == nil && namespace == "" {
		conns = make([]int, len(g.ends))
		for k := range conns {
			conns[k] = k
		}
	}
	v := View{Name: name, Namespace: namespace, Workloads: []int{}, Edges: []ViewEdge{}}
	edge := map[[2]unit]int{}
	for _, k := range conns {
		a, b := to(g.ends[k][0]), to(g.ends[k][1])
		i, ok := edge[[2]unit{a, b}]
		if !ok {
			i = len(v.Edges)
			edge[[2]unit{a, b}] = i
			v.Edges = append(v.Edges, ViewEdge{Source: a.id(), Destination: b.id()})
		}
		v.Edges[i].Connections = append(v.Edges[i].Connections, k)
	}
	if name == "workloads" {
		for i := range g.d.Workloads {
			v.Workloads = append(v.Workloads, i)
		}
	}
	return v
}

// meshes finds, among the candidates (workloads or namespaces), sets of at least
// minMesh that all reach each other. Each is found greedily among the candidates no
// earlier mesh took: of those, the one missing most links to the others is dropped until
// the rest all reach each other.
func meshes(cand []int, linked map[[2]int]bool) [][]int {
	left := slices.Clone(cand)
	var out [][]int
	for len(left) >= minMesh {
		m := clique(left, linked)
		if len(m) < minMesh {
			break
		}
		out = append(out, m)
		left = slices.DeleteFunc(left, func(i int) bool { _, ok := slices.BinarySearch(m, i); return ok })
	}
	return out
}

// clique drops from cand, one at a time, the member missing most links (the highest
// index among equals), until every member reaches every other. It returns the members
// left, in increasing order.
func clique(cand []int, linked map[[2]int]bool) []int {
	in := slices.Sorted(slices.Values(cand))
	for len(in) >= minMesh {
		missing := make([]int, len(in))
		complete := true
		for x, a := range in {
			for y, b := range in {
				if a != b && !linked[[2]int{a, b}] {
					missing[x]++
					missing[y]++
					complete = false
				}
			}
		}
		if complete {
			return in
		}
		worst := 0
		for x := range in {
			if missing[x] >= missing[worst] {
				worst = x
			}
		}
		in = slices.Delete(in, worst, worst+1)
	}
	return nil
}
