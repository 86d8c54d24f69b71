package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/baseline"
)

// reindentedPrivilegedPod is privilegedPod with other indentation and key order.
const reindentedPrivilegedPod = `kind: Pod
apiVersion: v1
metadata:
    namespace: shop
    name: root
spec:
    containers:
    -   image: nginx:1.27
        name: app
        securityContext:
            privileged: true
`

func readBaseline(t *testing.T, name string) *baseline.File {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := baseline.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, data)
	}
	return b
}

func TestBaseline(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": quietPod + "---\n" + privilegedPod})
	base := filepath.Join(dir, "baseline.json")

	// Writing a baseline reports as usual.
	first := ringfence(t, "", "test", "--output", "json", "--write-baseline", base, filepath.Join(dir, "app.yaml"))
	if first.code != 1 {
		t.Fatalf("exit code = %d, want 1\n%s", first.code, first.stderr)
	}
	all := decodeReport(t, first.stdout)
	if all.Baseline != nil || all.Summary.Baselined != 0 {
		t.Errorf("a run without --baseline says baseline %+v, baselined %d", all.Baseline, all.Summary.Baselined)
	}
	b := readBaseline(t, base)
	count := 0
	for _, e := range b.Entries {
		count += e.Count
	}
	if count != all.Summary.Findings || count == 0 {
		t.Errorf("baseline counts %d findings, the report %d", count, all.Summary.Findings)
	}

	// The same objects, split into renamed files and reindented: nothing new.
	moved := writeFiles(t, map[string]string{"quiet-pod.yml": "\n\n" + quietPod, "root.yaml": reindentedPrivilegedPod})
	got := ringfence(t, "", "test", "--output", "json", "--baseline", base, moved)
	if got.code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s%s", got.code, got.stdout, got.stderr)
	}
	r := decodeReport(t, got.stdout)
	if r.Summary.Findings != 0 || len(r.Findings) != 0 || r.Summary.Baselined != count || r.Baseline == nil ||
		r.Baseline.File != base || r.Baseline.Accepted != count || r.Baseline.Stale == nil || len(r.Baseline.Stale) != 0 {
		t.Errorf("report against the baseline: summary %+v, baseline %+v", r.Summary, r.Baseline)
	}

	// A copy of the privileged pod in another file is new, though identical.
	dup := writeFiles(t, map[string]string{"app.yaml": quietPod + "---\n" + privilegedPod, "copy.yaml": reindentedPrivilegedPod})
	got = ringfence(t, "", "test", "--output", "json", "--baseline", base, dup)
	if got.code != 1 {
		t.Fatalf("exit code = %d, want 1\n%s", got.code, got.stderr)
	}
	r = decodeReport(t, got.stdout)
	privileged := 0
	for _, f := range all.Findings {
		if f.Object.Name == "root" {
			privileged++
		}
	}
	if r.Summary.Findings != privileged || r.Summary.Baselined != count {
		t.Errorf("with a copy of the privileged pod: summary %+v, want %d new findings and %d baselined", r.Summary, privileged, count)
	}

	// Fixing the privileged pod leaves its entries stale; --fail-on sees nothing new.
	fixed := writeFiles(t, map[string]string{"app.yaml": quietPod + "---\n" + strings.Replace(privilegedPod, "privileged: true", "privileged: false", 1)})
	got = ringfence(t, "", "test", "--output", "json", "--baseline", base, fixed)
	if got.code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s%s", got.code, got.stdout, got.stderr)
	}
	r = decodeReport(t, got.stdout)
	if r.Baseline == nil || len(r.Baseline.Stale) != 1 {
		t.Fatalf("want one stale entry, got %+v", r.Baseline)
	}
	stale := r.Baseline.Stale[0]
	type entry struct{ Rule, Kind, Namespace, Name, Field string }
	if diff := cmp.Diff(entry{"RF-POD-001", "Pod", "shop", "root", "spec.containers[0].securityContext.privileged"},
		entry{stale.Rule, stale.Object.Kind, stale.Object.Namespace, stale.Object.Name, stale.Field}); diff != "" || stale.Count != 1 || stale.Fingerprint == "" {
		t.Errorf("stale entry %+v (-want +got):\n%s", stale, diff)
	}
	if r.Summary.Findings != 0 || r.Summary.Baselined != count-1 {
		t.Errorf("summary %+v, want no finding, %d baselined", r.Summary, count-1)
	}
	text := ringfence(t, "", "test", "--baseline", base, fixed)
	if !strings.Contains(text.stdout, "stale baseline entries in "+base) || !strings.Contains(text.stdout, stale.Fingerprint) ||
		!strings.Contains(text.stdout, ", "+strconv.Itoa(count-1)+" baselined (1 stale entry), ") {
		t.Errorf("text report:\n%s", text.stdout)
	}

	// Both flags: checked against the old file, the new one records what is found now.
	pruned := filepath.Join(dir, "pruned.json")
	got = ringfence(t, "", "test", "--output", "json", "--baseline", base, "--write-baseline", pruned, fixed)
	r = decodeReport(t, got.stdout)
	if got.code != 0 || r.Baseline == nil || len(r.Baseline.Stale) != 1 {
		t.Errorf("exit code %d, baseline %+v", got.code, r.Baseline)
	}
	want := readBaseline(t, base)
	want.Entries = slices.DeleteFunc(want.Entries, func(e baseline.Entry) bool { return e.Fingerprint == stale.Fingerprint })
	if diff := cmp.Diff(want, readBaseline(t, pruned)); diff != "" {
		t.Errorf("pruned baseline (-want +got):\n%s", diff)
	}
	// Rewriting gives the same bytes.
	again := filepath.Join(dir, "again.json")
	ringfence(t, "", "test", "--write-baseline", again, filepath.Join(dir, "app.yaml"))
	if a, b := mustRead(t, base), mustRead(t, again); a != b {
		t.Errorf("baselines of the same input differ:\n%s\n%s", a, b)
	}
}

func TestBaselineUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"app.yaml":     privilegedPod,
		"corrupt.json": `{"version": 1, "entries": [`,
		"other.json":   `{"version": 7, "entries": []}`,
	})
	app := filepath.Join(dir, "app.yaml")
	for _, name := range []string{filepath.Join(dir, "missing.json"), filepath.Join(dir, "corrupt.json"), filepath.Join(dir, "other.json"), dir} {
		got := ringfence(t, "", "test", "--baseline", name, app)
		if got.code != 2 || !strings.Contains(got.stderr, name) || got.stdout != "" {
			t.Errorf("--baseline %s: exit code %d, stdout %q, stderr %q; want 2 and an error naming the file", name, got.code, got.stdout, got.stderr)
		}
	}
	bad := filepath.Join(dir, "no-such-dir", "baseline.json")
	if got := ringfence(t, "", "test", "--write-baseline", bad, app); got.code != 2 || !strings.Contains(got.stderr, bad) {
		t.Errorf("--write-baseline %s: exit code %d, stderr %q", bad, got.code, got.stderr)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
