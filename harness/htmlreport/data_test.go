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
	rep := evaluate(t, "../../examples")
	d := review(t, "../../examples")
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
	inNamespace := map[int]string{}
	for _, ns := range d.Namespaces {
		for _, i := range ns.Workloads {
			inNamespace[i] = ns.Name
		}
	}
	withFindings, withPermissions := 0, 0
	for i, w := range d.Workloads {
		if inNamespace[i] != w.Namespace {
			t.Errorf("workload %s is in namespace %q of the picture", w.ID, inNamespace[i])
		}
		if w.Source == "" {
			t.Errorf("workload %s has no file", w.ID)
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
	if len(inNamespace) != len(d.Workloads) || withFindings == 0 {
		t.Errorf("%d workloads in namespaces, %d workloads, %d with findings", len(inNamespace), len(d.Workloads), withFindings)
	}
	for _, c := range d.Connections {
		for _, end := range []struct {
			index int
			name  string
		}{{c.From, c.Source}, {c.To, c.Destination}} {
			switch {
			case end.index >= 0 && d.Workloads[end.index].ID != end.name:
				t.Errorf("connection %s -> %s: end %d is %s", c.Source, c.Destination, end.index, d.Workloads[end.index].ID)
			case end.index < 0 && !strings.ContainsAny(end.name[:1], "0123456789:"):
				t.Errorf("connection %s -> %s: %s is neither a workload nor an address", c.Source, c.Destination, end.name)
			}
		}
	}
	checkViews(t, d)
	t.Logf("example shop: %d namespaces, %d workloads (%d with findings, %d with dangerous permissions), %d connections, %d findings",
		len(d.Namespaces), len(d.Workloads), withFindings, withPermissions, len(d.Connections), len(d.Findings))
}

// evaluate is the engine's report on the manifests at paths.
func evaluate(t *testing.T, paths ...string) *harness.Report {
	t.Helper()
	ctx := context.Background()
	e, err := harness.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Evaluate(ctx, harness.Read(ctx, paths, nil).Objects())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestWriteHTMLExampleShop writes the example shop's page and checks that it is whole:
// every workload and connection drawn, with the ids the script reads.
func TestWriteHTMLExampleShop(t *testing.T) {
	ctx := context.Background()
	d := review(t, "../../examples")
	var b strings.Builder
	if err := htmlreport.WriteHTML(ctx, &b, d, "examples"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// The first view draws every workload and connection of the shop.
	if d.Views[0].Name != "workloads" {
		t.Fatalf("the first view is %q", d.Views[0].Name)
	}
	for i := range d.Workloads {
		if !strings.Contains(page, fmt.Sprintf(`id="v0_w%d"`, i)) {
			t.Errorf("workload %d (%s) is not drawn", i, d.Workloads[i].ID)
		}
	}
	for k := range d.Views[0].Edges {
		if !strings.Contains(page, fmt.Sprintf(`id="v0_e%d"`, k)) {
			t.Errorf("edge %d is not drawn", k)
		}
	}
	for v := range d.Views {
		if n := strings.Count(page, fmt.Sprintf(`id="view-%d"`, v)); n != 1 {
			t.Errorf("view %d (%s) is on the page %d times", v, d.Views[v].Name, n)
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
