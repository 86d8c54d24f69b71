package change

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/report"
)

// Format writes a change report in one output format.
type Format func(w io.Writer, r *Report) error

var formats = map[string]Format{
	"text":     Text,
	"json":     JSON,
	"markdown": Markdown,
}

// Formats lists the output formats, sorted.
func Formats() []string { return slices.Sorted(maps.Keys(formats)) }

// For returns the format called name.
func For(name string) (Format, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", name, strings.Join(Formats(), ", "))
	}
	return f, nil
}

// JSON writes r as indented JSON.
func JSON(w io.Writer, r *Report) error { return report.WriteJSON(w, r) }

// Text writes r for a terminal: the added findings, the opened connections, then what
// the change removes and closes, and a summary line.
func Text(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s -> %s\n", r.Base, r.Head)
	section := func(title string, n int) bool {
		fmt.Fprintf(bw, "\n%s (%d)", title, n)
		if n == 0 {
			fmt.Fprintln(bw, ": none")
			return false
		}
		fmt.Fprintln(bw, ":")
		return true
	}
	findings := func(fs []harness.Finding) {
		for _, f := range fs {
			fmt.Fprintf(bw, "  %-8s  %-11s  %s\n", strings.ToUpper(f.Severity), f.Rule, f.Message)
			if where := location(f); where != "" {
				fmt.Fprintf(bw, "  %-8s  %-11s  %s\n", "", "", where)
			}
		}
	}
	connections := func(cs []Connection) {
		for _, c := range cs {
			fmt.Fprintf(bw, "  %s -> %s  %s%s\n", c.Source, c.Destination, netmodel.FormatPorts(c.Ports), unchangedNote(c))
			fmt.Fprintf(bw, "      %s\n", allowedBy(c))
			for _, inv := range c.Invariants {
				fmt.Fprintf(bw, "      breaks segmentation invariant %q\n", inv)
			}
		}
	}
	if section("findings added", len(r.Findings.Added)) {
		findings(r.Findings.Added)
	}
	if section("connections opened", len(r.Connections.Opened)) {
		connections(r.Connections.Opened)
	}
	if section("findings removed", len(r.Findings.Removed)) {
		findings(r.Findings.Removed)
	}
	if section("connections closed", len(r.Connections.Closed)) {
		connections(r.Connections.Closed)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(bw, "\nerrors:")
		for _, e := range r.Errors {
			fmt.Fprintf(bw, "  %s\n", e.Error())
		}
	}
	fmt.Fprintf(bw, "\n%s\n", summaryLine(r))
	return bw.Flush()
}

func summaryLine(r *Report) string {
	s := r.Summary
	line := fmt.Sprintf("%s added, %d removed; %s opened, %d closed",
		plural(s.FindingsAdded, "finding"), s.FindingsRemoved, plural(s.ConnectionsOpened, "connection"), s.ConnectionsClosed)
	if s.Invariants > 0 {
		line += "; " + breaking(s.InvariantsBroken)
	}
	return line + "; " + plural(s.Errors, "error")
}

// location is where a finding is: file:line and the field.
func location(f harness.Finding) string {
	var parts []string
	if f.Source != nil && f.Source.File != "" {
		where := f.Source.File
		if f.Source.Line > 0 {
			where += fmt.Sprintf(":%d", f.Source.Line)
		}
		parts = append(parts, where)
	}
	if f.Field != "" {
		parts = append(parts, f.Field)
	}
	return strings.Join(parts, ", ")
}

func unchangedNote(c Connection) string {
	if len(c.Unchanged) == 0 {
		return ""
	}
	return " (still allowed: " + netmodel.FormatPorts(c.Unchanged) + ")"
}

// allowedBy says what lets the connection through on each side.
func allowedBy(c Connection) string {
	side := func(dir string, isolated bool, policies []string) string {
		if !isolated {
			return dir + " not isolated"
		}
		return dir + " allowed by " + strings.Join(policies, ", ")
	}
	return side("egress", c.EgressIsolated, c.EgressPolicies) + "; " + side("ingress", c.IngressIsolated, c.IngressPolicies)
}

