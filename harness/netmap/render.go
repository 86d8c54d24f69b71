package netmap

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

func writeJSON(w io.Writer, m *Map) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// via says which policies allow a connection on each side, or that a side is open.
func via(c Connection) string {
	side := func(name string, isolated bool, policies []string) string {
		if !isolated {
			return name + " not isolated"
		}
		return name + " " + strings.Join(policies, ",")
	}
	out := side("egress", c.EgressIsolated, c.EgressPolicies) + "; " + side("ingress", c.IngressIsolated, c.IngressPolicies)
	if c.L7 {
		out += "; L7 rules narrow it"
	}
	return out
}

func writeText(w io.Writer, m *Map) error {
	var b strings.Builder
	s := m.Summary
	admin := ""
	if s.AdminPolicies > 0 {
		admin = fmt.Sprintf(", %d admin policies", s.AdminPolicies)
	}
	if s.CiliumPolicies > 0 {
		admin += fmt.Sprintf(", %d Cilium policies", s.CiliumPolicies)
	}
	fmt.Fprintf(&b, "%d workloads, %d NetworkPolicies%s: %d allowed connections (%d cross namespaces), %d workloads exposed to everything, %d errors\n",
		s.Workloads, s.Policies, admin, s.Connections, s.CrossNamespace, s.Exposed, s.Errors)
	if s.Inferred {
		b.WriteString("Workloads of kind Inferred are the pods the policies' selectors describe: {labels} groups, and other-pods for pods no selector names.\n")
	}
	for _, line := range legend(m) {
		b.WriteString(line + "\n")
	}
	if len(m.Exposed) > 0 {
		b.WriteString("\nExposed to everything (any pod in any namespace and any outside address may connect):\n")
		for _, e := range m.Exposed {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	cross := slices.DeleteFunc(slices.Clone(m.Connections), func(c Connection) bool { return !c.CrossNamespace })
	if len(cross) > 0 {
		b.WriteString("\nPaths across namespaces:\n")
		for _, c := range cross {
			fmt.Fprintf(&b, "  %s -> %s  %s  [%s]\n", c.Source, c.Destination, FormatPorts(c.Ports), via(c))
		}
	}
	if len(m.Connections) > 0 {
		b.WriteString("\nAllowed connections, by destination:\n")
		byDst := slices.Clone(m.Connections)
		slices.SortStableFunc(byDst, func(a, b Connection) int { return strings.Compare(a.Destination, b.Destination) })
		last := ""
		for _, c := range byDst {
			if c.Destination != last {
				fmt.Fprintf(&b, "  %s\n", c.Destination)
				last = c.Destination
			}
			fmt.Fprintf(&b, "    <- %s  %s  [%s]\n", c.Source, FormatPorts(c.Ports), via(c))
		}
	}
	if len(m.Groups) > 0 {
		b.WriteString("\nPods grouped under their controller, which the input does not hold:\n")
		for _, g := range m.Groups {
			fmt.Fprintf(&b, "  %s  %s\n", g.Workload, podList(g.Pods))
		}
	}
	if len(m.Errors) > 0 {
		b.WriteString("\nErrors:\n")
		for _, e := range m.Errors {
			fmt.Fprintf(&b, "  %s\n", e.Error())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// legend explains, a sentence a line, how the map's workloads came from the input: Pods
// grouped under their controller or left out for it, and host-network pods.
func legend(m *Map) []string {
	var out []string
	s := m.Summary
	if s.GroupedPods > 0 {
		line := fmt.Sprintf("Pods whose controller is not in the input are grouped under it as one workload, namespace/name[Kind] (%s as %s, listed below).",
			plural(s.GroupedPods, "pod"), plural(len(m.Groups), "workload"))
		if slices.ContainsFunc(m.Groups, func(g Group) bool { return strings.Contains(g.Workload, "}[") }) {
			line += " A controller whose Pods differ in labels, ports or hostNetwork is split, each part named by what sets it apart: namespace/name{key=value}[Kind]."
		}
		out = append(out, line)
	}
	if s.OwnedLeftOut > 0 {
		out = append(out, fmt.Sprintf("%s made by a controller in the input left out: the controller's pod template stands for them.",
			plural(s.OwnedLeftOut, "Pod, ReplicaSet or Job")))
	}
	if n := s.HostNetworkWorkloads; n > 0 {
		runs := plural(n, "workload") + " run"
		if n == 1 {
			runs += "s"
		}
		switch m.Settings.HostNetwork {
		case "pod":
			out = append(out, fmt.Sprintf("%s on the host network, treated as any pod (host network: pod): the policies that select them apply.", runs))
		default:
			out = append(out, fmt.Sprintf("%s on the host network, taken to be outside NetworkPolicy (host network: unprotected): never isolated, and not selected as peers.", runs))
		}
	}
	return out
}

// plural counts things: "1 pod", "3 pods"; "Pod, ReplicaSet or Job" becomes "Pods,
// ReplicaSets or Jobs".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	if one == "Pod, ReplicaSet or Job" {
		return fmt.Sprintf("%d Pods, ReplicaSets or Jobs", n)
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// podList names the first few Pods of a group.
func podList(pods []string) string {
	const shown = 5
	if len(pods) <= shown {
		return plural(len(pods), "pod") + ": " + strings.Join(pods, ", ")
	}
	return fmt.Sprintf("%s: %s and %d more", plural(len(pods), "pod"), strings.Join(pods[:shown], ", "), len(pods)-shown)
}

// groupLegend is the caption of graphs with grouped Pods.
const groupLegend = "namespace/name[Kind] (N pods): Pods grouped under their controller, which the input does not hold"

// groupSizes maps each group's workload to its number of Pods.
func groupSizes(m *Map) map[string]int {
	out := make(map[string]int, len(m.Groups))
	for _, g := range m.Groups {
		out[g.Workload] = len(g.Pods)
	}
	return out
}

// node is a vertex of the rendered graph: a workload in its namespace, or addresses.
type node struct {
	id, label, namespace string
}

// nodes assigns stable ids (n0, n1, ...) to every end of every connection, and groups
// the nodes by namespace ("" for outside addresses) in order of appearance.
func nodes(m *Map) (order []string, byNS map[string][]node, ids map[string]string) {
	list, ids := nodeList(m)
	byNS = map[string][]node{}
	for _, n := range list {
		if _, ok := byNS[n.namespace]; !ok {
			order = append(order, n.namespace)
		}
		byNS[n.namespace] = append(byNS[n.namespace], n)
	}
	return order, byNS, ids
}

func nodeList(m *Map) ([]node, map[string]string) {
	ids := map[string]string{}
	sizes := groupSizes(m)
	var out []node
	add := func(name string) {
		if _, ok := ids[name]; ok {
			return
		}
		n := node{id: fmt.Sprintf("n%d", len(out)), label: name}
		if ns, rest, ok := strings.Cut(name, "/"); ok && strings.HasSuffix(name, "]") {
			n.namespace, n.label = ns, rest
		}
		if pods, ok := sizes[name]; ok {
			n.label += " (" + plural(pods, "pod") + ")"
		}
		ids[name] = n.id
		out = append(out, n)
	}
	for _, c := range m.Connections {
		add(c.Source)
		add(c.Destination)
	}
	return out, ids
}

func edgeLabel(c Connection) string {
	var pols []string
	pols = append(pols, c.EgressPolicies...)
	for _, p := range c.IngressPolicies {
		if !slices.Contains(pols, p) {
			pols = append(pols, p)
		}
	}
	label := FormatPorts(c.Ports)
	if len(pols) > 0 {
		label += " (" + strings.Join(pols, ", ") + ")"
	}
	return label
}

func writeDot(w io.Writer, m *Map) error {
	var b strings.Builder
	b.WriteString("digraph netmap {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")

	order, byNS, ids := nodes(m)
	for i, namespace := range order {
		indent := "  "
		if namespace != "" {
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%q;\n", i, "namespace "+namespace)
			indent = "    "
		}
		for _, n := range byNS[namespace] {
			shape := ""
			if namespace == "" {
				shape = ", shape=ellipse, style=dashed"
			}
			fmt.Fprintf(&b, "%s%s [label=%q%s];\n", indent, n.id, n.label, shape)
		}
		if namespace != "" {
			b.WriteString("  }\n")
		}
	}
	for _, c := range m.Connections {
		style := ""
		if c.CrossNamespace {
			style = ", color=red"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%q%s];\n", ids[c.Source], ids[c.Destination], edgeLabel(c), style)
	}
	if len(m.Groups) > 0 {
		// Set last, so that the namespace clusters do not inherit it.
		fmt.Fprintf(&b, "  label=%q;\n  labelloc=b;\n", groupLegend)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText escapes a label for a Mermaid quoted string.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "[", "#91;", "]", "#93;", "|", "#124;").Replace(s)
}

func writeMermaid(w io.Writer, m *Map) error {
	var b strings.Builder
	if len(m.Groups) > 0 {
		// The title is Mermaid's caption: it says what the grouped nodes stand for.
		fmt.Fprintf(&b, "---\ntitle: %q\n---\n", groupLegend)
	}
	b.WriteString("flowchart LR\n")
	order, byNS, ids := nodes(m)
	for i, namespace := range order {
		indent := "  "
		if namespace != "" {
			fmt.Fprintf(&b, "  subgraph ns%d[\"namespace %s\"]\n", i, mermaidText(namespace))
			indent = "    "
		}
		for _, n := range byNS[namespace] {
			if namespace == "" {
				fmt.Fprintf(&b, "%s%s([\"%s\"])\n", indent, n.id, mermaidText(n.label))
			} else {
				fmt.Fprintf(&b, "%s%s[\"%s\"]\n", indent, n.id, mermaidText(n.label))
			}
		}
		if namespace != "" {
			b.WriteString("  end\n")
		}
	}
	for _, c := range m.Connections {
		fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", ids[c.Source], mermaidText(edgeLabel(c)), ids[c.Destination])
	}
	_, err := io.WriteString(w, b.String())
	return err
}
