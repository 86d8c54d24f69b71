package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGatekeeperExport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gatekeeper")
	got := ringfence(t, "", "gatekeeper", "export", "-o", out, "--fixtures", "../../fixtures")
	if got.code != 0 {
		t.Fatalf("exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	for _, want := range []string{"Exported ", "cases from", "kubectl apply -k " + out, "gator verify " + filepath.Join(out, "tests") + "/..."} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, got.stdout)
		}
	}
	for _, f := range []string{"kustomization.yaml", "sync/config.yaml", "templates/rf-pod-001-privileged.yaml",
		"constraints/rf-net-003-namespace-default-deny.yaml", "tests/rf-net-003/suite.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the export has no %s: %v", f, err)
		}
	}
	tmpl, err := os.ReadFile(filepath.Join(out, "templates/rf-pod-001-privileged.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: ConstraintTemplate", "kind: RingfencePodPrivileged", "version: v1", "package lib.ringfence.core"} {
		if !strings.Contains(string(tmpl), want) {
			t.Errorf("template lacks %q", want)
		}
	}

	// Exporting again replaces the previous export; --no-tests leaves the suites out.
	again := ringfence(t, "", "gatekeeper", "export", "-o", out, "--no-tests", "--policies", "../../policies")
	if again.code != 0 {
		t.Fatalf("re-export: exit %d\n%s", again.code, again.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "tests")); !os.IsNotExist(err) {
		t.Errorf("tests/ is still there after an export with --no-tests: %v", err)
	}
	if strings.Contains(again.stdout, "gator verify") {
		t.Errorf("without suites the output should not suggest gator verify:\n%s", again.stdout)
	}
}

func TestGatekeeperUsage(t *testing.T) {
	foreign := writeFiles(t, map[string]string{"notes.txt": "mine"})
	tmp := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no output directory", []string{"gatekeeper", "export", "--no-tests"}, "-o/--output DIR is required"},
		{"an argument", []string{"gatekeeper", "export", "-o", tmp, "extra"}, `unknown command "extra"`},
		{"an unknown subcommand", []string{"gatekeeper", "import"}, `unknown command "import"`},
		{"an unknown flag", []string{"gatekeeper", "export", "-o", tmp, "--frobnicate"}, "unknown flag"},
		{"fixtures and no tests", []string{"gatekeeper", "export", "-o", tmp, "--no-tests", "--fixtures", "../../fixtures"}, "exclude each other"},
		// The tests run in cmd/ringfence, which has no fixtures directory.
		{"no fixtures found", []string{"gatekeeper", "export", "-o", tmp}, "pass --fixtures DIR, or --no-tests"},
		{"missing fixtures", []string{"gatekeeper", "export", "-o", tmp, "--fixtures", filepath.Join(tmp, "nope")}, "--fixtures: stat"},
		{"missing policies", []string{"gatekeeper", "export", "-o", tmp, "--no-tests", "--policies", filepath.Join(tmp, "nope")}, "--policies: stat"},
		{"a directory that is not an export", []string{"gatekeeper", "export", "-o", foreign, "--no-tests"}, "holds no previous export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ringfence(t, "", tt.args...)
			if got.code != 2 || !strings.Contains(got.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", got.code, got.stderr, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(foreign, "notes.txt")); err != nil {
		t.Errorf("a refused export touched the directory: %v", err)
	}
}
