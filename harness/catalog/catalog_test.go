package catalog

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

const goodRule = `# METADATA
# title: Example
# description: An example rule.
# scope: package
# custom:
#   id: RF-POD-900
#   severity: high
#   kinds:
#     - {apiVersion: v1, kind: Pod}
#   remediation: Fix it.
#   references: ["CIS 5.2.2"]
#   parameters:
#     - {name: limit, type: integer, default: 3, description: how many}
package ringfence.rules.pod.example

deny contains "x" if false
`

func compile(t *testing.T, files map[string]string) *ast.Compiler {
	t.Helper()
	modules := map[string]*ast.Module{}
	for name, src := range files {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		modules[name] = m
	}
	c := ast.NewCompiler()
	if c.Compile(modules); c.Failed() {
		t.Fatal(c.Errors)
	}
	return c
}

func TestFromCompiler(t *testing.T) {
	rules, err := FromCompiler(compile(t, map[string]string{"pod/example.rego": goodRule}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 {
		t.Fatalf("got %d rules", len(rules))
	}
	r := rules[0]
	if r.ID != "RF-POD-900" || r.Severity != "high" || r.Title != "Example" || r.Area != "pod" ||
		r.Package != "ringfence.rules.pod.example" || len(r.Kinds) != 1 || len(r.Parameters) != 1 ||
		r.Parameters[0].Name != "limit" || r.Path()[1] != "example" {
		t.Errorf("rule = %+v", r)
	}
	data := Data(rules)["pod"].(map[string]any)["example"].(map[string]any)
	if data["id"] != "RF-POD-900" {
		t.Errorf("catalog data = %v", data)
	}
}

// TestMetadataProblems is the meta-test: each broken METADATA is refused with a message
// that names the problem.
func TestMetadataProblems(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"no id", "#   id: RF-POD-900\n", "", `id "" must look like RF-<AREA>-<NNN>`},
		{"malformed id", "RF-POD-900", "POD-900", "must look like"},
		{"id from another area", "RF-POD-900", "RF-NET-900", "does not match area pod"},
		{"unknown severity", "severity: high", "severity: severe", "severity \"severe\""},
		{"no title", "# title: Example\n", "", "no title"},
		{"no description", "# description: An example rule.\n", "", "no description"},
		{"no kinds", "#   kinds:\n#     - {apiVersion: v1, kind: Pod}\n", "", "no kinds"},
		{"kind without apiVersion", "{apiVersion: v1, kind: Pod}", "{kind: Pod}", "needs apiVersion and kind"},
		{"no remediation", "#   remediation: Fix it.\n", "", "no remediation"},
		{"no references", "#   references: [\"CIS 5.2.2\"]\n", "", "no references"},
		{"parameter without description", ", description: how many}", "}", "needs name, type and description"},
		{"parameter without default", " default: 3,", "", "parameter limit has no default"},
		{"no METADATA", "# METADATA\n", "# not metadata\n", "no METADATA block"},
		{"package outside the layout", "package ringfence.rules.pod.example", "package ringfence.rules.example", "must be ringfence.rules.<area>.<slug>"},
		{"unknown parameter type", "type: integer", "type: int", `has type "int"`},
		{"items on a non-array", "type: integer,", "type: integer, items: integer,", "has items but is not an array"},
		{"unknown items type", "type: integer,", "type: array, items: int,", `has items "int"`},
		{"inventory rule without sync", "#   severity: high\n", "#   severity: high\n#   inventory: true\n", "declares no sync kinds"},
		{"sync on a per-object rule", "#   severity: high\n", "#   severity: high\n#   sync: [{apiVersion: v1, kind: Pod}]\n", "sync is only for inventory rules"},
		{"sync kind without apiVersion", "#   severity: high\n", "#   severity: high\n#   inventory: true\n#   sync: [{kind: Pod}]\n", "sync kind"},
		{"unknown runtime", "#   severity: high\n", "#   severity: high\n#   runtimes: [library, kubectl]\n", `runtime "kubectl"`},
		{"unknown model", "#   severity: high\n", "#   severity: high\n#   runtimes: [library]\n#   model: routing\n", `model "routing"`},
		{"model rule in every runtime", "#   severity: high\n", "#   severity: high\n#   model: segmentation\n", "runs only in library, cli and audit"},
		{"model rule in Gatekeeper", "#   severity: high\n", "#   severity: high\n#   model: segmentation\n#   runtimes: [library, gatekeeper]\n", "runs only in library, cli and audit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(goodRule, tt.from, tt.to, 1)
			if src == goodRule {
				t.Fatalf("replacement %q not found", tt.from)
			}
			_, err := FromCompiler(compile(t, map[string]string{"pod/example.rego": src}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSyncAndItems reads the Gatekeeper-facing metadata: an inventory rule's sync kinds
// and an array parameter's items type.
func TestSyncAndItems(t *testing.T) {
	src := strings.Replace(goodRule, "#   severity: high\n",
		"#   severity: high\n#   inventory: true\n#   sync:\n#     - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy}\n", 1)
	src = strings.Replace(src, "type: integer, default: 3", "type: array, items: integer, default: [3]", 1)
	rules, err := FromCompiler(compile(t, map[string]string{"pod/example.rego": src}))
	if err != nil {
		t.Fatal(err)
	}
	r := rules[0]
	if want := []Kind{{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}}; !r.Inventory || len(r.Sync) != 1 || r.Sync[0] != want[0] {
		t.Errorf("sync = %+v (inventory %v), want %+v", r.Sync, r.Inventory, want)
	}
	if p := r.Parameters[0]; p.Type != "array" || p.Items != "integer" {
		t.Errorf("parameter = %+v, want an array of integers", p)
	}
}

func TestDuplicateIDs(t *testing.T) {
	other := strings.Replace(goodRule, "pod.example", "pod.other", 1)
	_, err := FromCompiler(compile(t, map[string]string{"pod/example.rego": goodRule, "pod/other.rego": other}))
	if err == nil || !strings.Contains(err.Error(), "already used by pod/example.rego") {
		t.Errorf("error = %v, want a duplicate id error", err)
	}
}
