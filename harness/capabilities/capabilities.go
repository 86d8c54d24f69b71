// Package capabilities fixes which OPA built-in functions ringfence's rules may call:
// everything OPA offers except the built-ins that reach the network or the host, or whose
// result is not a function of their arguments. policies/capabilities.json is generated
// from it (go run ./harness/capabilities/gen) and passed to `opa check` and `opa build`;
// ringfence enforces the same set whenever it compiles rules.
package capabilities

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// EntryPackage is the decision entry point's package. It alone may read the clock
// (time.now_ns), to let exemptions expire; rules and libraries may not.
var EntryPackage = ast.MustParseRef("data.ringfence.main")

// EntryBuiltins are the built-ins the entry point may call beyond the capabilities.
var EntryBuiltins = []string{"time.now_ns"}

// hostBuiltins reach the host or the network without being marked non-deterministic.
var hostBuiltins = map[string]string{
	"opa.runtime": "reads the OPA process's environment and configuration",
	"trace":       "writes to the evaluation trace",
	"print":       "writes to the host's output",
}

// Reason says why a built-in is not allowed in rules, or "" when it is.
func Reason(b *ast.Builtin) string {
	switch {
	case b.Name == "http.send" || strings.HasPrefix(b.Name, "net.") && !strings.HasPrefix(b.Name, "net.cidr_"):
		// net.cidr_* only compute on addresses; net.lookup_ip_addr asks DNS.
		return "reaches the network"
	case hostBuiltins[b.Name] != "":
		return hostBuiltins[b.Name]
	case b.Nondeterministic:
		return "is not deterministic"
	}
	return ""
}

// Generate returns the capabilities of the OPA version ringfence is built with, less every
// built-in Reason rejects, and with no network access at all (allow_net empty).
func Generate() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(slices.Clone(c.Builtins), func(b *ast.Builtin) bool { return Reason(b) != "" })
	c.AllowNet = []string{}
	return c
}

// JSON encodes capabilities the way `opa capabilities` prints them, except that an empty
// allow_net is kept: OPA reads a missing allow_net as "any host".
func JSON(c *ast.Capabilities) ([]byte, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding capabilities: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("encoding capabilities: %w", err)
	}
	if c.AllowNet != nil {
		doc["allow_net"] = c.AllowNet
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding capabilities: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse reads a capabilities file.
func Parse(data []byte) (*ast.Capabilities, error) {
	c, err := ast.LoadCapabilitiesJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading capabilities: %w", err)
	}
	return c, nil
}

// WithEntryBuiltins returns c plus the built-ins the entry point may call, for compiling
// the whole policy tree; Check then confines those to the entry point.
func WithEntryBuiltins(c *ast.Capabilities) *ast.Capabilities {
	out := *c
	out.Builtins = slices.Clone(c.Builtins)
	for _, name := range EntryBuiltins {
		if b, ok := ast.BuiltinMap[name]; ok && !hasBuiltin(c, name) {
			out.Builtins = append(out.Builtins, b)
		}
	}
	return &out
}

func hasBuiltin(c *ast.Capabilities, name string) bool {
	return slices.ContainsFunc(c.Builtins, func(b *ast.Builtin) bool { return b.Name == name })
}

// Check reports every call, outside the entry point, to a built-in that c does not
// allow, with its location. Compile the modules with WithEntryBuiltins(c) first: the
// compiler rejects everything else c lacks.
func Check(c *ast.Capabilities, modules map[string]*ast.Module) error {
	allowed := map[string]bool{}
	for _, b := range c.Builtins {
		allowed[b.Name] = true
	}
	var errs []error
	for _, name := range sortedKeys(modules) {
		m := modules[name]
		if m.Package.Path.Equal(EntryPackage) {
			continue
		}
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if !e.IsCall() {
				return false
			}
			op := e.Operator().String()
			if b, ok := ast.BuiltinMap[op]; ok && !allowed[op] {
				reason := Reason(b)
				if reason == "" {
					reason = "is not in the capabilities"
				}
				errs = append(errs, fmt.Errorf("%s: %s %s: rules may not call it", e.Location, op, reason))
			}
			return false
		})
	}
	return errors.Join(errs...)
}

func sortedKeys(m map[string]*ast.Module) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
