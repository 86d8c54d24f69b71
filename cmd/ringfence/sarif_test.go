package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sarifResults decodes the results of a SARIF log: rule, suppression justification (or
// "-" when not suppressed) and artifact URI.
func sarifResults(t *testing.T, out string) [][3]string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got [][3]string
	for _, r := range log.Runs[0].Results {
		just := "-"
		if len(r.Suppressions) == 1 && r.Suppressions[0].Kind == "external" {
			just = r.Suppressions[0].Justification
		}
		uri := ""
		if p := r.Locations[0].PhysicalLocation; p != nil {
			uri = p.ArtifactLocation.URI
		}
		got = append(got, [3]string{r.RuleID, just, uri})
	}
	return got
}

// Exempted findings are suppressed results that carry the exemption's reason, from the
// annotation or from the configuration.
func TestSARIFExempted(t *testing.T) {
	annotated := strings.Replace(privilegedPod, "  namespace: shop\n",
		"  namespace: shop\n  annotations:\n    ringfence.dev/exempt: \"RF-NET-001, RF-POD-001\"\n    ringfence.dev/exempt-reason: vendor appliance\n", 1)
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	for name, data := range map[string]string{
		"k8s/annotated.yaml": annotated,
		"k8s/plain.yaml":     privilegedPod,
		"exempt.yaml":        "exemptions:\n  - rule: RF-POD-001\n    namespace: sh*\n    name: root\n    reason: node agent\n",
	} {
		if err := os.MkdirAll(filepath.Dir(p(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	got := ringfence(t, "", "test", "--rule", "RF-POD-001", "-o", "sarif", "--sarif-root", dir, p("k8s/annotated.yaml"))
	want := [][3]string{{"RF-POD-001", "vendor appliance", "k8s/annotated.yaml"}}
	if diff := cmp.Diff(want, sarifResults(t, got.stdout)); diff != "" || got.code != 0 {
		t.Errorf("annotation: exit %d (-want +got):\n%s", got.code, diff)
	}

	got = ringfence(t, "", "test", "--rule", "RF-POD-001", "-o", "sarif", "--sarif-root", p("k8s"), "--config", p("exempt.yaml"), p("k8s"))
	// Both exemptions cover the annotated pod: their reasons are joined.
	want = [][3]string{
		{"RF-POD-001", "node agent; vendor appliance", "annotated.yaml"},
		{"RF-POD-001", "node agent", "plain.yaml"},
	}
	if diff := cmp.Diff(want, sarifResults(t, got.stdout)); diff != "" || got.code != 0 {
		t.Errorf("config: exit %d (-want +got):\n%s", got.code, diff)
	}

	got = ringfence(t, privilegedPod, "test", "--rule", "RF-POD-001", "-o", "sarif", "-")
	want = [][3]string{{"RF-POD-001", "-", ""}}
	if diff := cmp.Diff(want, sarifResults(t, got.stdout)); diff != "" || got.code != 1 {
		t.Errorf("stdin: exit %d (-want +got):\n%s", got.code, diff)
	}
}
