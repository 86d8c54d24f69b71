package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// Text writes reports for people: findings grouped by file, severity first, and a
// one-line summary.
type Text struct{}

// Report writes r.
func (Text) Report(w io.Writer, r *harness.Report) error {
	bw := bufio.NewWriter(w)
	group := "\x00"
	for _, f := range r.Findings {
		if g := fileOf(f); g != group {
			if group != "\x00" {
				fmt.Fprintln(bw)
			}
			group = g
			fmt.Fprintln(bw, g)
		}
		fmt.Fprintf(bw, "  %-8s  %-11s  %s\n", strings.ToUpper(f.Severity), f.Rule, f.Message)
		var where []string
		if f.Source != nil && f.Source.Line > 0 {
			where = append(where, fmt.Sprintf("line %d", f.Source.Line))
		}
		if f.Field != "" {
			where = append(where, f.Field)
		}
		if f.Source != nil && f.Source.Rendered != nil {
			r := f.Source.Rendered
			where = append(where, fmt.Sprintf("rendered by %s from %s (line %d of its output)", r.By, r.From, r.Line))
		}
		if len(where) > 0 {
			fmt.Fprintf(bw, "  %-8s  %-11s  %s\n", "", "", strings.Join(where, ", "))
		}
	}
	if len(r.Errors) > 0 {
		if len(r.Findings) > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw, "errors:")
		for _, e := range r.Errors {
			fmt.Fprintf(bw, "  %s\n", e.Error())
		}
	}
	if len(r.Warnings) > 0 {
		if len(r.Findings) > 0 || len(r.Errors) > 0 {
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw, "warnings:")
		for _, w := range r.Warnings {
			fmt.Fprintf(bw, "  %s\n", w)
		}
	}
	stale := r.Baseline != nil && len(r.Baseline.Stale) > 0
	if stale {
		if len(r.Findings) > 0 || len(r.Errors) > 0 || len(r.Warnings) > 0 {
			fmt.Fprintln(bw)
		}
		writeStale(bw, r.Baseline)
	}
	if len(r.Findings) > 0 || len(r.Errors) > 0 || len(r.Warnings) > 0 || stale {
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw, summaryLine(r))
	return bw.Flush()
}

// writeStale lists the baseline entries that no longer occur (messages name the object).
func writeStale(w io.Writer, b *harness.BaselineResult) {
	fmt.Fprintf(w, "stale baseline entries in %s (no longer found; rewrite it with --write-baseline to prune them):\n", b.File)
	for _, e := range b.Stale {
		times := ""
		if e.Count > 1 {
			times = fmt.Sprintf(" (%d times)", e.Count)
		}
		fmt.Fprintf(w, "  %-11s  %s  %s%s\n", e.Rule, e.Fingerprint, e.Message, times)
	}
}

func fileOf(f harness.Finding) string {
	if f.Source != nil && f.Source.File != "" {
		return f.Source.File
	}
	return "(objects)"
}

func summaryLine(r *harness.Report) string {
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range catalog.Severities {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	line := fmt.Sprintf("%s, %s: %s", plural(r.Summary.Objects, "object"), plural(r.Summary.Rules, "rule"), plural(r.Summary.Findings, "finding"))
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if r.Exempted > 0 {
		line += fmt.Sprintf(", %d exempted", r.Exempted)
	}
	if r.Baseline != nil {
		line += fmt.Sprintf(", %d baselined", r.Summary.Baselined)
		switch n := len(r.Baseline.Stale); n {
		case 0:
		case 1:
			line += " (1 stale entry)"
		default:
			line += fmt.Sprintf(" (%d stale entries)", n)
		}
	}
	line += ", " + plural(r.Summary.Errors, "error")
	if len(r.Warnings) > 0 {
		line += ", " + plural(len(r.Warnings), "warning")
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Rules writes one line per rule: id, severity, title, and the kinds it reads.
func (Text) Rules(w io.Writer, rules []catalog.Rule) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-11s  %-8s  %-9s  %s\n", "ID", "SEVERITY", "INVENTORY", "TITLE")
	for _, r := range rules {
		inv := "no"
		if r.Inventory {
			inv = "yes"
		}
		fmt.Fprintf(bw, "%-11s  %-8s  %-9s  %s\n", r.ID, r.Severity, inv, r.Title)
	}
	return bw.Flush()
}
