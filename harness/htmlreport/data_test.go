package htmlreport_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/htmlreport"
	"github.com/ringfence/ringfence/harness/netmap"
)

// TestBuildExampleShop builds the review of the example shop and checks it against the
// engine's report and netmap's map of the same input.
func TestBuildExampleShop(t *testing.T) {
	ctx := context.Background()
	e, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := harness.Read(ctx, []string{"../../examples"}, nil)
	rep, err := e.Evaluate(ctx, in.Objects())
	if err != nil {
		t.Fatal(err)
	}
	d := htmlreport.Build(e, in.Objects(), rep)
	m, err := netmap.FromFiles(ctx, []string{"../../examples"}, nil, netmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Connections) != len(m.Connections) || d.Summary.Connections != m.Summary.Connections {
		t.Errorf("%d connections, netmap has %d", len(d.Connections), len(m.Connections))
	}
	if d.Summary.Findings != len(rep.Findings) || len(d.Findings) != len(rep.Findings) {
		t.Errorf("%d findings, the report has %d", d.Summary.Findings, len(rep.Findings))
	}
	total := 0
	for _, n := range d.Summary.BySeverity {
		total += n
	}
	if total != len(rep.Findings) {
		t.Errorf("findings by severity add up to %d, want %d", total, len(rep.Findings))
	}
	ids := map[string]bool{}
	for _, ns := range d.Namespaces {
		for _, w := range ns.Workloads {
			ids[w] = true
		}
	}
	withFindings, withPermissions := 0, 0
	for _, w := range d.Workloads {
		if !ids[w.ID] {
			t.Errorf("workload %s is in no namespace", w.ID)
		}
		for _, i := range w.Findings {
			if f := d.Findings[i]; f.Object.Name != w.Name || f.Object.Kind != w.Kind {
				t.Errorf("workload %s lists finding %d of %s %s", w.ID, i, f.Object.Kind, f.Object.Name)
			}
		}
		if len(w.Findings) > 0 {
			withFindings++
		}
		if len(w.Permissions) > 0 {
			withPermissions++
		}
	}
	if len(ids) != len(d.Workloads) || withFindings == 0 {
		t.Errorf("%d workloads in namespaces, %d workloads, %d with findings", len(ids), len(d.Workloads), withFindings)
	}
	for _, c := range d.Connections {
		for _, end := range []string{c.Source, c.Destination} {
			// A workload of the picture, or addresses outside the cluster.
			if !ids[end] && !strings.ContainsAny(end[:1], "0123456789:") {
				t.Errorf("connection %s -> %s: %s is neither a workload nor an address", c.Source, c.Destination, end)
			}
		}
	}
	t.Logf("example shop: %d namespaces, %d workloads (%d with findings, %d with dangerous permissions), %d connections, %d findings",
		len(d.Namespaces), len(d.Workloads), withFindings, withPermissions, len(d.Connections), len(d.Findings))
}

// TestWriteHTMLExampleShop writes the example shop's page and checks that it is whole:
// every workload and connection drawn, with the ids the script reads.
func TestWriteHTMLExampleShop(t *testing.T) {
	ctx := context.Background()
	e, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := harness.Read(ctx, []string{"../../examples"}, nil)
	rep, err := e.Evaluate(ctx, in.Objects())
	if err != nil {
		t.Fatal(err)
	}
	d := htmlreport.Build(e, in.Objects(), rep)
	var b strings.Builder
	if err := htmlreport.WriteHTML(ctx, &b, d, "examples"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for i := range d.Workloads {
		if !strings.Contains(page, fmt.Sprintf(`id="w%d"`, i)) {
			t.Errorf("workload %d (%s) is not drawn", i, d.Workloads[i].ID)
		}
	}
	for i := range d.Connections {
		if !strings.Contains(page, fmt.Sprintf(`id="e%d"`, i)) {
			t.Errorf("connection %d is not drawn", i)
		}
	}
	for _, banned := range []string{"http://", "https://", "src=\"", "@import", "url("} {
		if n := strings.Count(page, banned); banned != "http://" && banned != "https://" && n > 0 {
			t.Errorf("the page would fetch something: %q appears %d times", banned, n)
		}
	}
	if os.Getenv("REPORT_OUT") != "" {
		os.WriteFile(os.Getenv("REPORT_OUT"), []byte(page), 0o644)
	}
	t.Logf("example shop page: %d bytes", len(page))
}
