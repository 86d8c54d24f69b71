package gitrev

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/render"
)

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := git(t.Context(), dir, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRead reads a revision as a scan of the working tree reads it: manifests under the
// directories given, a file given by name whatever its extension, no symbolic links,
// names relative to the directory read from, and paths that name nothing reported.
// isolateGit keeps the user's and the system's git configuration out of a test, and
// names the commits' author.
func isolateGit(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "t")
	t.Setenv("GIT_AUTHOR_EMAIL", "t@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "t")
	t.Setenv("GIT_COMMITTER_EMAIL", "t@example.com")
}

func TestRead(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	isolateGit(t)
	repo := t.TempDir()
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\n"
	write(t, filepath.Join(repo, "k8s/a.yaml"), strings.ReplaceAll(pod, "%s", "a"))
	write(t, filepath.Join(repo, "k8s/sub/b.json"), `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"}}`)
	write(t, filepath.Join(repo, "k8s/notes.txt"), "not a manifest")
	write(t, filepath.Join(repo, "k8s/pods.tpl"), strings.ReplaceAll(pod, "%s", "tpl")+"---\n"+strings.ReplaceAll(pod, "%s", "tpl2"))
	write(t, filepath.Join(repo, "k8s/bad.yaml"), "kind: [\n")
	if err := os.Symlink("a.yaml", filepath.Join(repo, "k8s/link.yaml")); err != nil {
		t.Fatal(err)
	}
	run(t, repo, "init", "-q", "-b", "main")
	run(t, repo, "add", ".")
	run(t, repo, "commit", "-q", "-m", "one")
	first := run(t, repo, "rev-parse", "HEAD")
	write(t, filepath.Join(repo, "k8s/a.yaml"), strings.ReplaceAll(pod, "%s", "a2"))
	run(t, repo, "commit", "-q", "-am", "two")

	sub := filepath.Join(repo, "k8s")
	res, missing, err := Read(t.Context(), sub, first, []string{".", "pods.tpl", "gone/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Documents {
		meta := d.Object["metadata"].(map[string]any)
		got = append(got, d.Source.File+" "+meta["name"].(string))
	}
	slices.Sort(got)
	want := []string{"a.yaml a", "pods.tpl tpl", "pods.tpl tpl2", "sub/b.json b"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("documents (-want +got):\n%s", d)
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "bad.yaml" || res.Errors[0].Line != 1 {
		t.Errorf("errors %+v, want one in bad.yaml at line 1", res.Errors)
	}
	if d := cmp.Diff([]string{"gone/"}, missing); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}

	for _, tt := range []struct {
		spec       string
		base, head string
		err        string
	}{
		{spec: "HEAD~1..HEAD", base: first, head: run(t, repo, "rev-parse", "HEAD")},
		{spec: "HEAD~1", base: first},
		{spec: "HEAD~1..", base: first},
		{spec: "HEAD~1...HEAD", base: first, head: run(t, repo, "rev-parse", "HEAD")},
		{spec: "main...", base: run(t, repo, "rev-parse", "HEAD"), head: run(t, repo, "rev-parse", "HEAD")},
		{spec: "nope..HEAD", err: `revision "nope": not a commit`},
		{spec: "--output=x", err: `revision "--output=x": not a commit`},
		{spec: "..HEAD", err: "name the revision to compare from"},
	} {
		r, err := ParseRange(t.Context(), repo, tt.spec)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.spec, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.spec, err)
		case r != Range{Base: tt.base, Head: tt.head}:
			t.Errorf("%s: %+v, want base %s head %s", tt.spec, r, tt.base, tt.head)
		}
	}
}

// TestReadRendered reads a revision that holds a kustomization with a renderer's
// reader: the overlay is rendered from the revision's files, not the working tree's,
// and named as from the working directory.
func TestReadRendered(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	isolateGit(t)
	repo := t.TempDir()
	run(t, repo, "init", "-q", "-b", "main")
	write(t, filepath.Join(repo, "deploy/base/kustomization.yaml"), "resources: [pod.yaml]\n")
	write(t, filepath.Join(repo, "deploy/base/pod.yaml"), "# the web pod\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
	write(t, filepath.Join(repo, "deploy/prod/kustomization.yaml"), "resources: [../base]\nnamePrefix: prod-\n")
	write(t, filepath.Join(repo, "deploy/plain.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
	run(t, repo, "add", ".")
	run(t, repo, "commit", "-q", "-m", "one")
	first := run(t, repo, "rev-parse", "HEAD")
	// The working tree changes after the commit: the revision is what is read.
	write(t, filepath.Join(repo, "deploy/prod/kustomization.yaml"), "resources: [../base]\nnamePrefix: staging-\n")

	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, missing, err := Read(t.Context(), repo, first, []string{"deploy", "nowhere"}, r.Read)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Documents {
		meta := d.Object["metadata"].(map[string]any)
		line := fmt.Sprintf("%s %s:%d", meta["name"], d.Source.File, d.Source.Line)
		if d.Source.Rendered != nil {
			line += " from " + d.Source.Rendered.From
		}
		got = append(got, line)
	}
	want := []string{
		"shop deploy/plain.yaml:1",
		"prod-web deploy/base/pod.yaml:2 from deploy/prod",
	}
	if diff := cmp.Diff(want, got); diff != "" || len(res.Errors) > 0 {
		t.Errorf("objects (-want +got):\n%s\nerrors: %v", diff, res.Errors)
	}
	if !slices.Equal(missing, []string{"nowhere"}) {
		t.Errorf("missing = %v, want [nowhere]", missing)
	}
}
