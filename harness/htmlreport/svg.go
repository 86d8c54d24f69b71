package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/goccy/go-graphviz"
)

// quote is a DOT string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// dot writes the picture as a Graphviz graph: a cluster per namespace holding its
// workloads, one node per outside address block, and an edge per connection. Elements
// carry the ids and classes the page's script reads: w<i> for Data.Workloads[i], x<j>
// for outside blocks, e<k> for Data.Connections[k]; ns<n> classes name the namespaces
// (Data.Namespaces[n]) an element belongs to or touches.
func (d *Data) dot() string {
	var b strings.Builder
	b.WriteString("digraph review {\n")
	b.WriteString("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.15, ranksep=0.9, newrank=true, outputorder=edgesfirst];\n")
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#8c959f\", fontname=\"Helvetica\", fontsize=10, height=0.3];\n")
	b.WriteString("  edge [color=\"#8c959f\", arrowsize=0.6, penwidth=1];\n")
	nsIndex := map[string]int{}
	for i, ns := range d.Namespaces {
		nsIndex[ns.Name] = i
	}
	wIndex := map[string]int{}
	for i, w := range d.Workloads {
		wIndex[w.ID] = i
	}
	for n, ns := range d.Namespaces {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    graph [label=%s, id=%s, class=%s, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#d0d7de\"];\n",
			n, quote(ns.Name), quote(fmt.Sprintf("c%d", n)), quote(fmt.Sprintf("ns ns%d", n)))
		for _, id := range ns.Workloads {
			i := wIndex[id]
			w := d.Workloads[i]
			fill, color := "#ffffff", "#8c959f"
			if w.Exposed {
				fill = "#fff1e5"
			}
			if worst(d, w) <= 1 { // critical or high findings
				color = "#cf222e"
			}
			fmt.Fprintf(&b, "    w%d [label=%s, id=%s, class=%s, fillcolor=%s, color=%s, tooltip=%s];\n",
				i, quote(w.Name), quote(fmt.Sprintf("w%d", i)), quote(fmt.Sprintf("workload ns%d", n)), quote(fill), quote(color), quote(w.Kind+" "+w.ID))
		}
		b.WriteString("  }\n")
	}
	outside := map[string]int{}
	node := func(end string) string {
		if i, ok := wIndex[end]; ok {
			return fmt.Sprintf("w%d", i)
		}
		j, ok := outside[end]
		if !ok {
			j = len(outside)
			outside[end] = j
			label := end
			if end == worldCIDRs {
				label = "outside the cluster"
			}
			fmt.Fprintf(&b, "  x%d [label=%s, id=%s, class=\"outside\", shape=ellipse, fillcolor=\"#eaeef2\", tooltip=%s];\n", j, quote(label), quote(fmt.Sprintf("x%d", j)), quote(end))
		}
		return fmt.Sprintf("x%d", j)
	}
	for k, c := range d.Connections {
		src, dst := node(c.Source), node(c.Destination)
		classes := []string{"conn"}
		for _, end := range []string{c.Source, c.Destination} {
			if i, ok := wIndex[end]; ok {
				classes = append(classes, fmt.Sprintf("ns%d", nsIndex[d.Workloads[i].Namespace]))
			}
		}
		color, width := "#8c959f", 1.0
		switch {
		case len(c.Breaks) > 0:
			color, width = "#cf222e", 2.2
			classes = append(classes, "breaks")
		case c.CrossNamespace:
			color, width = "#0969da", 1.4
			classes = append(classes, "cross")
		}
		fmt.Fprintf(&b, "  %s -> %s [id=%s, class=%s, color=%s, penwidth=%.1f, tooltip=%s];\n",
			src, dst, quote(fmt.Sprintf("e%d", k)), quote(strings.Join(classes, " ")), quote(color), width, quote(c.Source+" -> "+c.Destination+": "+portsText(c)))
	}
	b.WriteString("}\n")
	return b.String()
}

// worldCIDRs is how netmap names every outside address.
const worldCIDRs = "0.0.0.0/0,::/0"

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

// SVG lays the picture out with Graphviz's dot and returns it as SVG.
func (d *Data) SVG(ctx context.Context) ([]byte, error) {
	g, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting Graphviz: %w", err)
	}
	defer g.Close()
	graph, err := graphviz.ParseBytes([]byte(d.dot()))
	if err != nil {
		return nil, fmt.Errorf("the picture's graph: %w", err)
	}
	defer graph.Close()
	var out bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("laying the picture out: %w", err)
	}
	svg := out.Bytes()
	// The XML prologue and doctype do not belong inside an HTML page.
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:]
	}
	return svg, nil
}
