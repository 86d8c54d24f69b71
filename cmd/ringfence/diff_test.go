package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// diffReport is the part of diff's JSON report the tests read.
type diffReport struct {
	Base, Head  string
	Summary     map[string]int
	Findings    struct{ Added, Removed []diffFinding }
	Connections struct{ Opened, Closed []diffConnection }
	Errors      []struct{ Side, File, Message string }
}

type diffFinding struct {
	Rule, Severity, Message string
	Object                  struct{ Kind, Namespace, Name string }
	Source                  struct {
		File string
		Line int
	}
}

type diffConnection struct {
	Source, Destination string
	Ports               []struct {
		Protocol      string
		Port, EndPort int
	}
	IngressPolicies, EgressPolicies []string
	Invariants                      []string
}

// brief sums the change up as strings, for comparison: the rule and object of each
// finding, and "source -> destination ports (policies) [invariants]" of each connection.
func (r diffReport) brief() map[string][]string {
	out := map[string][]string{}
	findings := func(key string, fs []diffFinding) {
		for _, f := range fs {
			out[key] = append(out[key], f.Rule+" "+f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name)
		}
	}
	connections := func(key string, cs []diffConnection) {
		for _, c := range cs {
			var ports []string
			for _, p := range c.Ports {
				ports = append(ports, fmt.Sprintf("%s/%d-%d", p.Protocol, p.Port, p.EndPort))
			}
			s := fmt.Sprintf("%s -> %s %s (egress %s; ingress %s)", c.Source, c.Destination, strings.Join(ports, ","),
				strings.Join(c.EgressPolicies, ","), strings.Join(c.IngressPolicies, ","))
			if len(c.Invariants) > 0 {
				s += " [" + strings.Join(c.Invariants, ",") + "]"
			}
			out[key] = append(out[key], s)
		}
	}
	findings("added", r.Findings.Added)
	findings("removed", r.Findings.Removed)
	connections("opened", r.Connections.Opened)
	connections("closed", r.Connections.Closed)
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// copyTree copies the manifests of the base set, then the files of variant over them,
// into a new directory.
func copyTree(t *testing.T, variant string) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{"testdata/diff/base", variant} {
		if src == "" {
			continue
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// reformatted writes the base set as one file, its documents in reverse order and
// each written anew: a change of form only.
func reformatted(t *testing.T) string {
	t.Helper()
	var docs []string
	files, err := filepath.Glob("testdata/diff/base/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			// Written anew: keys sorted, flow style expanded, comments gone.
			js, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			again, err := yaml.JSONToYAML(js)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(again))
		}
	}
	slices.Reverse(docs)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all-in-one.yml"), []byte(strings.Join(docs, "\n---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func parseDiff(t *testing.T, r result) diffReport {
	t.Helper()
	var rep diffReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("diff JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

// TestDiffPairs compares the base set with one change each: a NetworkPolicy loosened to
// every namespace, a workload added with egress to the internet, a ClusterRoleBinding
// widened to every authenticated user, and a reformat that changes nothing.
func TestDiffPairs(t *testing.T) {
	const cfg = "testdata/diff/config.yaml"
	tests := []struct {
		name, head string
		args       []string
		want       map[string][]string
		code       int
	}{{
		name: "loosened policy breaks the invariant",
		head: "testdata/diff/loosened",
		want: map[string][]string{
			"added":  {"RF-NET-006 NetworkPolicy prod/api-from-web", "RF-NET-030 Deployment prod/api"},
			"opened": {"dev/tool[Deployment] -> prod/api[Deployment] TCP/8080-8080 (egress dev/egress-anywhere; ingress prod/api-from-web) [prod-from-dev]"},
		},
		code: 1,
	}, {
		// Without failing findings the broken invariant still fails the change.
		name: "loosened policy, only critical findings fail",
		head: "testdata/diff/loosened",
		args: []string{"--fail-on", "critical"},
		want: map[string][]string{
			"added":  {"RF-NET-006 NetworkPolicy prod/api-from-web", "RF-NET-030 Deployment prod/api"},
			"opened": {"dev/tool[Deployment] -> prod/api[Deployment] TCP/8080-8080 (egress dev/egress-anywhere; ingress prod/api-from-web) [prod-from-dev]"},
		},
		code: 1,
	}, {
		name: "added workload",
		head: "testdata/diff/added",
		args: []string{"--rule", "RF-NET-004,RF-POD-022,RF-POD-035"},
		want: map[string][]string{
			"added":  {"RF-NET-004 NetworkPolicy prod/worker-egress", "RF-POD-022 Deployment prod/worker", "RF-POD-035 Deployment prod/worker"},
			"opened": {"prod/worker[Deployment] -> 0.0.0.0/0 TCP/443-443 (egress prod/worker-egress; ingress )"},
		},
		code: 1,
	}, {
		name: "widened binding",
		head: "testdata/diff/widened",
		want: map[string][]string{"added": {"RF-RBAC-016 ClusterRoleBinding /namespace-reader"}},
		code: 1,
	}, {
		name: "widened binding below --fail-on",
		head: "testdata/diff/widened",
		args: []string{"--fail-on", "none"},
		want: map[string][]string{"added": {"RF-RBAC-016 ClusterRoleBinding /namespace-reader"}},
		code: 0,
	}, {
		name: "reformat",
		head: "",
		want: map[string][]string{},
		code: 0,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := reformatted(t)
			if tt.head != "" {
				head = copyTree(t, tt.head)
			}
			args := append([]string{"diff", "testdata/diff/base", head, "--config", cfg, "-o", "json"}, tt.args...)
			r := ringfence(t, "", args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			rep := parseDiff(t, r)
			if d := cmp.Diff(tt.want, rep.brief()); d != "" {
				t.Errorf("change (-want +got):\n%s", d)
			}
			if rep.Base != "testdata/diff/base" || rep.Head != head || len(rep.Errors) != 0 {
				t.Errorf("base %q, head %q, errors %v", rep.Base, rep.Head, rep.Errors)
			}
			// The reverse change removes what the change adds, and closes what it opens.
			r = ringfence(t, "", append([]string{"diff", head, "testdata/diff/base", "--config", cfg, "-o", "json"}, tt.args...)...)
			back := parseDiff(t, r).brief()
			if d := cmp.Diff(rep.brief()["added"], back["removed"]); d != "" {
				t.Errorf("reverse: removed findings (-added +removed):\n%s", d)
			}
			var opened, closed []string
			for _, c := range rep.Connections.Opened {
				opened = append(opened, c.Source+" -> "+c.Destination)
			}
			for _, c := range parseDiff(t, r).Connections.Closed {
				closed = append(closed, c.Source+" -> "+c.Destination)
			}
			if d := cmp.Diff(opened, closed); d != "" {
				t.Errorf("reverse: closed connections (-opened +closed):\n%s", d)
			}
			if r.code != 0 && len(tt.want["removed"]) == 0 && len(tt.want["closed"]) == 0 {
				t.Errorf("reverse change exits %d, want 0: it only removes findings and closes connections", r.code)
			}
		})
	}
}

// TestDiffFormats checks the text and Markdown reports of the loosened policy, several
// outputs in one run, and the usage errors.
func TestDiffFormats(t *testing.T) {
	head := copyTree(t, "testdata/diff/loosened")
	md := filepath.Join(t.TempDir(), "comment.md")
	r := ringfence(t, "", "diff", "testdata/diff/base", head, "--config", "testdata/diff/config.yaml", "--output", "text", "--output", "markdown="+md)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"connections opened (1):\n  dev/tool[Deployment] -> prod/api[Deployment]  TCP 8080\n      egress allowed by dev/egress-anywhere; ingress allowed by prod/api-from-web\n      breaks segmentation invariant \"prod-from-dev\"\n",
		"2 findings added, 0 removed; 1 connection opened, 0 closed; 1 opened connection breaks a segmentation invariant; 0 errors\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<!-- ringfence-diff -->\n",
		"**2 findings added** · 0 removed · **1 connection opened** · 0 closed\n",
		":no_entry: **1 opened connection breaks a segmentation invariant.**",
		"| :orange_circle: high | RF-NET-030 | Deployment prod/api | `" + filepath.Join(head, "prod.yaml") + ":35` |",
		"| `dev/tool[Deployment]` | `prod/api[Deployment]` | TCP 8080 | egress allowed by dev/egress-anywhere; ingress allowed by prod/api-from-web | :no_entry: breaks `prod-from-dev` |\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("Markdown report lacks %q:\n%s", want, data)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "testdata/diff/base"}, "want two paths"},
		{[]string{"diff", "-", "-"}, "only one of BASE and HEAD"},
		{[]string{"diff", "a", "b", "-o", "sarif"}, `unknown output format "sarif"`},
		{[]string{"diff", "a", "b", "--fail-on", "severe"}, `--fail-on "severe"`},
	} {
		r := ringfence(t, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}

	// Unreadable input in HEAD fails with 2 after the report; in BASE it is reported.
	broken := copyTree(t, "")
	if err := os.WriteFile(filepath.Join(broken, "broken.yaml"), []byte("kind: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ringfence(t, "", "diff", "testdata/diff/base", broken, "-o", "json")
	if rep := parseDiff(t, r); r.code != 2 || len(rep.Errors) != 1 || rep.Errors[0].Side != "head" {
		t.Errorf("broken head: exit %d, errors %+v", r.code, rep.Errors)
	}
	r = ringfence(t, "", "diff", broken, "testdata/diff/base", "-o", "json")
	if rep := parseDiff(t, r); r.code != 0 || len(rep.Errors) != 1 || rep.Errors[0].Side != "base" {
		t.Errorf("broken base: exit %d, errors %+v", r.code, rep.Errors)
	}
}

// gitIn runs git in dir with a fixed identity and date, failing the test on error.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// TestDiffGit compares revisions of a scratch repository: the manifests in deploy/ of a
// main branch, and a pull-request branch that loosens the policy, with files outside
// deploy/ that are not manifests.
func TestDiffGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	deploy := filepath.Join(repo, "deploy")
	if err := os.MkdirAll(deploy, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(src string) {
		entries, _ := filepath.Glob(filepath.Join(src, "*.yaml"))
		for _, e := range entries {
			data, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(deploy, filepath.Base(e)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg, err := os.ReadFile("testdata/diff/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "ringfence.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "init", "-q", "-b", "main")
	put("testdata/diff/base")
	gitIn(t, repo, "add", ".")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	gitIn(t, repo, "checkout", "-q", "-b", "loosen")
	put("testdata/diff/loosened")
	gitIn(t, repo, "commit", "-q", "-am", "loosen")
	gitIn(t, repo, "checkout", "-q", "main")
	put("testdata/diff/widened")
	gitIn(t, repo, "commit", "-q", "-am", "widen on main")
	gitIn(t, repo, "checkout", "-q", "loosen")

	loosened := map[string][]string{
		"added":  {"RF-NET-006 NetworkPolicy prod/api-from-web", "RF-NET-030 Deployment prod/api"},
		"opened": {"dev/tool[Deployment] -> prod/api[Deployment] TCP/8080-8080 (egress dev/egress-anywhere; ingress prod/api-from-web) [prod-from-dev]"},
	}
	// The pull request alone, from the merge base; main's own change is not in it.
	r := ringfenceIn(t, repo, "", "diff", "--git", "main...loosen", "deploy", "--config", "ringfence.yaml", "-o", "json")
	rep := parseDiff(t, r)
	if d := cmp.Diff(loosened, rep.brief()); d != "" || r.code != 1 {
		t.Errorf("main...loosen: exit %d (-want +got):\n%s%s", r.code, d, r.stderr)
	}
	if base := gitIn(t, repo, "rev-parse", "main~1"); !strings.HasPrefix(base, rep.Base) || rep.Source(t) != "deploy/prod.yaml" {
		t.Errorf("base %q, want the merge base %s; head finding in %q", rep.Base, base, rep.Source(t))
	}
	// Two dots compare the tips: main's widened binding shows as removed.
	r = ringfenceIn(t, repo, "", "diff", "--git", "main..loosen", "deploy", "--config", "ringfence.yaml", "-o", "json")
	want := map[string][]string{"removed": {"RF-RBAC-016 ClusterRoleBinding /namespace-reader"}}
	for k, v := range loosened {
		want[k] = v
	}
	if d := cmp.Diff(want, parseDiff(t, r).brief()); d != "" {
		t.Errorf("main..loosen (-want +got):\n%s", d)
	}
	// One revision compares with the working tree, from a subdirectory, whose paths
	// are relative to it.
	if err := os.Remove(filepath.Join(deploy, "rbac.yaml")); err != nil {
		t.Fatal(err)
	}
	r = ringfenceIn(t, deploy, "", "diff", "--git", "HEAD", "-o", "json")
	if rep := parseDiff(t, r); rep.Head != "working tree" || r.code != 0 || rep.Summary["findingsAdded"] != 0 {
		t.Errorf("HEAD vs working tree: exit %d, %+v\n%s", r.code, rep, r.stderr)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "--git", "nosuch..HEAD"}, `revision "nosuch": not a commit`},
		{[]string{"diff", "--git", "..HEAD"}, "name the revision to compare from"},
		{[]string{"diff", "--git", "main..loosen", "typo/"}, "typo/ is in neither"},
		{[]string{"diff", "--git", "main", "-"}, "not - (standard input)"},
	} {
		r := ringfenceIn(t, repo, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// Source is the file of the first added finding.
func (r diffReport) Source(t *testing.T) string {
	t.Helper()
	if len(r.Findings.Added) == 0 {
		return ""
	}
	return r.Findings.Added[len(r.Findings.Added)-1].Source.File
}
