package pss_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
)

// upstreamDir is where the Go module cache holds k8s.io/pod-security-admission.
func upstreamDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/pod-security-admission").Output()
	if err != nil {
		t.Fatalf("locating k8s.io/pod-security-admission: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go list printed no directory for k8s.io/pod-security-admission (run go mod download)")
	}
	return dir
}

// fixture is one of upstream's test pods: test/testdata/<level>/<version>/<pass|fail>/*.yaml.
type fixture struct {
	file string // relative to testdata
	lv   levelVersion
	pass bool
	raw  map[string]any
	pod  *corev1.Pod
}

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	root := filepath.Join(upstreamDir(t), "test", "testdata")
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out []fixture
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if parts[2] != "pass" && parts[2] != "fail" {
			t.Fatalf("%s: neither pass nor fail", rel)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f := fixture{file: rel, lv: levelVersion{parts[0], parts[1]}, pass: parts[2] == "pass", pod: &corev1.Pod{}}
		if err := yaml.UnmarshalStrict(data, f.pod); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if err := yaml.Unmarshal(data, &f.raw); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if !bytes.Contains(data, []byte("kind: Pod")) {
			t.Fatalf("%s: not a Pod", rel)
		}
		out = append(out, f)
	}
	return out
}

// workloadKinds are the kinds a pod spec is wrapped in besides Pod, with their apiVersion.
var workloadKinds = [][2]string{
	{"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"}, {"apps/v1", "DaemonSet"},
	{"apps/v1", "ReplicaSet"}, {"batch/v1", "Job"}, {"batch/v1", "CronJob"},
	{"v1", "ReplicationController"}, {"v1", "PodTemplate"}, {"extensions/v1beta1", "Deployment"},
}

// wrap returns a raw pod's metadata and spec as the pod template of a workload kind; the
// pod's annotations and labels become the template's.
func wrap(pod map[string]any, apiVersion, kind, name string) map[string]any {
	meta, _ := pod["metadata"].(map[string]any)
	tmeta := map[string]any{}
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := meta[k]; ok {
			tmeta[k] = v
		}
	}
	template := map[string]any{"metadata": tmeta, "spec": pod["spec"]}
	obj := map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": "pss"},
	}
	switch kind {
	case "PodTemplate":
		obj["template"] = template
	case "CronJob":
		obj["spec"] = map[string]any{"schedule": "@hourly", "jobTemplate": map[string]any{"spec": map[string]any{"template": template}}}
	default:
		obj["spec"] = map[string]any{"template": template}
	}
	return obj
}

// renamed returns a raw pod with another name, in namespace pss.
func renamed(pod map[string]any, name string) map[string]any {
	out := map[string]any{}
	for k, v := range pod {
		out[k] = v
	}
	meta := map[string]any{}
	if m, ok := pod["metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	meta["name"], meta["namespace"] = name, "pss"
	out["metadata"] = meta
	return out
}

// TestUpstreamFixtures: every test pod of k8s.io/pod-security-admission gets upstream's
// verdict, and the same failing checks, from ringfence's rules at the fixture's level and
// version, as a Pod and as the pod template of another workload kind.
func TestUpstreamFixtures(t *testing.T) {
	t.Parallel() // alongside the other long tests: each has phases that use one core
	fixtures := loadFixtures(t)
	if len(fixtures) < 4000 {
		t.Fatalf("found %d upstream fixtures, expected about 4,500", len(fixtures))
	}
	up := newUpstream(t)
	rf := newRingfence(t, nil)

	byLV := map[levelVersion][]int{}
	for i, f := range fixtures {
		byLV[f.lv] = append(byLV[f.lv], i)
	}
	var compared, wrappedCompared, failing, disagreements int
	for _, lv := range slices.SortedFunc(maps.Keys(byLV), func(a, b levelVersion) int { return strings.Compare(a.String(), b.String()) }) {
		idx := byLV[lv]
		var objs []harness.Object
		for n, i := range idx {
			objs = append(objs, harness.FromMap(renamed(fixtures[i].raw, fmt.Sprintf("f%d", i))))
			k := workloadKinds[n%len(workloadKinds)]
			objs = append(objs, harness.FromMap(wrap(fixtures[i].raw, k[0], k[1], fmt.Sprintf("w%d", i))))
		}
		got := rf.failing(t, lv, objs)
		for n, i := range idx {
			f := fixtures[i]
			want, allowed := up.failing(t, lv, defaulted(f.pod))
			if allowed != f.pass {
				t.Errorf("%s: upstream says allowed=%v on the defaulted pod, the fixture directory says %v", f.file, allowed, f.pass)
			}
			if !allowed {
				failing++
			}
			for _, name := range []string{fmt.Sprintf("f%d", i), fmt.Sprintf("w%d", i)} {
				g := got[name]
				if g == nil {
					g = checkSet{}
				}
				if !g.equal(want) {
					disagreements++
					kind := "Pod"
					if name[0] == 'w' {
						kind = workloadKinds[n%len(workloadKinds)][1]
					}
					if disagreements <= 40 {
						t.Errorf("%s at %s as %s: upstream fails %v, ringfence %v", f.file, lv, kind, want, g)
					}
				}
			}
			compared++
			wrappedCompared++
		}
	}
	t.Logf("%d upstream fixtures at %d level/version pairs (%d failing upstream), each compared as a Pod and as a workload template: %d comparisons, %d disagreements",
		compared, len(byLV), failing, compared+wrappedCompared, disagreements)
}
