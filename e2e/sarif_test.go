package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// runIn runs name with args in dir, with stdin, and returns its output and exit code.
func runIn(t *testing.T, dir, stdin, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 10 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// sarifValidation is what sarif-multitool validate found in one log, from its own SARIF
// output.
type sarifValidation struct {
	errors  []string
	summary string
}

// sarifValidatorConfig switches off the validator's one rule that goes on the network:
// SARIF2006 (UrisShouldBeReachable, level note) fetches every helpUri over HTTP, and
// tests talk only to loopback. Without a resolver it waits about 10 s a log for the
// lookups to fail.
const sarifValidatorConfig = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`

// validateSARIF runs Microsoft's validator with the SARIF and GitHub rules on a log.
func validateSARIF(t *testing.T, validator, log string) sarifValidation {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "validation.sarif")
	config := writeFile(t, dir, "validator.xml", []byte(sarifValidatorConfig))
	stdout, stderr, code := runIn(t, filepath.Dir(log), "", validator,
		"validate", "--rule-kind", "Sarif;Gh", "--config", config, "--log", "ForceOverwrite", "--output", out, log)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("sarif-multitool validate exited %d without a log: %v\n%s%s", code, err, stdout, stderr)
	}
	var res struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Arguments []string `json:"arguments"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("validator log: %v", err)
	}
	v := sarifValidation{summary: strings.TrimSpace(stdout)}
	for _, run := range res.Runs {
		for _, r := range run.Results {
			// SARIF's default level is warning.
			if r.Level == "error" {
				v.errors = append(v.errors, r.RuleID+": "+strings.Join(r.Message.Arguments, "; "))
			}
		}
	}
	if code != 0 && len(v.errors) == 0 {
		t.Fatalf("sarif-multitool validate exited %d with no error results:\n%s%s", code, stdout, stderr)
	}
	return v
}

// TestSarifValidates checks ringfence's SARIF logs with the SARIF Multitool's validator:
// the examples, input with an error and an exempted finding (through --sarif-root), and
// standard input.
func TestSarifValidates(t *testing.T) {
	validator := tool(t, "sarif-multitool")
	bin := ringfenceBinary(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const pod = `apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: ops
  annotations:
    ringfence.dev/exempt: RF-POD-001
    ringfence.dev/exempt-reason: node agent, reviewed
spec:
  containers:
    - name: agent
      image: registry.example.com/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true
`
	write("repo/k8s/agent.yaml", pod)
	write("repo/k8s/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n")
	cart, err := os.ReadFile(filepath.Join(root, "examples", "shop", "cart.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		check    func(t *testing.T, log map[string]any)
	}{
		{name: "examples", args: []string{"test", "examples/", "--output", "sarif"}, wantCode: 1,
			check: func(t *testing.T, log map[string]any) {
				if n := len(results(log)); n == 0 {
					t.Error("no results for the examples")
				}
			}},
		{name: "error and exemption", args: []string{"test", filepath.Join(dir, "repo", "k8s"), "--output", "sarif", "--sarif-root", filepath.Join(dir, "repo")}, wantCode: 2,
			check: func(t *testing.T, log map[string]any) {
				var suppressed int
				for _, r := range results(log) {
					if s, _ := r["suppressions"].([]any); len(s) == 1 {
						suppressed++
					}
				}
				notes := jsonPath(log, "runs", 0, "invocations", 0, "toolExecutionNotifications")
				if suppressed != 1 || notes == nil {
					t.Errorf("%d suppressed results, notifications %v", suppressed, notes)
				}
				if !strings.Contains(mustJSON(t, log), `"uri": "k8s/agent.yaml"`) {
					t.Error("no URI relative to --sarif-root")
				}
			}},
		{name: "stdin", args: []string{"test", "-", "--output", "sarif"}, stdin: string(cart), wantCode: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runIn(t, root, tt.stdin, bin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("ringfence %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.wantCode, stderr)
			}
			var log map[string]any
			if err := json.Unmarshal([]byte(stdout), &log); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if tt.check != nil {
				tt.check(t, log)
			}
			file := filepath.Join(t.TempDir(), "ringfence.sarif")
			if err := os.WriteFile(file, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			v := validateSARIF(t, validator, file)
			t.Logf("sarif-multitool validate:\n%s", v.summary)
			if len(v.errors) > 0 {
				t.Errorf("%d validation errors:\n%s", len(v.errors), strings.Join(v.errors, "\n"))
			}
		})
	}

	// The validator does find errors (and exits 0 all the same, hence reading its log): a
	// line 0, a Windows path for a URI, a rule index without rules.
	t.Run("validator finds errors", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.sarif")
		log := `{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "version": "1"}},
			"results": [{"ruleId": "R1", "ruleIndex": 5, "message": {"text": "m"},
				"locations": [{"physicalLocation": {"artifactLocation": {"uri": "C:\\bad path"}, "region": {"startLine": 0}}}]}]}]}`
		if err := os.WriteFile(bad, []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		v := validateSARIF(t, validator, bad)
		want := []string{"JSON1008", "GH1018", "SARIF1002", "SARIF1009"}
		for _, id := range want {
			if !slices.ContainsFunc(v.errors, func(e string) bool { return strings.HasPrefix(e, id+":") }) {
				t.Errorf("no %s error for an invalid log; errors:\n%s", id, strings.Join(v.errors, "\n"))
			}
		}
	})
}

func results(log map[string]any) []map[string]any {
	rs, _ := jsonPath(log, "runs", 0, "results").([]any)
	var out []map[string]any
	for _, r := range rs {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// jsonPath follows keys and indexes into decoded JSON, or returns nil.
func jsonPath(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
