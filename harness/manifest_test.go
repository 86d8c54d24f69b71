package harness_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"
)

// TestBundleManifest checks the source of the OPA bundle's .manifest: OPA must accept it,
// and its roots must hold the policies but leave data.inventory to whoever pushes it.
func TestBundleManifest(t *testing.T) {
	raw, err := os.ReadFile("../bundle.manifest")
	if err != nil {
		t.Fatal(err)
	}
	var m bundle.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("bundle.manifest: %v", err)
	}
	m.Init()
	if m.Roots == nil || !slices.Contains(*m.Roots, "ringfence") || slices.Contains(*m.Roots, "inventory") {
		t.Errorf("roots = %v, want ringfence and not inventory", m.Roots)
	}
	if m.RegoVersion == nil || *m.RegoVersion != 1 {
		t.Errorf("rego_version = %v, want 1", m.RegoVersion)
	}
}
