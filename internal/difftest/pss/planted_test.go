package pss_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ringfence/ringfence/policies"
)

// plantedMistakes are wrong versions of policies/lib/pss.rego: each replaces one piece of
// the library. The differential tests must catch every one.
var plantedMistakes = []struct{ name, old, new string }{
	{"ephemeral containers ignored", "some field in core.container_fields", `some field in ["initContainers", "containers"]`},
	{"Windows exemption from 1.24", "m >= 25\n\tcore.windows(ps.spec)\n} else := {v |\n\tsome c in containers(ps)\n\tnot c.context.allowPrivilegeEscalation == false", "m >= 24\n\tcore.windows(ps.spec)\n} else := {v |\n\tsome c in containers(ps)\n\tnot c.context.allowPrivilegeEscalation == false"},
	{"no hostNetwork hostPort defaulting", "} | {v |\n\tps.spec.hostNetwork == true\n", "} | {v |\n\tps.spec.hostNetwork == \"never\"\n"},
	{"restricted overrides ignored", restrictedOverrides, noRestrictedOverrides},
}

// restrictedOverrides is the part of the spans table that makes restricted checks replace
// baseline ones; noRestrictedOverrides applies the baseline checks at the restricted level
// at every version instead.
const (
	restrictedOverrides = `		# The baseline checks a restricted check replaces (hostPathVolumes from 1.0).
		"seccompProfile_baseline": [0, 18],
		"capabilities_baseline": [0, 21],
		"procMount": [0, 34],
`
	noRestrictedOverrides = `		"hostPathVolumes": [0, 37],
		"seccompProfile_baseline": [0, 37],
		"capabilities_baseline": [0, 37],
		"procMount": [0, 37],
`
)

// TestPlantedMistakesAreCaught plants each mistake in a copy of the policies and checks
// that the random pods find disagreements with upstream.
func TestPlantedMistakesAreCaught(t *testing.T) {
	t.Parallel() // alongside the other long tests: each has phases that use one core
	for _, m := range plantedMistakes {
		t.Run(m.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := fs.ReadFile(policies.FS, path)
				if err != nil {
					return err
				}
				if path == "lib/pss.rego" {
					if strings.Count(string(data), m.old) != 1 {
						t.Fatalf("the text to replace is not in lib/pss.rego exactly once: %q", m.old)
					}
					data = []byte(strings.Replace(string(data), m.old, m.new, 1))
				}
				fsys[path] = &fstest.MapFile{Data: data}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			stats := compareRandom(t, newRingfence(t, fsys), 1000, []string{"latest", "v1.24"}, -1)
			t.Logf("planted %q: %d disagreements in %d comparisons", m.name, stats.disagreements, stats.compared)
			if stats.disagreements == 0 {
				t.Errorf("planted mistake %q went unnoticed", m.name)
			}
		})
	}
}
