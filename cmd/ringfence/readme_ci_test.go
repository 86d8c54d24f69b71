package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// readmeBlocks returns the fenced blocks of README.md in language lang, each without
// its fences.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && line == "```"+lang:
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// readmeBlock returns the one block in lang whose first line is first.
func readmeBlock(t *testing.T, lang, first string) string {
	t.Helper()
	var found []string
	for _, b := range readmeBlocks(t, lang) {
		if strings.HasPrefix(b, first+"\n") {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("README.md has %d %s blocks starting with %q, want 1", len(found), lang, first)
	}
	return found[0]
}

// lookup walks a parsed YAML document by map keys and list indexes.
func lookup(t *testing.T, doc any, path ...any) any {
	t.Helper()
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %q", path, k)
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			cur = l[k]
		}
	}
	return cur
}

// ciRepo makes a scratch repository as the README's CI snippets expect it: the base set
// in deploy/ on main with a committed baseline and a ringfence.yaml, origin/main pointing
// at it, and a checked-out branch that loosens the policy. It returns the repository and
// main's commit.
func ciRepo(t *testing.T) (string, string) {
	t.Helper()
	repo := t.TempDir()
	deploy := filepath.Join(repo, "deploy")
	if err := os.MkdirAll(deploy, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(src, dst string) {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob("testdata/diff/base/*.yaml")
	for _, f := range files {
		put(f, filepath.Join(deploy, filepath.Base(f)))
	}
	put("testdata/diff/config.yaml", filepath.Join(repo, "ringfence.yaml"))
	gitIn(t, repo, "init", "-q", "-b", "main")
	// The README's instruction for the baseline.
	if r := ringfenceIn(t, repo, "", "test", "deploy/", "--write-baseline", "ringfence-baseline.json"); r.code != 1 {
		t.Fatalf("writing the baseline: exit %d\n%s", r.code, r.stderr)
	}
	gitIn(t, repo, "add", ".")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	main := gitIn(t, repo, "rev-parse", "HEAD")
	gitIn(t, repo, "update-ref", "refs/remotes/origin/main", main)
	gitIn(t, repo, "checkout", "-q", "-b", "loosen")
	put("testdata/diff/loosened/policies.yaml", filepath.Join(deploy, "policies.yaml"))
	gitIn(t, repo, "commit", "-q", "-am", "loosen")
	return repo, main
}

var outputFile = regexp.MustCompile(`--output ([a-z]+)=(\S+)`)

// runSnippetCommand runs one ringfence command line of a snippet with sh in repo, the
// test's ringfence first on PATH, and checks that it is not a usage error and writes
// the files its --output flags name.
func runSnippetCommand(t *testing.T, repo, line string, env ...string) {
	t.Helper()
	line = strings.TrimSuffix(line, " || status=$?")
	for _, f := range outputFile.FindAllStringSubmatch(line, -1) {
		os.Remove(filepath.Join(repo, f[2]))
	}
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), append(env, "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))...)
	out, err := cmd.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// The pull request adds a finding: 1 is the expected outcome, 2 a broken snippet.
	if code != 1 {
		t.Errorf("%s: exit %d, want 1 (the pull request adds a finding)\n%s", line, code, out)
	}
	for _, f := range outputFile.FindAllStringSubmatch(line, -1) {
		data, err := os.ReadFile(filepath.Join(repo, f[2]))
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		switch f[1] {
		case "sarif":
			var log struct {
				Version string
				Runs    []struct{ Results []any }
			}
			if err := json.Unmarshal(data, &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
				t.Errorf("%s: SARIF %s: %v, %+v", line, f[2], err, log)
			}
		case "junit":
			var suites struct {
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures == 0 {
				t.Errorf("%s: JUnit %s: %v, %d failures", line, f[2], err, suites.Failures)
			}
		case "markdown":
			if !strings.HasPrefix(string(data), "<!-- ringfence-diff -->\n") || !strings.Contains(string(data), "RF-NET-006") {
				t.Errorf("%s: Markdown %s:\n%s", line, f[2], data)
			}
		default:
			t.Errorf("%s: no check for --output %s", line, f[1])
		}
	}
}

// ringfenceLines returns the lines of a script that run ringfence, trimmed.
func ringfenceLines(script string) []string {
	var out []string
	for _, line := range strings.Split(script, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "ringfence ") {
			out = append(out, line)
		}
	}
	return out
}

// TestReadmeGitHubWorkflow parses the README's GitHub Actions workflow, checks that its
// steps fit together (full history for diff, the SARIF file uploaded is the one written,
// the comment posts the Markdown written) and runs its ringfence commands as the runner
// would on a pull request.
func TestReadmeGitHubWorkflow(t *testing.T) {
	var wf map[string]any
	if err := yaml.Unmarshal([]byte(readmeBlock(t, "yaml", "# .github/workflows/ringfence.yml")), &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	if got := lookup(t, wf, "permissions", "security-events"); got != "write" {
		t.Errorf("permissions.security-events = %v, want write for the SARIF upload", got)
	}
	if got := lookup(t, wf, "permissions", "pull-requests"); got != "write" {
		t.Errorf("permissions.pull-requests = %v, want write for the comment", got)
	}
	steps, _ := lookup(t, wf, "jobs", "ringfence", "steps").([]any)
	if len(steps) == 0 {
		t.Fatal("jobs.ringfence.steps is empty")
	}
	var runs []string
	var uploaded, commented string
	for i, s := range steps {
		uses, _ := lookup(t, s, "uses").(string)
		run, _ := lookup(t, s, "run").(string)
		switch {
		case strings.HasPrefix(uses, "actions/checkout@"):
			if got := lookup(t, steps, i, "with", "fetch-depth"); got != float64(0) {
				t.Errorf("checkout fetch-depth = %v, want 0: diff needs the base branch", got)
			}
		case strings.HasPrefix(uses, "github/codeql-action/upload-sarif@"):
			uploaded, _ = lookup(t, steps, i, "with", "sarif_file").(string)
		case strings.HasPrefix(run, "gh pr comment"):
			if m := regexp.MustCompile(`--body-file (\S+)`).FindStringSubmatch(run); m != nil {
				commented = m[1]
			}
		}
		runs = append(runs, ringfenceLines(run)...)
	}
	joined := strings.Join(runs, "\n")
	if uploaded == "" || !strings.Contains(joined, "--output sarif="+uploaded) {
		t.Errorf("the uploaded SARIF file %q is not one a ringfence step writes:\n%s", uploaded, joined)
	}
	if commented == "" || !strings.Contains(joined, "--output markdown="+commented) {
		t.Errorf("the commented file %q is not one a ringfence step writes:\n%s", commented, joined)
	}
	if len(runs) != 2 {
		t.Fatalf("want a diff and a test command, got %q", runs)
	}
	repo, _ := ciRepo(t)
	for _, line := range runs {
		// The expressions the runner fills in for a pull request into main.
		line = strings.ReplaceAll(line, "${{ github.base_ref }}", "main")
		if strings.Contains(line, "${{") {
			t.Errorf("%s: an expression the test does not fill in", line)
			continue
		}
		runSnippetCommand(t, repo, line)
	}
}

// TestReadmeGitLabJob parses the README's GitLab CI job, checks that the JUnit report it
// declares is the one written, and runs its script as a merge-request pipeline would
// (without the go install of a released ringfence: the test's own is first on PATH),
// with the GitLab API stood in for by a server on loopback that takes the note.
func TestReadmeGitLabJob(t *testing.T) {
	var ci map[string]any
	if err := yaml.Unmarshal([]byte(readmeBlock(t, "yaml", "# .gitlab-ci.yml")), &ci); err != nil {
		t.Fatalf("the job is not YAML: %v", err)
	}
	if got := lookup(t, ci, "ringfence", "variables", "GIT_DEPTH"); got != "0" {
		t.Errorf("GIT_DEPTH = %v, want \"0\": diff needs the target branch", got)
	}
	script, _ := lookup(t, ci, "ringfence", "script").([]any)
	var lines, kept []string
	for _, s := range script {
		text, _ := s.(string)
		lines = append(lines, ringfenceLines(text)...)
		if strings.HasPrefix(text, "go install ") || strings.HasPrefix(text, "export PATH=") {
			continue
		}
		kept = append(kept, text)
	}
	junit, _ := lookup(t, ci, "ringfence", "artifacts", "reports", "junit").(string)
	if junit == "" || !strings.Contains(strings.Join(lines, "\n"), "--output junit="+junit) {
		t.Errorf("artifacts.reports.junit %q is not a file a ringfence command writes: %q", junit, lines)
	}
	if got := script[len(script)-1]; got != "exit $status" {
		t.Errorf("the script ends with %q, want exit $status so that every step runs and a failure still fails the job", got)
	}
	if len(lines) != 2 {
		t.Fatalf("want a diff and a test command, got %q", lines)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed: the job posts its note with curl")
	}

	type note struct{ method, path, token, body string }
	notes := make(chan note, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		notes <- note{r.Method, r.URL.Path, r.Header.Get("PRIVATE-TOKEN"), r.PostForm.Get("body")}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": 1}`)
	}))
	defer api.Close()

	repo, main := ciRepo(t)
	// GitLab runs a job's script in one shell that stops at the first failing command.
	cmd := exec.Command("sh", "-c", "set -e\n"+strings.Join(kept, "\n"))
	cmd.Dir = repo
	cmd.Env = append(os.Environ(),
		"PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CI_MERGE_REQUEST_DIFF_BASE_SHA="+main, "CI_API_V4_URL="+api.URL+"/api/v4",
		"CI_PROJECT_ID=42", "CI_MERGE_REQUEST_IID=7", "RINGFENCE_NOTE_TOKEN=glpat-test")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the job's script: %v, want exit 1 (the merge request adds a finding)\n%s", err, out)
	}
	for _, f := range []string{junit, "ringfence.sarif", "ringfence-diff.md"} {
		if _, err := os.Stat(filepath.Join(repo, f)); err != nil {
			t.Errorf("artifact %s: %v", f, err)
		}
	}
	diff, err := os.ReadFile(filepath.Join(repo, "ringfence-diff.md"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-notes:
		want := note{"POST", "/api/v4/projects/42/merge_requests/7/notes", "glpat-test", string(diff)}
		if n != want {
			t.Errorf("note posted: %+v\nwant %+v", n, want)
		}
	default:
		t.Errorf("the job posted no note\n%s", out)
	}
	for _, line := range lines {
		runSnippetCommand(t, repo, line, "CI_MERGE_REQUEST_DIFF_BASE_SHA="+main)
	}
}

// TestReadmeDiffExample keeps the README's Markdown example the output of the command it
// quotes, on the scratch repository with the loosened policy in the working tree.
func TestReadmeDiffExample(t *testing.T) {
	var example string
	for _, b := range readmeBlocks(t, "markdown") {
		if strings.HasPrefix(b, "<!-- ringfence-diff -->\n") {
			example = b
		}
	}
	if example == "" {
		t.Fatal("README.md has no Markdown diff example")
	}
	repo, main := ciRepo(t) // the working tree has the pull request's change
	r := ringfenceIn(t, repo, "", "diff", "--git", "main", "deploy/", "--config", "ringfence.yaml", "--output", "markdown")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := strings.ReplaceAll(r.stdout, main[:12], "3f1c0e2a9b7d")
	if d := cmp.Diff(example, got); d != "" {
		t.Errorf("README.md's diff example is out of date (-README +output):\n%s\nThe output:\n%s", d, got)
	}
}
