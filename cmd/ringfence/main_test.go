package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// binary is the ringfence command built once for the package's tests: the CLI is tested
// as users run it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ringfence-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ringfence")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("building ringfence: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func ringfence(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return ringfenceIn(t, "", stdin, args...)
}

// ringfenceIn runs ringfence in dir ("" for the test's directory) with stdin.
func ringfenceIn(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running ringfence: %v", err)
	}
	return result{out.String(), errOut.String(), code}
}

const privilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: root
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: true}
`

const quietPod = `apiVersion: v1
kind: Pod
metadata:
  name: quiet
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx:1.27
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jsonReport mirrors the report format; decoding rejects unknown fields so the shape
// cannot drift unnoticed.
type jsonReport struct {
	Summary struct {
		Objects, Rules, Findings, Errors int
		Baselined                        int `json:"baselined"`
	} `json:"summary"`
	Baseline *struct {
		File     string `json:"file"`
		Accepted int    `json:"accepted"`
		Stale    []struct {
			Fingerprint string `json:"fingerprint"`
			Rule        string `json:"rule"`
			Object      struct {
				Group, Kind, Namespace, Name string
			} `json:"object"`
			Field   string `json:"field"`
			Message string `json:"message"`
			Count   int    `json:"count"`
		} `json:"stale"`
	} `json:"baseline"`
	Settings struct {
		HostNetwork string `json:"hostNetwork"`
	} `json:"settings"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
		Message  string `json:"message"`
		Object   struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Namespace  string `json:"namespace"`
			Name       string `json:"name"`
		} `json:"object"`
		Source struct {
			File     string `json:"file"`
			Document int    `json:"document"`
			Line     int    `json:"line"`
			Rendered *struct {
				By       string `json:"by"`
				From     string `json:"from"`
				Document int    `json:"document"`
				Line     int    `json:"line"`
			} `json:"rendered"`
		} `json:"source"`
		Field string `json:"field"`
	} `json:"findings"`
	Errors []struct {
		File     string `json:"file"`
		Document int    `json:"document"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func decodeReport(t *testing.T, s string) jsonReport {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var r jsonReport
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("report is not in the documented shape: %v\n%s", err, s)
	}
	return r
}

func TestExitCodes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.yaml":   privilegedPod,
		"quiet.yaml": quietPod,
		"broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: shop}\nspec:\n  containers:\n" +
			"    - {name: a, image: x, securityContext: {privileged: true}}\n---\nkind: [\n",
	})
	bad, quiet, broken := filepath.Join(dir, "bad.yaml"), filepath.Join(dir, "quiet.yaml"), filepath.Join(dir, "broken.yaml")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no findings", []string{"test", "--rule", "RF-POD-001", quiet}, 0},
		{"a finding at the default threshold", []string{"test", "--rule", "RF-POD-001", bad}, 1},
		{"a critical finding fails --fail-on high", []string{"test", "--rule", "RF-POD-001", "--fail-on", "high", bad}, 1},
		{"--fail-on none never fails on findings", []string{"test", "--rule", "RF-POD-001", "--fail-on", "none", bad}, 0},
		{"unreadable input wins over findings", []string{"test", "--rule", "RF-POD-001", broken}, 2},
		{"a missing path", []string{"test", filepath.Join(dir, "nope.yaml")}, 2},
		{"an unknown flag", []string{"test", "--frobnicate", quiet}, 2},
		{"an unknown severity", []string{"test", "--fail-on", "severe", quiet}, 2},
		{"an unknown rule", []string{"test", "--rule", "RF-NOPE-999", quiet}, 2},
		{"an unknown output format", []string{"test", "--output", "xml", quiet}, 2},
		{"a missing config file", []string{"test", "--config", filepath.Join(dir, "none.yaml"), quiet}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ringfence(t, "", tt.args...); got.code != tt.want {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", got.code, tt.want, got.stdout, got.stderr)
			}
		})
	}
}

func TestJSONReport(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"app.yaml": quietPod + "---\n" + privilegedPod + "---\napiVersion: v1\nkind: Pod\nmetadata: [\n",
	})
	file := filepath.Join(dir, "app.yaml")
	got := ringfence(t, "", "test", "--rule", "RF-POD-001", "--output", "json", file)
	if got.code != 2 {
		t.Fatalf("exit code = %d, want 2 (one document does not parse)\n%s", got.code, got.stderr)
	}
	r := decodeReport(t, got.stdout)
	if r.Summary.Objects != 2 || r.Summary.Rules != 1 || r.Summary.Findings != 1 || r.Summary.Errors != 1 {
		t.Errorf("summary = %+v, want 2 objects, 1 rule, 1 finding, 1 error", r.Summary)
	}
	if len(r.Findings) != 1 || len(r.Errors) != 1 {
		t.Fatalf("report = %+v", r)
	}
	f := r.Findings[0]
	if f.Rule != "RF-POD-001" || f.Severity != "critical" || f.Title == "" || f.Source.File != file ||
		f.Source.Document != 1 || f.Source.Line != 11 || f.Object.Name != "root" || f.Object.Namespace != "shop" ||
		f.Field != "spec.containers[0].securityContext.privileged" {
		t.Errorf("finding = %+v", f)
	}
	if e := r.Errors[0]; e.File != file || e.Document != 2 || e.Line < 22 || !strings.Contains(e.Message, "invalid YAML") {
		t.Errorf("error = %+v, want it located in document 2 of %s", e, file)
	}

	again := ringfence(t, "", "test", "--rule", "RF-POD-001", "--output", "json", file)
	if again.stdout != got.stdout {
		t.Error("two runs on the same input printed different reports")
	}
}

