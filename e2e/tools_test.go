// Package e2e runs ringfence's rules in the real runtimes (opa, conftest, gator) and
// checks that every runtime reaches the library's verdicts.
//
// The programs come from the tool cache .ci/tools.sh fills (RINGFENCE_TOOLS, default
// ~/.cache/ringfence-tools) or from PATH. Without them the tests skip, unless
// RINGFENCE_E2E=require (set by .ci/run), when a missing program fails the test.
package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tool returns the path of a pinned external program.
func tool(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("RINGFENCE_TOOLS")
	if dir == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(cache, "ringfence-tools")
		}
	}
	if dir != "" {
		p := filepath.Join(dir, "bin", name)
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("RINGFENCE_E2E") == "require" {
		t.Fatalf("%s not found in the tool cache or PATH: run make tools (bash .ci/tools.sh conftest gator gatekeeper kube helm kustomize registry)", name)
	}
	t.Skipf("%s not installed (make tools installs it)", name)
	return ""
}
