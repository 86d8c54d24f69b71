package harness_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/policies"
)

// withModule returns the embedded policies plus one more module.
func withModule(t *testing.T, path, src string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{path: &fstest.MapFile{Data: []byte(src)}}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(policies.FS, p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCompileEnforcesCapabilities(t *testing.T) {
	rule := func(body string) string {
		return "package ringfence.rules.network.probe\n\ndeny contains msg if {\n\t" + body + "\n\tmsg := \"x\"\n}\n"
	}
	tests := []struct {
		name, path, src, wantErr string
	}{
		{"network", "network/probe.rego", rule(`http.send({"method": "GET", "url": "http://127.0.0.1:1"})`), "undefined function http.send"},
		{"dns", "network/probe.rego", rule(`net.lookup_ip_addr("localhost")`), "undefined function net.lookup_ip_addr"},
		{"pure address arithmetic", "network/probe.rego", rule(`net.cidr_contains("10.0.0.0/8", "10.1.2.3")`), ""},
		{"host", "network/probe.rego", rule(`opa.runtime()`), "undefined function opa.runtime"},
		{"random", "network/probe.rego", rule(`rand.intn("x", 10) > 5`), "undefined function rand.intn"},
		{"clock in a rule", "network/probe.rego", rule(`time.now_ns() > 0`), "network/probe.rego:4: time.now_ns is not deterministic: rules may not call it"},
		{"clock in a library", "lib/probe.rego", "package ringfence.lib.probe\n\nnow := time.now_ns()\n", "lib/probe.rego:3: time.now_ns is not deterministic"},
		{"clock in the entry point", "main/probe.rego", "package ringfence.main\n\nnow := time.now_ns()\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := harness.Compile(withModule(t, tc.path, tc.src))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Compile: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("Compile succeeded, want error %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("Compile error %q, want %q", err, tc.wantErr)
			}
		})
	}
}

// A capabilities.json beside custom policies replaces ringfence's own.
func TestCompileReadsCapabilitiesFile(t *testing.T) {
	fsys := withModule(t, "capabilities.json", `{"builtins": []}`)
	_, err := harness.Compile(fsys)
	if err == nil || !strings.Contains(err.Error(), "undefined function") {
		t.Fatalf("Compile with no built-ins allowed: %v, want undefined function", err)
	}
}
