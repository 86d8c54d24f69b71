package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// precommitGood is a namespace that passes every rule: default deny both ways, DNS
// allowed, and a restricted, pinned, resource-bounded Deployment.
const precommitGood = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`

// precommitBad is a privileged Pod in the same namespace.
const precommitBad = `apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: shop
spec:
  containers:
    - name: agent
      image: registry.example.com/shop/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true
`

var (
	precommitPassed = regexp.MustCompile(`(?m)^ringfence\.+Passed$`)
	precommitFailed = regexp.MustCompile(`(?m)^ringfence\.+Failed$`)
	// The text report names the file, then its findings; RF-POD-001 must be among them.
	precommitFinding = regexp.MustCompile(`(?m)^deploy/privileged\.yaml\n(?:  .*\n)*?  CRITICAL +RF-POD-001 +Pod shop/agent: `)
)

// precommitRunner runs git and pre-commit with one environment under one deadline.
type precommitRunner struct {
	ctx context.Context
	env []string
}

// run runs name with args in dir and returns its combined output and exit code.
func (r precommitRunner) run(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(r.ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = r.env
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if filepath.Base(name) == "pre-commit" {
		t.Logf("pre-commit %s: %s", args[0], time.Since(start).Round(100*time.Millisecond))
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case r.ctx.Err() != nil:
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), r.ctx.Err(), out.String())
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	}
	t.Fatalf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	return "", -1
}

// must runs name with args in dir and fails the test unless it exits 0.
func (r precommitRunner) must(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, code := r.run(t, dir, name, args...)
	if code != 0 {
		t.Fatalf("%s %s exited %d:\n%s", filepath.Base(name), strings.Join(args, " "), code, out)
	}
	return out
}

// precommitEnv is the test's environment for git and pre-commit: nothing that points git
// at another repository or skips hooks, pre-commit's cache in a temporary directory, and
// the Go module cache of this build so that pre-commit's go install finds the modules
// there (pre-commit sets GOPATH to the hook's environment, which would otherwise move the
// module cache there and download every module again). The build cache is shared as it is.
func precommitEnv(t *testing.T, goBin string) []string {
	t.Helper()
	modCache, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
			"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "SKIP", "PRE_COMMIT_HOME",
			"PRE_COMMIT_ALLOW_NO_CONFIG", "GOWORK":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PRE_COMMIT_HOME="+t.TempDir(),
		"GOMODCACHE="+strings.TrimSpace(string(modCache)),
		"GOWORK=off",
		// pre-commit uses the go on PATH (language_version system) when there is one, and
		// downloads a Go release otherwise: put the one running this test first.
		"PATH="+filepath.Dir(goBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
}

// scratchRepo creates a git repository with the good manifests committed under deploy/,
// and extra files (name to content) committed with them.
func (r precommitRunner) scratchRepo(t *testing.T, git string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	r.must(t, dir, git, "init", "-q")
	r.must(t, dir, git, "config", "user.name", "ringfence e2e")
	r.must(t, dir, git, "config", "user.email", "e2e@ringfence.invalid")
	r.must(t, dir, git, "config", "commit.gpgsign", "false")
	files := map[string]string{"deploy/shop.yaml": precommitGood}
	for name, data := range extra {
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(p), filepath.Base(p), []byte(data))
	}
	r.must(t, dir, git, "add", "-A")
	r.must(t, dir, git, "commit", "-q", "-m", "manifests")
	return dir
}

// addPrivileged adds the privileged Pod to the repository's index.
func (r precommitRunner) addPrivileged(t *testing.T, git, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "deploy"), "privileged.yaml", []byte(precommitBad))
	r.must(t, dir, git, "add", "deploy/privileged.yaml")
}

// checkPassed fails the test unless the ringfence hook ran and passed: pre-commit also
// exits 0 when it skips a hook because no file matched.
func checkPassed(t *testing.T, out string, code int) {
	t.Helper()
	if code != 0 || !precommitPassed.MatchString(out) {
		t.Fatalf("with the good manifests: pre-commit exited %d, want 0 with the hook passed:\n%s", code, out)
	}
}

// checkFailed fails the test unless the hook failed with ringfence's exit code for
// findings (1, not 2 for unreadable input) and reported the privileged container in
// its file.
func checkFailed(t *testing.T, out string, code int) {
	t.Helper()
	if code != 1 || !precommitFailed.MatchString(out) || !strings.Contains(out, "- exit code: 1\n") {
		t.Fatalf("with a privileged container: pre-commit exited %d, want 1 with the hook failed by exit code 1:\n%s", code, out)
	}
	if !precommitFinding.MatchString(out) {
		t.Fatalf("the hook's output does not report RF-POD-001 under deploy/privileged.yaml:\n%s", out)
	}
}

// TestPreCommit runs ringfence as a hook of the real pre-commit program, built by
// pre-commit from this checkout's .pre-commit-hooks.yaml.
//
// pre-commit builds a golang hook with go install ./... in its own clone of the hook
// repository. The first build of a cold build cache compiles ringfence and its
// dependencies (minutes); later ones reuse the build cache and take seconds.
func TestPreCommit(t *testing.T) {
	t.Parallel() // mostly a go build of one core, alongside the other parallel tests
	precommit := tool(t, "pre-commit")
	git := tool(t, "git")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH (go test puts its own first): %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	r := precommitRunner{ctx: ctx, env: precommitEnv(t, goBin)}
	if v, code := r.run(t, root, precommit, "--version"); code == 0 {
		t.Log(strings.TrimSpace(v))
	}

	// try-repo uses the checkout as it is, with its staged and modified tracked files (a
	// new file counts once it is staged): it commits them in a temporary clone. It runs
	// the hook without args, so ringfence checks the scratch repository's root, which
	// holds only manifests. It builds the hook anew each time (20 s warm), so it runs
	// once, on the bad manifest; the config subtest below shows the good ones pass.
	t.Run("try-repo", func(t *testing.T) {
		dir := r.scratchRepo(t, git, nil)
		r.addPrivileged(t, git, dir)
		out, code := r.run(t, dir, precommit, "try-repo", root, "ringfence", "--all-files", "--color", "never")
		checkFailed(t, out, code)
	})

	// A .pre-commit-config.yaml as README.md gives it, with this checkout as the hook
	// repository at its HEAD commit (uncommitted changes are not part of it), and the
	// hook installed in git: committing the privileged container fails.
	t.Run("config", func(t *testing.T) {
		head := strings.TrimSpace(r.must(t, root, git, "rev-parse", "HEAD"))
		if _, code := r.run(t, root, git, "diff", "--quiet", "HEAD", "--", ".pre-commit-hooks.yaml"); code != 0 {
			t.Log(".pre-commit-hooks.yaml differs from HEAD; this subtest uses HEAD's")
		}
		// %q: Go quoting is a valid YAML double-quoted string.
		config := fmt.Sprintf("repos:\n  - repo: %q\n    rev: %s\n    hooks: [{id: ringfence, args: [deploy/]}]\n", root, head)
		dir := r.scratchRepo(t, git, map[string]string{".pre-commit-config.yaml": config})
		out, code := r.run(t, dir, precommit, "run", "--all-files", "--color", "never")
		checkPassed(t, out, code)

		r.addPrivileged(t, git, dir)
		out, code = r.run(t, dir, precommit, "run", "--all-files", "--color", "never")
		checkFailed(t, out, code)

		r.must(t, dir, precommit, "install")
		out, code = r.run(t, dir, git, "commit", "-m", "privileged agent")
		if code == 0 {
			t.Fatalf("git commit with the hook installed succeeded with a privileged container:\n%s", out)
		}
		checkFailed(t, out, 1)
		if got := strings.TrimSpace(r.must(t, dir, git, "rev-list", "--count", "HEAD")); got != "1" {
			t.Errorf("the repository has %s commits after the refused commit, want 1", got)
		}
	})
}
