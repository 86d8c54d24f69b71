package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/htmlreport"
)

func newReportCommand(stdin io.Reader) *cobra.Command {
	var (
		out, format, title string
		ef                 engineFlags
		rf                 renderFlags
	)
	cmd := &cobra.Command{
		Use:   "report [PATH...|-]",
		Short: "Write a review of the manifests as one self-contained HTML page (or its data as JSON)",
		Long: `Write the security review of Kubernetes manifests as one HTML file that needs no server
and fetches nothing when opened: a summary (objects, findings by severity and area, top
rules, exempted findings), the picture of who can reach whom (namespaces as groups,
workloads as nodes, allowed connections as edges, laid out by Graphviz; click an edge for
the policies that allow it on each side, a workload for its findings), the findings as a
sortable, filterable table with file, line, remediation and references, and each
workload's dangerous permissions with the bindings that grant them.

--output json writes the same data as JSON, for other tools to draw.

Exit codes: 0 the report was written, 2 usage error or input that could not be read
(reported after everything readable was reviewed).`,
		Example: `  ringfence report k8s/ -o review.html
  ringfence report k8s/ --output json -o review.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "html" && format != "json" {
				return fmt.Errorf("--output %q: want html or json", format)
			}
			ef.failOn = "none"
			opts, err := ef.options()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			if title == "" {
				title = strings.Join(args, " ")
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			e, err := harness.New(ctx, opts...)
			if err != nil {
				return err
			}
			in := harness.InputOf(read(ctx, args, stdin))
			rep, err := e.Evaluate(ctx, in.Objects())
			if err != nil {
				return err
			}
			rep.Errors = append(rep.Errors, in.Errors()...)
			d := htmlreport.Build(e, in.Objects(), rep)
			if out == "-" {
				err = writeReviewTo(ctx, cmd.OutOrStdout(), format, d, title)
			} else if err = writeReview(ctx, out, format, d, title); err == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d workloads, %d connections, %d findings\n", filepath.Clean(out), len(d.Workloads), len(d.Connections), len(d.Findings))
			}
			if err != nil {
				return err
			}
			for _, e := range d.Errors {
				fmt.Fprintln(cmd.ErrOrStderr(), e)
			}
			if len(d.Errors) > 0 {
				return exitCode(exitError)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "-", "file to write, - for standard output")
	f.StringVar(&format, "output", "html", "html, or json for the data")
	f.StringVar(&title, "title", "", "what the page says it reviews (default: the paths)")
	ef.register(f)
	_ = f.MarkHidden("fail-on")
	rf.register(f, true)
	return cmd
}

// writeReview writes the review to a file, as format (html or json; "" picks json for a
// name ending in .json, html otherwise).
func writeReview(ctx context.Context, file, format string, d *htmlreport.Data, title string) error {
	if format == "" {
		format = "html"
		if strings.HasSuffix(file, ".json") {
			format = "json"
		}
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("creating %s: %w", file, err)
	}
	err = writeReviewTo(ctx, f, format, d, title)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}

func writeReviewTo(ctx context.Context, w io.Writer, format string, d *htmlreport.Data, title string) error {
	if format == "json" {
		return htmlreport.WriteJSON(w, d)
	}
	return htmlreport.WriteHTML(ctx, w, d, title)
}