// breaking says how many opened connections break segmentation invariants.
func breaking(n int) string {
	switch n {
	case 0:
		return "no opened connection breaks a segmentation invariant"
	case 1:
		return "1 opened connection breaks a segmentation invariant"
	}
	return fmt.Sprintf("%d opened connections break segmentation invariants", n)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// MarkdownMarker is the first line of every Markdown report, an HTML comment that a CI
// job can look for to update its earlier pull-request comment instead of adding one.
const MarkdownMarker = "<!-- ringfence-diff -->"

// MaxMarkdownRows is the most rows a table of the Markdown report lists; the rest are
// counted, so that a large change still fits a pull-request comment.
const MaxMarkdownRows = 50

// Markdown writes r as a pull-request comment: a summary line, tables of the added
// findings and the opened connections, and the removed findings and closed connections
// folded away.
func Markdown(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, MarkdownMarker)
	fmt.Fprintln(bw, "### ringfence: what this change does")
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "Comparing `%s` with `%s`.\n\n", code(r.Base), code(r.Head))
	s := r.Summary
	bold := func(n int, text string) string {
		if n > 0 {
			return "**" + text + "**"
		}
		return text
	}
	fmt.Fprintf(bw, "%s · %s · %s · %s\n",
		bold(s.FindingsAdded, plural(s.FindingsAdded, "finding")+" added"), fmt.Sprintf("%d removed", s.FindingsRemoved),
		bold(s.ConnectionsOpened, plural(s.ConnectionsOpened, "connection")+" opened"), fmt.Sprintf("%d closed", s.ConnectionsClosed))
	switch {
	case s.InvariantsBroken > 0:
		fmt.Fprintf(bw, "\n:no_entry: **%s.**\n", breaking(s.InvariantsBroken))
	case s.Invariants > 0:
		fmt.Fprintf(bw, "\nNo opened connection breaks the %s checked.\n", plural(s.Invariants, "segmentation invariant"))
	}
	if len(r.Findings.Added) > 0 {
		fmt.Fprintf(bw, "\n#### Findings added\n\n")
		findingTable(bw, r.Findings.Added)
	}
	if len(r.Connections.Opened) > 0 {
		fmt.Fprintf(bw, "\n#### Connections opened\n\n")
		connectionTable(bw, r.Connections.Opened, true)
	}
	if len(r.Findings.Removed) > 0 {
		fmt.Fprintf(bw, "\n<details><summary>Findings removed (%d)</summary>\n\n", len(r.Findings.Removed))
		findingTable(bw, r.Findings.Removed)
		fmt.Fprintf(bw, "\n</details>\n")
	}
	if len(r.Connections.Closed) > 0 {
		fmt.Fprintf(bw, "\n<details><summary>Connections closed (%d)</summary>\n\n", len(r.Connections.Closed))
		connectionTable(bw, r.Connections.Closed, false)
		fmt.Fprintf(bw, "\n</details>\n")
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(bw, "\n#### Input that could not be read (%d)\n\n", len(r.Errors))
		for i, e := range r.Errors {
			if i == MaxMarkdownRows {
				fmt.Fprintf(bw, "- … and %d more\n", len(r.Errors)-i)
				break
			}
			fmt.Fprintf(bw, "- %s: `%s`\n", e.Side, code(e.InputError.Error()))
		}
	}
	return bw.Flush()
}

func findingTable(w io.Writer, fs []harness.Finding) {
	fmt.Fprintln(w, "| Severity | Rule | Object | Where | Message |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for i, f := range fs {
		if i == MaxMarkdownRows {
			fmt.Fprintf(w, "\n… and %d more; the JSON report (`--output json`) lists them all.\n", len(fs)-i)
			return
		}
		obj := f.Object.Kind + " "
		if f.Object.Namespace != "" {
			obj += f.Object.Namespace + "/"
		}
		obj += f.Object.Name
		where := ""
		if l := location(f); l != "" {
			where = "`" + code(l) + "`"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", severityCell(f.Severity), f.Rule, cell(obj), where, cell(f.Message))
	}
}

func severityCell(s string) string {
	switch catalog.Rank(s) {
	case 0:
		return ":red_circle: " + s
	case 1:
		return ":orange_circle: " + s
	case 2:
		return ":yellow_circle: " + s
	}
	return ":white_circle: " + s
}

func connectionTable(w io.Writer, cs []Connection, opened bool) {
	if opened {
		fmt.Fprintln(w, "| From | To | Newly allowed | Allowed by | Segmentation |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	} else {
		fmt.Fprintln(w, "| From | To | No longer allowed | Allowed before by |")
		fmt.Fprintln(w, "| --- | --- | --- | --- |")
	}
	for i, c := range cs {
		if i == MaxMarkdownRows {
			fmt.Fprintf(w, "\n… and %d more; the JSON report (`--output json`) lists them all.\n", len(cs)-i)
			return
		}
		ports := netmodel.FormatPorts(c.Ports) + unchangedNote(c)
		row := fmt.Sprintf("| `%s` | `%s` | %s | %s |", code(c.Source), code(c.Destination), cell(ports), cell(allowedBy(c)))
		if opened {
			seg := ""
			if len(c.Invariants) > 0 {
				names := make([]string, len(c.Invariants))
				for i, n := range c.Invariants {
					names[i] = "`" + code(n) + "`"
				}
				seg = ":no_entry: breaks " + strings.Join(names, ", ")
			}
			row += " " + seg + " |"
		}
		fmt.Fprintln(w, row)
	}
}

// cell makes text safe in a Markdown table cell: no line breaks, pipes escaped, and
// the characters that would start HTML or emphasis escaped.
func cell(s string) string {
	return cellEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

var cellEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`)

// code makes text safe inside a Markdown code span of a table cell: one line, pipes
// escaped, no backticks.
func code(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'").Replace(strings.Join(strings.Fields(s), " "))
}
