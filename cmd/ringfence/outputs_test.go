package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSeveralOutputs: one run writes every report asked for, each as the format alone
// would write it, and standard output carries only the one without a file.
func TestSeveralOutputs(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": privilegedPod, "quiet.yaml": quietPod})
	out := t.TempDir()
	jsonFile, junitFile, githubFile := filepath.Join(out, "r.json"), filepath.Join(out, "r.xml"), filepath.Join(out, "gh.txt")
	if err := os.WriteFile(jsonFile, []byte(strings.Repeat("stale ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	got := ringfence(t, "", "test", "--rule", "RF-POD-001", "--output", "table", "--output", "json="+jsonFile,
		"-o", "junit="+junitFile, "--output", "github="+githubFile, dir)
	if got.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", got.code, got.stderr)
	}
	for format, file := range map[string]string{"table": "", "json": jsonFile, "github": githubFile} {
		alone := ringfence(t, "", "test", "--rule", "RF-POD-001", "--output", format, dir)
		written := got.stdout
		if file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			written = string(data)
		}
		if diff := cmp.Diff(alone.stdout, written); diff != "" {
			t.Errorf("%s differs from --output %s alone (-alone +written):\n%s", format, format, diff)
		}
	}
	data, err := os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `<testsuite name="RF-POD-001" tests="2" failures="1" errors="0">`) {
		t.Errorf("JUnit report:\n%s", data)
	}
}

// TestOnlyFiles: with every report sent to files, standard output stays empty.
func TestOnlyFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": privilegedPod})
	file := filepath.Join(t.TempDir(), "r.json")
	got := ringfence(t, "", "test", "--output", "json="+file, dir)
	if got.code != 1 || got.stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", got.code, got.stdout)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	decodeReport(t, string(data))
}

func TestOutputUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bad.yaml": privilegedPod})
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"an unknown format", []string{"--output", "text", "--output", "xml=" + filepath.Join(out, "a")}, `unknown output format "xml"`},
		{"two formats for standard output", []string{"--output", "text", "--output", "json"}, "text already goes to standard output"},
		{"no file after =", []string{"--output", "json="}, "a file name after ="},
		{"a file named twice", []string{"--output", "json=" + filepath.Join(out, "r"), "--output", "junit=" + filepath.Join(out, ".", "r")}, "is already written by"},
		{"a file that cannot be created", []string{"--output", "junit=" + filepath.Join(out, "no", "such", "dir.xml")}, filepath.Join(out, "no", "such", "dir.xml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ringfence(t, "", append(append([]string{"test"}, tt.args...), dir)...)
			if got.code != 2 || got.stdout != "" || !strings.Contains(got.stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, an error with %q", got.code, got.stdout, got.stderr, tt.want)
			}
		})
	}
	got := ringfence(t, "", "audit", "--kubeconfig", filepath.Join(out, "none"), "--output", "table", "--output", "json")
	if got.code != 2 || !strings.Contains(got.stderr, "already goes to standard output") {
		t.Errorf("audit: exit %d, stderr %q; want 2 and the --output error before the kubeconfig's", got.code, got.stderr)
	}
}

// junitReport mirrors the JUnit XML schema as its consumers read it.
type junitReport struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			File      string    `xml:"file,attr"`
			Line      int       `xml:"line,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestJUnitMatchesJSON checks the JUnit report of the examples, with a broken file
// added, against the JSON report of the same run: a failure per object with findings
// of a rule, a test per object of the rule's kinds (counted from the inventory and the
// rules' metadata), and an errored test per input error.
func TestJUnitMatchesJSON(t *testing.T) {
	broken := writeFiles(t, map[string]string{"broken.yaml": "kind: [\n"})
	out := t.TempDir()
	jsonFile, junitFile := filepath.Join(out, "r.json"), filepath.Join(out, "r.xml")
	got := ringfence(t, "", "test", "--output", "json="+jsonFile, "--output", "junit="+junitFile, "../../examples", broken)
	if got.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", got.code, got.stderr)
	}
	data, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	rep := decodeReport(t, string(data))
	data, err = os.ReadFile(junitFile)
	if err != nil {
		t.Fatal(err)
	}
	var junit junitReport
	if err := xml.Unmarshal(data, &junit); err != nil {
		t.Fatalf("the JUnit report does not parse: %v", err)
	}

	// Objects per kind, from the inventory of the same manifests.
	var inv struct {
		Namespace map[string]map[string]map[string]map[string]any `json:"namespace"`
		Cluster   map[string]map[string]map[string]any            `json:"cluster"`
	}
	if err := json.Unmarshal([]byte(ringfence(t, "", "inventory", "../../examples").stdout), &inv); err != nil {
		t.Fatal(err)
	}
	perKind := map[string]int{}
	for _, byVersion := range inv.Namespace {
		for _, byKind := range byVersion {
			for kind, names := range byKind {
				perKind[kind] += len(names)
			}
		}
	}
	for _, byKind := range inv.Cluster {
		for kind, names := range byKind {
			perKind[kind] += len(names)
		}
	}
	var rules struct {
		Rules []struct {
			ID    string `json:"id"`
			Kinds []struct {
				Kind string `json:"kind"`
			} `json:"kinds"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(ringfence(t, "", "rules", "--output", "json").stdout), &rules); err != nil {
		t.Fatal(err)
	}
	wantTests, wantFailures := map[string]int{}, map[string]int{}
	for _, r := range rules.Rules {
		seen := map[string]bool{}
		for _, k := range r.Kinds {
			if !seen[k.Kind] {
				seen[k.Kind] = true
				wantTests[r.ID] += perKind[k.Kind]
			}
		}
		if wantTests[r.ID] == 0 {
			delete(wantTests, r.ID)
		}
	}
	failed := map[string]bool{}
	for _, f := range rep.Findings {
		key := f.Rule + "|" + f.Source.File + "|" + f.Object.Kind + "|" + f.Object.Namespace + "|" + f.Object.Name
		if !failed[key] {
			failed[key] = true
			wantFailures[f.Rule]++
		}
	}
	wantTests["input"] = len(rep.Errors)

	gotTests, gotFailures := map[string]int{}, map[string]int{}
	sum := 0
	for _, s := range junit.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s says %d tests and has %d", s.Name, s.Tests, len(s.Cases))
		}
		gotTests[s.Name] = s.Tests
		if s.Failures > 0 {
			gotFailures[s.Name] = s.Failures
		}
		n := 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				n++
			}
		}
		if n != s.Failures {
			t.Errorf("suite %s says %d failures and has %d", s.Name, s.Failures, n)
		}
		sum += s.Tests
	}
	if diff := cmp.Diff(wantTests, gotTests); diff != "" {
		t.Errorf("tests per rule (-objects of its kinds +junit):\n%s", diff)
	}
	if diff := cmp.Diff(wantFailures, gotFailures); diff != "" {
		t.Errorf("failures per rule (-json +junit):\n%s", diff)
	}
	if junit.Tests != sum || junit.Errors != len(rep.Errors) || len(rep.Errors) == 0 {
		t.Errorf("totals: %d tests, %d errors; want %d tests, %d errors", junit.Tests, junit.Errors, sum, len(rep.Errors))
	}
}
