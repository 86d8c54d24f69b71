package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	renderData = "../../harness/render/testdata"
	chartsDir  = "../../../shared/charts"
)

// TestChartFindings checks a public chart ringfence did not write, with the values
// file its project ships: every finding names the chart's template it came from, in
// the JSON and the SARIF report.
func TestChartFindings(t *testing.T) {
	chart := filepath.Join(chartsDir, "podinfo")
	if _, err := os.Stat(chart); err != nil {
		t.Skipf("%s: %v", chart, err)
	}
	sarif := filepath.Join(t.TempDir(), "report.sarif")
	r := ringfence(t, "", "test", chart, "--values", filepath.Join(chart, "values-prod.yaml"), "--release-name", "podinfo",
		"--output", "json", "--output", "sarif="+sarif)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings): %s", r.code, r.stderr)
	}
	rep := decodeReport(t, r.stdout)
	if rep.Summary.Findings == 0 || rep.Summary.Errors != 0 {
		t.Fatalf("summary %+v: want findings and no errors", rep.Summary)
	}
	templates := filepath.Join(chart, "templates") + string(filepath.Separator)
	for _, f := range rep.Findings {
		s := f.Source
		if !strings.HasPrefix(s.File, templates) || s.Line < 1 || s.Rendered == nil || s.Rendered.By != "helm" || s.Rendered.From != chart {
			t.Errorf("%s located at %+v: want a template of %s, rendered by helm from it", f.Rule, s, chart)
			continue
		}
		if _, err := os.Stat(s.File); err != nil {
			t.Errorf("%s: %v", f.Rule, err)
		}
	}
	data, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
					}
				}
				Properties struct {
					Rendered *struct{ By, From string }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) != rep.Summary.Findings {
		t.Fatalf("SARIF: %v, %d runs", err, len(log.Runs))
	}
	for _, res := range log.Runs[0].Results {
		uri := res.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if !strings.Contains(uri, "charts/podinfo/templates/") || res.Properties.Rendered == nil || res.Properties.Rendered.By != "helm" {
			t.Errorf("SARIF result at %s, rendered %+v: want the template and the chart", uri, res.Properties.Rendered)
		}
	}
}

// TestOverlayFinding: an overlay's patch makes a base container privileged; the
// finding is on the base's resource file, at the object's line, naming the overlay.
func TestOverlayFinding(t *testing.T) {
	overlay := filepath.Join(renderData, "kustomize", "overlays", "prod")
	base := filepath.Join(renderData, "kustomize", "base", "web.yaml")
	r := ringfence(t, "", "test", overlay, "--rule", "RF-POD-001")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{base + "\n", "Deployment shop-prod/prod-web", "line 9, spec.template.spec.containers[0].securityContext.privileged, rendered by kustomize from " + overlay} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := decodeReport(t, ringfence(t, "", "test", overlay, "--rule", "RF-POD-001", "-o", "json").stdout)
	if len(rep.Findings) != 1 {
		t.Fatalf("findings: %+v", rep.Findings)
	}
	s := rep.Findings[0].Source
	if s.File != base || s.Document != 1 || s.Line != 9 || s.Rendered == nil || s.Rendered.From != overlay || s.Rendered.By != "kustomize" {
		t.Errorf("source %+v (rendered %+v), want %s document 1 line 9 rendered by kustomize from %s", s, s.Rendered, base, overlay)
	}
}

// TestRenderErrors: a chart that fails to render is a located error naming the chart
// and the template; the rest of the input is still evaluated, and the exit code is 2.
func TestRenderErrors(t *testing.T) {
	overlay := filepath.Join(renderData, "kustomize", "overlays", "prod")
	r := ringfence(t, "", "test", filepath.Join(renderData, "broken-chart"), overlay, "-o", "json", "--rule", "RF-POD-001")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	rep := decodeReport(t, r.stdout)
	if len(rep.Findings) != 1 || len(rep.Errors) != 1 {
		t.Fatalf("findings %+v, errors %+v: want the overlay's finding and the chart's error", rep.Findings, rep.Errors)
	}
	e := rep.Errors[0]
	if e.File != filepath.Join(renderData, "broken-chart", "templates", "pod.yaml") || e.Line != 8 ||
		!strings.Contains(e.Message, "chart "+filepath.Join(renderData, "broken-chart")) || !strings.Contains(e.Message, "a value for image is required") {
		t.Errorf("error %+v: want the template, its line, the chart and Helm's message", e)
	}
	// Flags that cannot work are usage errors, before anything is read.
	for _, args := range [][]string{
		{"test", overlay, "--values", "no-such-values.yaml"},
		{"netmap", overlay, "--kube-version", "one"},
		{"who-can", "get", "secrets", overlay, "--set", "a"},
	} {
		if r := ringfence(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("ringfence %s: exit %d, stderr %q; want 2 with a message", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// TestRenderCommands: the other commands that read manifests render too.
func TestRenderCommands(t *testing.T) {
	chart := filepath.Join(renderData, "shop-chart")
	base := filepath.Join(renderData, "kustomize", "base")
	overlay := filepath.Join(renderData, "kustomize", "overlays", "prod")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"netmap", chart, "--release-name", "shop", "-o", "json"}, 0, `"default/shop-web[Deployment]"`},
		{[]string{"who-can", "get", "configmaps", chart, "-n", "default"}, 0, "system:"},
		{[]string{"permissions", "serviceaccount/shop-web", chart, "--release-name", "shop"}, 0, "ServiceAccount default/shop-web"},
		{[]string{"inventory", overlay}, 0, `"prod-web"`},
		// The overlay makes the base's container privileged: the change adds RF-POD-001.
		{[]string{"diff", base, overlay, "--rule", "RF-POD-001"}, 1, "RF-POD-001"},
	}
	for _, tt := range tests {
		r := ringfence(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.want) {
			t.Errorf("ringfence %s: exit %d, want %d and %q in:\n%s%s", strings.Join(tt.args, " "), r.code, tt.code, tt.want, r.stdout, r.stderr)
		}
	}
}
