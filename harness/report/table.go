package report

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// Table writes reports for people as a compact table: one row per rule with findings,
// most severe first and then most frequent, a total, the input errors and the summary.
type Table struct{}

// Report writes r.
func (Table) Report(w io.Writer, r *harness.Report) error {
	type row struct {
		rule, severity, title string
		count                 int
	}
	rows := map[string]*row{}
	for _, f := range r.Findings {
		if rows[f.Rule] == nil {
			rows[f.Rule] = &row{rule: f.Rule, severity: f.Severity, title: f.Title}
		}
		rows[f.Rule].count++
	}
	sorted := slices.SortedFunc(maps.Values(rows), func(a, b *row) int {
		return cmp.Or(cmp.Compare(catalog.Rank(a.severity), catalog.Rank(b.severity)),
			cmp.Compare(b.count, a.count), cmp.Compare(a.rule, b.rule))
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(sorted) > 0 {
		fmt.Fprintln(tw, "RULE\tSEVERITY\tTITLE\tFINDINGS")
		for _, x := range sorted {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", x.rule, x.severity, x.title, x.count)
		}
		fmt.Fprintf(tw, "total\t\t\t%d\n", len(r.Findings))
		fmt.Fprintln(tw)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(tw, "errors:")
		for _, e := range r.Errors {
			fmt.Fprintf(tw, "  %s\n", strings.ReplaceAll(e.Error(), "\t", " "))
		}
		fmt.Fprintln(tw)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(tw, "warnings:")
		for _, warning := range r.Warnings {
			fmt.Fprintf(tw, "  %s\n", strings.ReplaceAll(warning, "\t", " "))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw, summaryLine(r))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	return nil
}

// Rules writes the rule listing, which is a table already.
func (Table) Rules(w io.Writer, rules []catalog.Rule) error { return Text{}.Rules(w, rules) }