func TestStdin(t *testing.T) {
	got := ringfence(t, privilegedPod, "test", "--rule", "RF-POD-001", "-o", "json", "-")
	r := decodeReport(t, got.stdout)
	if got.code != 1 || len(r.Findings) != 1 || r.Findings[0].Source.File != "-" {
		t.Errorf("stdin: exit %d, report %+v", got.code, r)
	}
}

func TestExemptions(t *testing.T) {
	annotated := strings.Replace(privilegedPod, "  namespace: shop\n",
		"  namespace: shop\n  annotations:\n    ringfence.dev/exempt: \"RF-NET-001, RF-POD-001\"\n    ringfence.dev/exempt-reason: vendor appliance\n", 1)
	dir := writeFiles(t, map[string]string{
		"annotated.yaml": annotated,
		"plain.yaml":     privilegedPod,
		"exempt.yaml":    "exemptions:\n  - rule: RF-POD-001\n    namespace: sh*\n    name: root\n    reason: node agent\n",
		"expired.yaml":   "exemptions:\n  - rule: RF-POD-001\n    name: root\n    reason: node agent\n    expires: 2001-01-01\n",
		"typo.yaml":      "exemptions:\n  - rule: RF-POD-001\n    nmae: root\n    reason: typo\n",
		"noreason.yaml":  "exemptions:\n  - rule: RF-POD-001\n",
	})
	p := func(n string) string { return filepath.Join(dir, n) }
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"annotation", []string{"test", "--rule", "RF-POD-001", p("annotated.yaml")}, 0},
		{"config", []string{"test", "--rule", "RF-POD-001", "--config", p("exempt.yaml"), p("plain.yaml")}, 0},
		{"expired config exemption", []string{"test", "--rule", "RF-POD-001", "--config", p("expired.yaml"), p("plain.yaml")}, 1},
		{"unknown field in config", []string{"test", "--config", p("typo.yaml"), p("plain.yaml")}, 2},
		{"exemption without reason", []string{"test", "--config", p("noreason.yaml"), p("plain.yaml")}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ringfence(t, "", tt.args...); got.code != tt.want {
				t.Errorf("exit code = %d, want %d\n%s%s", got.code, tt.want, got.stdout, got.stderr)
			}
		})
	}
	got := ringfence(t, "", "test", "--rule", "RF-POD-001", p("annotated.yaml"))
	if !strings.Contains(got.stdout, "1 exempted") {
		t.Errorf("text report does not count the exempted finding:\n%s", got.stdout)
	}
}

