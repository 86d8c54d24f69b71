package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// GitHub writes reports as GitHub Actions workflow commands, which the runner turns into
// annotations on the files of a pull request: ::error for critical and high findings,
// ::warning for medium, ::notice for low, ::error for input errors, then the summary as
// plain text.
type GitHub struct{}

// Report writes r.
func (GitHub) Report(w io.Writer, r *harness.Report) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		msg := f.Message
		if f.Field != "" {
			msg += "\nfield: " + f.Field
		}
		writeCommand(bw, githubLevel(f.Severity), f.Source, f.Rule+" "+f.Title, msg)
	}
	for _, e := range r.Errors {
		var src *harness.Source
		if e.File != "" {
			src = &harness.Source{File: e.File, Document: e.Document, Line: e.Line}
		}
		writeCommand(bw, "error", src, "ringfence: input error", e.Message)
	}
	for _, warning := range r.Warnings {
		writeCommand(bw, "warning", nil, "ringfence", warning)
	}
	fmt.Fprintln(bw, summaryLine(r))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing workflow commands: %w", err)
	}
	return nil
}

// githubLevel is the annotation level of a severity.
func githubLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "low":
		return "notice"
	default:
		return "warning"
	}
}

func writeCommand(w io.Writer, level string, src *harness.Source, title, msg string) {
	var props []string
	if src != nil && src.File != "" {
		props = append(props, "file="+escapeProperty(src.File))
		if src.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", src.Line))
		}
	}
	props = append(props, "title="+escapeProperty(title))
	fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(msg))
}

// dataEscaper escapes a command's message as the Actions runner unescapes it.
var dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")

// propertyEscaper escapes a command's property values, where : and , are separators.
var propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// Rules refuses: workflow commands annotate findings, not rules.
func (GitHub) Rules(io.Writer, []catalog.Rule) error { return errReportsOnly("github") }
