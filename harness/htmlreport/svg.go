package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-graphviz"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// quote is a DOT string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// dot writes view v as a Graphviz graph. Elements carry the ids and classes the page's
// script reads: v<v>_w<i> for Data.Workloads[i], v<v>_n<n> for Data.Namespaces[n] drawn
// as one node, v<v>_x<j> for outside address blocks, v<v>_m<n> for a namespace's mesh,
// v<v>_e<k> for View.Edges[k]; classes w<i> and ns<n> name the workload and the
// namespaces an element belongs to or touches.
func (g *graph) dot(v int, view View) string {
	d := g.d
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	id := func(u string) string { return quote(fmt.Sprintf("v%d_%s", v, u)) }
	p("digraph v%d {\n", v)
	p("  graph [id=%s, rankdir=LR, compound=true, fontname=\"Helvetica\", fontsize=11, nodesep=0.15, ranksep=0.6, newrank=true, outputorder=edgesfirst];\n", quote(fmt.Sprintf("v%d", v)))
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#8c959f\", fontname=\"Helvetica\", fontsize=10, height=0.3];\n")
	b.WriteString("  edge [color=\"#8c959f\", arrowsize=0.6, penwidth=1, fontname=\"Helvetica\", fontsize=9, fontcolor=\"#656d76\"];\n")
	used := map[string]bool{}
	for _, e := range view.Edges {
		used[e.Source], used[e.Destination] = true, true
	}
	// Workloads of one name in one namespace (from several files) are told apart by
	// their file.
	names := map[[2]string]int{}
	for _, w := range d.Workloads {
		names[[2]string{w.Namespace, w.Name}]++
	}
	workload := func(indent string, i int) {
		w := d.Workloads[i]
		label := w.Name
		if names[[2]string{w.Namespace, w.Name}] > 1 && w.Source != "" {
			label += "\n" + shortPlace(w.Source)
		}
		fill, color := "#ffffff", "#8c959f"
		if w.Exposed {
			fill = "#fff1e5"
		}
		if worst(d, w) <= 1 { // critical or high findings
			color = "#cf222e"
		}
		p("%sw%d [label=%s, id=%s, class=%s, fillcolor=%s, color=%s, tooltip=%s];\n", indent,
			i, quote(label), id(fmt.Sprintf("w%d", i)), quote(fmt.Sprintf("workload w%d ns%d", i, g.ns[w.Namespace])), quote(fill), quote(color), quote(strings.TrimSpace(w.Kind+" "+w.ID+"\n"+w.Source)))
	}
	cluster := func(n int, body func()) {
		p("  subgraph cluster_%d {\n    graph [label=%s, id=%s, class=%s, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#d0d7de\"];\n",
			n, quote(d.Namespaces[n].Name), id(fmt.Sprintf("c%d", n)), quote(fmt.Sprintf("nsgroup ns%d", n)))
		body()
		b.WriteString("  }\n")
	}
	// mesh draws a box of nodes that all reach each other, and the node its edges
	// start from.
	// grid lays nodes that no edge places out in rows, by invisible edges (Graphviz
	// draws none of them), rather than in one column.
	grid := func(nodes []string) {
		cols := int(math.Ceil(math.Sqrt(float64(len(nodes)))))
		for k := range nodes {
			if k%cols != cols-1 && k+1 < len(nodes) {
				p("    %s -> %s [style=invis];\n", nodes[k], nodes[k+1])
			}
		}
	}
	mesh := func(q, size int, what string, body func()) {
		p("  subgraph cluster_mesh%d {\n    graph [label=%s, id=%s, class=\"meshgroup\", style=\"dashed,rounded,filled\", fillcolor=\"#fff8c5\", color=\"#9a6700\"];\n",
			q, quote(fmt.Sprintf("mesh: each of these %d %s reaches every other", size, what)), id(fmt.Sprintf("mesh%d", q)))
		p("    m%d [label=\"mesh\", shape=circle, width=0.45, fixedsize=true, id=%s, class=\"mesh\", fillcolor=\"#ffffff\", tooltip=%s];\n",
			q, id(fmt.Sprintf("m%d", q)), quote("edges to and from the box stand for each of the "+what+" in it"))
		body()
		b.WriteString("  }\n")
	}
	namespaceNode := func(n int) {
		ns := d.Namespaces[n]
		fill, color, exposed, high := "#f6f8fa", "#8c959f", false, false
		for _, i := range ns.Workloads {
			w := d.Workloads[i]
			exposed = exposed || w.Exposed
			high = high || worst(d, w) <= 1
		}
		if exposed {
			fill = "#fff1e5"
		}
		if high {
			color = "#cf222e"
		}
		p("  n%d [label=%s, id=%s, class=%s, shape=box3d, fillcolor=%s, color=%s, tooltip=%s];\n", n,
			quote(fmt.Sprintf("%s\n%s", ns.Name, plural(len(ns.Workloads), "workload"))), id(fmt.Sprintf("n%d", n)), quote(fmt.Sprintf("namespace ns%d", n)),
			quote(fill), quote(color), quote("namespace "+ns.Name))
	}
	switch {
	case view.Namespace != "":
		n := g.ns[view.Namespace]
		meshed := map[int]bool{}
		for _, m := range view.Meshes {
			for _, i := range m {
				meshed[i] = true
			}
		}
		linked := map[string]bool{}
		for _, e := range view.Edges {
			if e.Source != e.Destination && e.Source[0] == 'w' && e.Destination[0] == 'w' {
				linked[e.Source], linked[e.Destination] = true, true
			}
		}
		cluster(n, func() {
			var free []string
			for _, i := range view.Workloads {
				if !meshed[i] {
					workload("    ", i)
					if node := fmt.Sprintf("w%d", i); !linked[node] {
						free = append(free, node)
					}
				}
			}
			if len(free) > 6 {
				grid(free)
			}
			for q, m := range view.Meshes {
				mesh(q, len(m), "workloads", func() {
					var nodes []string
					for _, i := range m {
						workload("      ", i)
						nodes = append(nodes, fmt.Sprintf("w%d", i))
					}
					grid(nodes)
				})
			}
		})
		for m := range d.Namespaces {
			if used[fmt.Sprintf("n%d", m)] {
				namespaceNode(m)
			}
		}
		if used["o0"] {
			p("  o0 [label=%s, id=%s, class=\"elsewhere\", shape=box3d, fillcolor=\"#f6f8fa\", tooltip=\"every other namespace: open the namespaces view for each\"];\n",
				quote(fmt.Sprintf("other namespaces\n(%d)", len(d.Namespaces)-1)), id("o0"))
		}
	case view.Name == "namespaces":
		meshed := map[int]bool{}
		for q, m := range view.Meshes {
			mesh(q, len(m), "namespaces", func() {
				var nodes []string
				for _, n := range m {
					meshed[n] = true
					namespaceNode(n)
					nodes = append(nodes, fmt.Sprintf("n%d", n))
				}
				grid(nodes)
			})
		}
		for n := range d.Namespaces {
			if !meshed[n] {
				namespaceNode(n)
			}
		}
	default:
		for n, ns := range d.Namespaces {
			cluster(n, func() {
				for _, i := range ns.Workloads {
					workload("    ", i)
				}
			})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(g.outside)) {
		j := g.outside[name]
		if !used[fmt.Sprintf("x%d", j)] {
			continue
		}
		label := name
		if name == netmodel.World {
			label = "outside the cluster"
		}
		p("  x%d [label=%s, id=%s, class=\"outside\", shape=ellipse, fillcolor=\"#eaeef2\", tooltip=%s];\n", j, quote(label), id(fmt.Sprintf("x%d", j)), quote(name))
	}
	for k, e := range view.Edges {
		classes := []string{"conn"}
		nss, cross, breaks := map[int]bool{}, false, false
		var tip []string
		for _, c := range e.Connections {
			conn := d.Connections[c]
			for _, end := range g.ends[c] {
				if n := g.nsOf(end); n >= 0 {
					nss[n] = true
				}
			}
			cross = cross || conn.CrossNamespace
			breaks = breaks || len(conn.Breaks) > 0
			if len(tip) < 6 {
				tip = append(tip, conn.Source+" -> "+conn.Destination+": "+portsText(conn))
			}
		}
		if len(e.Connections) > 6 {
			tip[5] = fmt.Sprintf("... %d connections in all", len(e.Connections))
		}
		for _, n := range slices.Sorted(maps.Keys(nss)) {
			classes = append(classes, fmt.Sprintf("ns%d", n))
		}
		color, width := "#8c959f", 1.0
		switch {
		case breaks:
			color, width = "#cf222e", 2.2
			classes = append(classes, "breaks")
		case cross:
			color, width = "#0969da", 1.4
			classes = append(classes, "cross")
		}
		attrs := ""
		if n := len(e.Connections); n > 1 {
			attrs += fmt.Sprintf(", label=%s", quote(fmt.Sprint(n)))
			width += min(2.5, math.Log10(float64(n)))
		}
		if e.Source != e.Destination {
			if e.Source[0] == 'm' {
				attrs += ", ltail=cluster_mesh" + e.Source[1:]
			}
			if e.Destination[0] == 'm' {
				attrs += ", lhead=cluster_mesh" + e.Destination[1:]
			}
		}
		p("  %s -> %s [id=%s, class=%s, color=%s, penwidth=%.1f, tooltip=%s%s];\n",
			e.Source, e.Destination, id(fmt.Sprintf("e%d", k)), quote(strings.Join(classes, " ")), quote(color), width, quote(strings.Join(tip, "\n")), attrs)
	}
	b.WriteString("}\n")
	return b.String()
}

// shortPlace is a file's last two path elements, without the line.
func shortPlace(place string) string {
	if i := strings.LastIndexByte(place, ':'); i > 0 {
		place = place[:i]
	}
	parts := strings.Split(filepath.ToSlash(place), "/")
	return strings.Join(parts[max(0, len(parts)-2):], "/")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// worst is the rank of a workload's most severe finding (0 critical ... 4 info), 5 for
// none.
func worst(d *Data, w Workload) int {
	best := 5
	for _, i := range w.Findings {
		if r := severityRank(d.Findings[i].Severity); r < best {
			best = r
		}
	}
	return best
}

func severityRank(s string) int {
	for i, x := range []string{"critical", "high", "medium", "low", "info"} {
		if s == x {
			return i
		}
	}
	return 5
}

// SVGs lays each view out with Graphviz's dot and returns them as SVG.
func (d *Data) SVGs(ctx context.Context) ([][]byte, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting Graphviz: %w", err)
	}
	defer gv.Close()
	g := newGraph(d)
	out := make([][]byte, len(d.Views))
	for v, view := range d.Views {
		svg, err := render(ctx, gv, g.dot(v, view))
		if err != nil {
			return nil, fmt.Errorf("the %s view: %w", view.Name, err)
		}
		out[v] = svg
	}
	return out, nil
}

func render(ctx context.Context, gv *graphviz.Graphviz, dot string) ([]byte, error) {
	graph, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("the picture's graph: %w", err)
	}
	defer graph.Close()
	var out bytes.Buffer
	if err := gv.Render(ctx, graph, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("laying the picture out: %w", err)
	}
	svg := out.Bytes()
	// The XML prologue and doctype do not belong inside an HTML page.
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:]
	}
	return svg, nil
}