func TestRulesJSON(t *testing.T) {
	got := ringfence(t, "", "rules", "--output", "json")
	if got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	var listing struct {
		Rules []map[string]any `json:"rules"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &listing); err != nil {
		t.Fatal(err)
	}
	if len(listing.Rules) == 0 {
		t.Fatal("no rules listed")
	}
	want := []string{"area", "description", "file", "id", "inventory", "kinds", "package", "parameters", "references", "remediation", "severity", "title"}
	for _, r := range listing.Rules {
		var keys []string
		for k := range r {
			// Optional keys: runtimes, model, sync for inventory rules, and podSecurity for
			// the Pod Security Standards rules.
			if k != "runtimes" && k != "model" && k != "sync" && k != "podSecurity" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if _, ok := r["sync"]; ok != (r["inventory"] == true) {
			t.Errorf("rule %v: sync listed %v, inventory %v", r["id"], ok, r["inventory"])
		}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("rule %v metadata keys (-want +got):\n%s", r["id"], diff)
		}
	}
}

// TestCorpus runs the CLI over real-world manifests from public projects (broken YAML,
// templates, CRDs, Lists): it must not crash, must print the documented report, and must
// exit as specified for what it found.
func TestCorpus(t *testing.T) {
	const corpus = "../../../shared/corpus"
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	got := ringfence(t, "", "test", "--output", "json", corpus)
	r := decodeReport(t, got.stdout)
	want := 0
	switch {
	case len(r.Errors) > 0:
		want = 2
	case len(r.Findings) > 0:
		want = 1
	}
	if got.code != want {
		t.Errorf("exit code %d, want %d for %d findings and %d errors\n%s", got.code, want, len(r.Findings), len(r.Errors), got.stderr)
	}
	if r.Summary.Findings != len(r.Findings) || r.Summary.Errors != len(r.Errors) || r.Summary.Objects == 0 {
		t.Errorf("summary %+v does not match the report", r.Summary)
	}
	for _, e := range r.Errors {
		if e.File == "" || e.Line < 1 || strings.HasPrefix(e.Message, "evaluating") {
			t.Errorf("error is not a located input error: %+v", e)
		}
	}
	if strings.Contains(got.stderr, "panic") {
		t.Errorf("stderr mentions a panic:\n%s", got.stderr)
	}
}

// TestExamples keeps the demo honest: the example shop reads cleanly and shows a finding
// from every practice.
func TestExamples(t *testing.T) {
	got := ringfence(t, "", "test", "--output", "json", "../../examples")
	r := decodeReport(t, got.stdout)
	if got.code != 1 || len(r.Errors) != 0 {
		t.Fatalf("exit %d with errors %+v, want 1 and none", got.code, r.Errors)
	}
	areas := map[string]bool{}
	for _, f := range r.Findings {
		areas[strings.Split(f.Rule, "-")[1]] = true
	}
	for _, area := range []string{"NET", "POD", "RBAC", "EXP", "SURF"} {
		if !areas[area] {
			t.Errorf("the examples show no RF-%s finding", area)
		}
	}
}

// TestPodSecurityFlag: --pod-security sets the level and version of the Pod Security
// Standards rules, over the config's podSecurity block; bad values are usage errors.
func TestPodSecurityFlag(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"pod.yaml":       "apiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: shop}\nspec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - {name: app, image: registry.example/app:1.0.0, securityContext: {capabilities: {drop: [ALL]}}}\n",
		"ringfence.yaml": "podSecurity: {level: baseline}\n",
	})
	pod := filepath.Join(dir, "pod.yaml")
	rules := func(args ...string) []string {
		t.Helper()
		got := ringfence(t, "", append([]string{"test", "-o", "json", "--rule", "RF-POD-004,RF-POD-019"}, args...)...)
		var ids []string
		for _, f := range decodeReport(t, got.stdout).Findings {
			ids = append(ids, f.Rule)
		}
		return ids
	}
	// Restricted latest: Windows pods are exempt from allowPrivilegeEscalation since 1.25.
	if got := rules(pod); len(got) != 0 {
		t.Errorf("restricted latest: findings %v, want none", got)
	}
	if got := rules(pod, "--pod-security", "restricted:v1.24"); !slices.Equal(got, []string{"RF-POD-004"}) {
		t.Errorf("restricted:v1.24: findings %v, want [RF-POD-004]", got)
	}
	if got := rules(pod, "--config", filepath.Join(dir, "ringfence.yaml"), "--pod-security", "restricted:v1.24"); !slices.Equal(got, []string{"RF-POD-004"}) {
		t.Errorf("the flag must win over the config: findings %v", got)
	}
	if got := rules(pod, "--config", filepath.Join(dir, "ringfence.yaml")); len(got) != 0 {
		t.Errorf("config baseline: findings %v, want none", got)
	}
	for _, bad := range []string{"Restricted", "restricted:1.30", "baseline:v1.05"} {
		if got := ringfence(t, "", "test", pod, "--pod-security", bad); got.code != 2 || !strings.Contains(got.stderr, "--pod-security") {
			t.Errorf("--pod-security %s: exit %d, stderr %q", bad, got.code, got.stderr)
		}
	}
}

// TestProfile checks --profile: the report on stdout is the same as without it, and
// stderr holds the phases and a line per rule, costliest first, with the objects each
// rule was dispatched to.
func TestProfile(t *testing.T) {
	input := privilegedPod + "---\n" + quietPod
	plain := ringfence(t, input, "test", "-", "-o", "json", "--rule", "RF-POD-001,RF-NET-003")
	profiled := ringfence(t, input, "test", "-", "-o", "json", "--rule", "RF-POD-001,RF-NET-003", "--profile")
	if plain.code != 1 || profiled.code != 1 {
		t.Fatalf("exit codes %d and %d, want 1 and 1; stderr: %s", plain.code, profiled.code, profiled.stderr)
	}
	if diff := cmp.Diff(plain.stdout, profiled.stdout); diff != "" {
		t.Errorf("--profile changed the report (-without +with):\n%s", diff)
	}
	if plain.stderr != "" {
		t.Errorf("without --profile, stderr is %q", plain.stderr)
	}
	var rows []string
	for _, line := range strings.Split(profiled.stderr, "\n") {
		if strings.HasPrefix(line, "RF-") {
			rows = append(rows, strings.Fields(line)[0]+" "+strings.Fields(line)[1])
		}
	}
	// RF-POD-001 runs on the two Pods; RF-NET-003 (Namespaces) on none.
	if diff := cmp.Diff([]string{"RF-POD-001 2", "RF-NET-003 0"}, rows); diff != "" {
		t.Errorf("rule rows (-want +got):\n%s\nstderr:\n%s", diff, profiled.stderr)
	}
	for _, phase := range []string{"read files", "inventory", "models", "rules", "total"} {
		if !strings.Contains(profiled.stderr, "\n"+phase+" ") {
			t.Errorf("no %q phase in the profile:\n%s", phase, profiled.stderr)
		}
	}
}
