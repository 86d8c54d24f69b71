package gatekeeper

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/policies"
)

// probeRule is a rule module for tests; %s is spliced into the deny body.
const probeRule = `# METADATA
# title: Probe
# description: A probe rule.
# scope: package
# custom:
#   id: RF-POD-900
#   severity: low
#   kinds:
#     - {apiVersion: v1, kind: Pod}
#   remediation: Fix it.
#   references: ["none"]
#   parameters: []
package ringfence.rules.pod.probe

import data.ringfence.lib.core
%s
deny contains {"msg": msg, "field": "spec"} if {
	core.kind == "Pod"
	%s
	msg := sprintf("%%s: probe", [core.display])
}

helper := true
`

// policyFS is the embedded libraries plus the given files.
func policyFS(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	libs, err := fs.Glob(policies.FS, "lib/*.rego")
	if err != nil || len(libs) == 0 {
		t.Fatalf("no libraries: %v", err)
	}
	for _, name := range libs {
		data, err := fs.ReadFile(policies.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

// exportRego returns the template Rego of one rule of fsys.
func exportRego(t *testing.T, fsys fs.FS, id string) (templateRego, error) {
	t.Helper()
	c, err := harness.Compile(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := catalog.FromCompiler(c)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := parseSources(fsys)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rules, func(r catalog.Rule) bool { return r.ID == id })
	if i < 0 {
		t.Fatalf("no rule %s", id)
	}
	return srcs.regoFor(rules[i], TemplateName(rules[i]))
}

// TestDisallowedData: a rule, or a library it needs, that refers to data Gatekeeper does
// not provide cannot be exported, and the error names the rule and the module.
func TestDisallowedData(t *testing.T) {
	tests := []struct {
		name           string
		imports, body  string
		extra          map[string]string
		module, reason string
	}{
		{name: "ringfence configuration", body: "data.ringfence.config.strict == true",
			module: "pod/probe.rego", reason: "ringfence configuration does not exist under Gatekeeper"},
		{name: "configuration through an import", imports: "import data.ringfence.config\n", body: "config.strict == true",
			module: "pod/probe.rego", reason: "refers to data.ringfence.config"},
		{name: "other data", body: "data.catalog.teams[_] == core.name",
			module: "pod/probe.rego", reason: "refers to data.catalog.teams[_], which Gatekeeper does not provide"},
		{name: "its own package by full path", body: "data.ringfence.rules.pod.probe.helper",
			module: "pod/probe.rego", reason: "refers to its own package by its full path"},
		{name: "another rule", body: "data.ringfence.rules.pod.privileged.deny",
			module: "pod/probe.rego", reason: "refers to data.ringfence.rules.pod.privileged.deny"},
		{name: "a library that reads other data", imports: "import data.ringfence.lib.teams\n", body: "teams.owned",
			extra:  map[string]string{"lib/teams.rego": "package ringfence.lib.teams\n\nowned if data.teams[input.review.object.metadata.name]\n"},
			module: "lib/teams.rego", reason: "refers to data.teams[input.review.object.metadata.name]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"pod/probe.rego": fmt.Sprintf(probeRule, tt.imports, tt.body)}
			for name, src := range tt.extra {
				files[name] = src
			}
			_, err := exportRego(t, policyFS(t, files), "RF-POD-900")
			want := fmt.Sprintf("rule RF-POD-900: module %s: ", tt.module)
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error = %v\nwant one starting %q and containing %q", err, want, tt.reason)
			}
		})
	}
}

// TestDisallowedDataFailsExport: Export itself refuses such a rule.
func TestDisallowedDataFailsExport(t *testing.T) {
	fsys := policyFS(t, map[string]string{"pod/probe.rego": fmt.Sprintf(probeRule, "", "data.ringfence.config.strict == true")})
	_, err := Export(context.Background(), fsys, nil)
	if err == nil || !strings.Contains(err.Error(), "rule RF-POD-900: module pod/probe.rego") {
		t.Errorf("Export error = %v, want one naming RF-POD-900 and pod/probe.rego", err)
	}
}

const probeLib = `package ringfence.lib.probe

import data.ringfence.lib.core

# value reads a setting: parameters, then configuration, then a fallback.
value(key) := input.parameters[key] if {
	core.is_review
} else := data.ringfence.config.settings[key] if {
	# Configuration is ringfence's own.
	not core.is_review
} else := "fallback"

# configured is configuration only.
configured := data.ringfence.config.settings

# kind is the reviewed kind.
kind := core.kind

# mode is configured, else "audit".
mode := data.ringfence.config.mode if {
	core.is_review
} else := "audit"
`

const wantProbeLib = `package lib.ringfence.probe

import data.lib.ringfence.core

# value reads a setting: parameters, then configuration, then a fallback.
value(key) := input.parameters[key] if {
	core.is_review
} else := "fallback"

# kind is the reviewed kind.
kind := core.kind

# mode is configured, else "audit".
mode := "audit"
`

// TestLibRewrite: libraries move from data.ringfence.lib to data.lib.ringfence (package,
// imports, references), lose what reads ringfence configuration, and only the libraries
// a rule needs, transitively, come along.
func TestLibRewrite(t *testing.T) {
	fsys := policyFS(t, map[string]string{
		"lib/probe.rego": probeLib,
		"pod/probe.rego": fmt.Sprintf(probeRule, "", `data.ringfence.lib.probe.value("mode") != "off"`),
	})
	got, err := exportRego(t, fsys, "RF-POD-900")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Libs) != 2 {
		t.Fatalf("got %d libraries, want core and probe", len(got.Libs))
	}
	if diff := cmp.Diff(wantProbeLib, got.Libs[1]); diff != "" {
		t.Errorf("rewritten library (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"package ringfencepodprobe\n",
		"import data.lib.ringfence.core\n",
		`data.lib.ringfence.probe.value("mode") != "off"`,
		"violation contains",
	} {
		if !strings.Contains(got.Entry, want) {
			t.Errorf("entry module lacks %q:\n%s", want, got.Entry)
		}
	}
	for i, src := range append([]string{got.Entry}, got.Libs...) {
		m, err := ast.ParseModuleWithOpts("module.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("module %d does not parse as Rego v1: %v", i, err)
		}
		for _, ref := range dataRefs(m) {
			if !ref.HasPrefix(targetLibRoot) {
				t.Errorf("module %d still refers to %s", i, ref)
			}
		}
	}
}

// TestLibsPerRule: each template carries the libraries its rule needs and no others.
func TestLibsPerRule(t *testing.T) {
	tests := []struct {
		rule string
		want []string
	}{
		{"RF-POD-001", []string{"data.lib.ringfence.core", "data.lib.ringfence.psa", "data.lib.ringfence.pss"}},
		{"RF-POD-007", []string{"data.lib.ringfence.core", "data.lib.ringfence.image"}},
		{"RF-EXP-002", []string{"data.lib.ringfence.core", "data.lib.ringfence.service"}},
		{"RF-NET-002", []string{"data.lib.ringfence.core", "data.lib.ringfence.netpol", "data.lib.ringfence.selector"}},
		// RF-NET-003 reads Cilium policies too; the cilium library brings cluster along.
		{"RF-NET-003", []string{"data.lib.ringfence.cilium", "data.lib.ringfence.cluster", "data.lib.ringfence.core", "data.lib.ringfence.inventory", "data.lib.ringfence.netpol", "data.lib.ringfence.selector"}},
		{"RF-RBAC-001", []string{"data.lib.ringfence.core", "data.lib.ringfence.inventory"}},
		{"RF-RBAC-016", []string{"data.lib.ringfence.core"}},
		{"RF-RBAC-017", []string{"data.lib.ringfence.core", "data.lib.ringfence.inventory"}},
		{"RF-RBAC-003", []string{"data.lib.ringfence.core", "data.lib.ringfence.rbac"}},
		// RF-RBAC-004 imports only rbac; core comes along because rbac needs it.
		{"RF-RBAC-004", []string{"data.lib.ringfence.core", "data.lib.ringfence.rbac"}},
		{"RF-RBAC-014", []string{"data.lib.ringfence.core", "data.lib.ringfence.rbac"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := exportRego(t, policies.FS, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			var pkgs []string
			for _, src := range got.Libs {
				m, err := ast.ParseModuleWithOpts("lib.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
				if err != nil {
					t.Fatalf("library does not parse as Rego v1: %v\n%s", err, src)
				}
				pkgs = append(pkgs, m.Package.Path.String())
			}
			if diff := cmp.Diff(tt.want, pkgs); diff != "" {
				t.Errorf("libraries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckTemplateRego: the stand-in for Gatekeeper's loader refuses what Gatekeeper does.
func TestCheckTemplateRego(t *testing.T) {
	caps, err := ast.LoadCapabilitiesVersion(GatekeeperOPA)
	if err != nil {
		t.Fatal(err)
	}
	lib := "package lib.x\n\nok := true\n"
	tests := []struct {
		name  string
		entry string
		libs  []string
		want  string // "" accepts
	}{
		{"valid", "package t\n\nimport data.lib.x\n\nviolation contains {\"msg\": \"m\"} if x.ok\n", []string{lib}, ""},
		{"inventory", "package t\n\nviolation contains {\"msg\": \"m\"} if data.inventory.cluster\n", nil, ""},
		{"no violation", "package t\n\ndeny contains \"m\" if true\n", nil, "defines no violation rule"},
		{"library outside data.lib", "package t\n\nviolation contains {\"msg\": \"m\"} if true\n", []string{"package x\n\nok := true\n"}, "is not under data.lib"},
		{"library at data.lib itself", "package t\n\nviolation contains {\"msg\": \"m\"} if true\n", []string{"package lib\n\nok := true\n"}, "is not under data.lib"},
		{"import of input", "package t\n\nimport input.review\n\nviolation contains {\"msg\": \"m\"} if review\n", nil, "disallowed import input.review"},
		{"other data", "package t\n\nviolation contains {\"msg\": \"m\"} if data.ringfence.config.x\n", nil, "disallowed reference data.ringfence.config.x"},
		{"unknown built-in", "package t\n\nviolation contains {\"msg\": \"m\"} if no_such_builtin(1)\n", nil, "undefined function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTemplateRego(tt.entry, tt.libs, caps)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestViolation evaluates an exported template's Rego as Gatekeeper runs it (input
// {review, parameters}): every finding becomes a violation with the rule id and field in
// its details, and the exempt annotation silences the rule it lists.
func TestViolation(t *testing.T) {
	src, err := exportRego(t, policies.FS, "RF-POD-001")
	if err != nil {
		t.Fatal(err)
	}
	modules := []func(*rego.Rego){rego.Module("template.rego", src.Entry)}
	for i, lib := range src.Libs {
		modules = append(modules, rego.Module(fmt.Sprintf("lib_%d.rego", i), lib))
	}
	pod := func(annotations map[string]any) map[string]any {
		return map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": "root", "namespace": "shop", "annotations": annotations},
			"spec": map[string]any{"containers": []any{map[string]any{
				"name": "app", "image": "x", "securityContext": map[string]any{"privileged": true},
			}}},
		}
	}
	want := []any{map[string]any{
		"msg":     `Pod shop/root: container "app" sets securityContext.privileged to true`,
		"details": map[string]any{"rule": "RF-POD-001", "field": "spec.containers[0].securityContext.privileged"},
	}}
	tests := []struct {
		name        string
		annotations map[string]any
		want        []any
	}{
		{"no annotation", nil, want},
		{"exempt from another rule", map[string]any{ExemptAnnotation: "RF-POD-002"}, want},
		{"exempt", map[string]any{ExemptAnnotation: "RF-NET-001, RF-POD-001"}, []any{}},
		{"not a string", map[string]any{ExemptAnnotation: []any{"RF-POD-001"}}, want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rego.New(append([]func(*rego.Rego){
				rego.Query("x := data.ringfencepodprivileged.violation"),
				rego.Input(map[string]any{"review": map[string]any{"object": pod(tt.annotations)}, "parameters": map[string]any{}}),
			}, modules...)...)
			rs, err := r.Eval(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("got %d results", len(rs))
			}
			if diff := cmp.Diff(tt.want, rs[0].Bindings["x"]); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}
