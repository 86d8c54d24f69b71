package capabilities_test

import (
	"bytes"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringfence/ringfence/harness/capabilities"
	"github.com/ringfence/ringfence/policies"
)

// The checked-in file must be what the generator writes for the OPA version in go.mod.
func TestFileIsGenerated(t *testing.T) {
	want, err := capabilities.JSON(capabilities.Generate())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, policies.Capabilities) {
		t.Fatal("policies/capabilities.json is stale: go run ./harness/capabilities/gen > policies/capabilities.json")
	}
}

func TestGenerate(t *testing.T) {
	c, err := capabilities.Parse(policies.Capabilities)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, b := range c.Builtins {
		have[b.Name] = true
	}
	for _, name := range []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "time.now_ns", "rand.intn", "uuid.rfc4122", "io.jwt.decode_verify", "print", "trace"} {
		if have[name] {
			t.Errorf("capabilities allow %s", name)
		}
	}
	for _, name := range []string{"glob.match", "regex.match", "object.union", "rego.metadata.chain", "time.parse_rfc3339_ns", "sprintf", "net.cidr_contains", "net.cidr_intersects", "net.cidr_is_valid"} {
		if !have[name] {
			t.Errorf("capabilities lack %s", name)
		}
	}
	if c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("allow_net = %#v, want [] (no host)", c.AllowNet)
	}
	// Every built-in OPA marks non-deterministic is out.
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic && have[b.Name] {
			t.Errorf("capabilities allow non-deterministic %s", b.Name)
		}
	}
}
