// Package gatekeeper exports ringfence's rules as OPA Gatekeeper policies.
//
// Export turns every rule into a ConstraintTemplate (the rule's own Rego, with a
// violation rule wrapping deny, and the libraries it needs moved under data.lib) and a
// Constraint with the METADATA default parameters, adds the sync Config that cross-object
// rules need and a kustomization.yaml, and, from the rules' fixtures, gator test suites
// whose expected violations are the library's findings on the same objects:
//
//	b, err := gatekeeper.Export(ctx, policies.FS, os.DirFS("fixtures"))
//	err = b.Write(ctx, "deploy/gatekeeper")
//
// then `kubectl apply -k deploy/gatekeeper` installs the policies and
// `gator verify deploy/gatekeeper/tests/...` checks that Gatekeeper reaches the
// library's verdicts.
package gatekeeper

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/policies"
)

// Bundle is an export in memory: the files to write, by slash-separated path relative
// to the output directory, and what was exported for each rule.
type Bundle struct {
	Files map[string][]byte
	Rules []RuleExport
}

// RuleExport says what the export made of one rule.
type RuleExport struct {
	ID         string
	Kind       string // the constraint kind
	Template   string // file paths in the bundle
	Constraint string
	Suite      string // "" without fixtures

	Fixtures   int // fixture files turned into tests
	Cases      int // fixture objects the constraint matches, one case each
	Violations int // violations the cases expect in all
	Adapted    int // fixture objects whose namespace was set or cleared as the API server would
	// LibraryOnly lists the fixture objects the library evaluates for the rule (it
	// dispatches on the kind name alone) but the constraint does not match (its API group
	// is not among the rule's METADATA kinds), so no case reviews them.
	LibraryOnly []LibraryOnly
}

// LibraryOnly is a fixture object only the library evaluates, with its finding count.
type LibraryOnly struct {
	Fixture  string
	Object   string
	Findings int
}

// Cases counts the cases of every suite.
func (b *Bundle) Cases() int {
	n := 0
	for _, r := range b.Rules {
		n += r.Cases
	}
	return n
}

// Fixtures counts the fixture files the suites come from.
func (b *Bundle) Fixtures() int {
	n := 0
	for _, r := range b.Rules {
		n += r.Fixtures
	}
	return n
}

// Layout of an export.
const (
	KustomizationFile = "kustomization.yaml"
	SyncConfigFile    = "sync/config.yaml"
	markerFile        = ".ringfence-gatekeeper-export"
	readmeFile        = "README.md"
)

// generatedEntries are the top-level entries an export owns: writing over a previous
// export removes them first, so no file of a removed rule stays behind.
var generatedEntries = []string{"templates", "constraints", "sync", "tests", KustomizationFile, readmeFile, markerFile}

// exporter carries one export's inputs and the library engines it evaluates fixtures with.
type exporter struct {
	policies fs.FS
	fixtures fs.FS
	engines  map[string]*harness.Engine
	base     *harness.Engine // the compiled rules the engines share
}

// Export builds the Gatekeeper policies for the rules in fsys (laid out like the policies
// directory; nil is the embedded rules) and, when fixtures is not nil, gator suites from
// the fixtures in it (<RULE-ID>/fire-*.yaml and pass-*.yaml).
func Export(ctx context.Context, fsys, fixtures fs.FS) (*Bundle, error) {
	if fsys == nil {
		fsys = policies.FS
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	compiler, err := harness.Compile(fsys)
	if err != nil {
		return nil, err
	}
	rules, err := catalog.FromCompiler(compiler)
	if err != nil {
		return nil, fmt.Errorf("rule metadata: %w", err)
	}
	// Rules that read an analysis only the harness makes do not run in Gatekeeper.
	rules = slices.DeleteFunc(rules, func(r catalog.Rule) bool { return !r.RunsIn("gatekeeper") })
	srcs, err := parseSources(fsys)
	if err != nil {
		return nil, err
	}
	caps, err := ast.LoadCapabilitiesVersion(GatekeeperOPA)
	if err != nil {
		return nil, fmt.Errorf("loading the capabilities of OPA %s: %w", GatekeeperOPA, err)
	}
	x := &exporter{policies: fsys, fixtures: fixtures, engines: map[string]*harness.Engine{}}
	b := &Bundle{Files: map[string][]byte{}}
	var templates, constraints []string
	for _, r := range rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rego, err := srcs.regoFor(r, TemplateName(r))
		if err != nil {
			return nil, err
		}
		if err := CheckTemplateRego(rego.Entry, rego.Libs, caps); err != nil {
			return nil, fmt.Errorf("rule %s: the exported Rego would not load in Gatekeeper: %w", r.ID, err)
		}
		tmpl, err := template(r, rego)
		if err != nil {
			return nil, err
		}
		re := RuleExport{
			ID:         r.ID,
			Kind:       Kind(r),
			Template:   path.Join("templates", fileName(r)),
			Constraint: path.Join("constraints", fileName(r)),
		}
		data, err := marshal(fmt.Sprintf("Generated by ringfence gatekeeper export from %s (%s); do not edit.", r.File, r.ID), tmpl)
		if err != nil {
			return nil, fmt.Errorf("rule %s: template: %w", r.ID, err)
		}
		b.Files[re.Template] = data
		header := fmt.Sprintf("Generated by ringfence gatekeeper export for %s. Tune spec.parameters and spec.match with a\nkustomize patch (or in a copy): the next export replaces this file.", r.ID)
		if r.Inventory {
			header += "\nenforcementAction is warn: " + strings.TrimPrefix(warnReason, "warn: ") + "."
		}
		if data, err = marshal(header, constraint(r, defaults(r))); err != nil {
			return nil, fmt.Errorf("rule %s: constraint: %w", r.ID, err)
		}
		b.Files[re.Constraint] = data
		templates, constraints = append(templates, re.Template), append(constraints, re.Constraint)
		if fixtures != nil {
			if err := x.suite(ctx, b, r, &re); err != nil {
				return nil, err
			}
		}
		b.Rules = append(b.Rules, re)
	}
	resources := append(templates, constraints...)
	if cfg, ok := syncConfig(rules); ok {
		data, err := marshal(`Generated by ringfence gatekeeper export: the kinds ringfence's cross-object rules read
from data.inventory. Gatekeeper has one Config (gatekeeper-system/config): merge this
sync list into yours if you already have one, since applying it replaces the whole spec.`, cfg)
		if err != nil {
			return nil, fmt.Errorf("sync config: %w", err)
		}
		b.Files[SyncConfigFile] = data
		resources = append(resources, SyncConfigFile)
	}
	data, err := marshal(`Generated by ringfence gatekeeper export: kubectl apply -k <this directory>.
Gatekeeper creates each constraint's CRD from its template, so on a first install the
constraints may be refused until the templates are ready: apply again after a few seconds.`, kustomization(resources))
	if err != nil {
		return nil, fmt.Errorf("kustomization: %w", err)
	}
	b.Files[KustomizationFile] = data
	b.Files[readmeFile] = []byte(readme)
	b.Files[markerFile] = []byte("Written by `ringfence gatekeeper export`: the next export into this directory replaces its files.\n")
	return b, nil
}

const readme = `# ringfence for Gatekeeper

Generated by ` + "`ringfence gatekeeper export`" + `; the next export into this directory replaces
the files below (other files are left alone).

- ` + "`templates/`" + `: one ConstraintTemplate per rule (the rule's Rego, Rego v1, with the ringfence
  libraries it needs under ` + "`data.lib.ringfence`" + `).
- ` + "`constraints/`" + `: one constraint per rule with the default parameters. Rules that read other
  objects (cross-object rules) use ` + "`enforcementAction: warn`" + `; the others deny.
- ` + "`sync/config.yaml`" + `: the Gatekeeper Config that replicates the kinds cross-object rules read.
- ` + "`tests/`" + `: gator suites generated from the rules' fixtures.

Install: ` + "`kubectl apply -k .`" + ` (apply again once the templates' CRDs exist).
Test: ` + "`gator verify tests/...`" + `.
Objects annotated ` + "`ringfence.dev/exempt: RF-XXX-NNN[,...]`" + ` are exempt from those rules.
`

// CheckTemplateRego loads a template's Rego the way Gatekeeper does and reports why it
// would refuse it: the entry module must define violation; libraries must live strictly
// under data.lib; imports and data references may only point at data.lib and
// data.inventory; and everything must compile with caps (Gatekeeper's OPA).
func CheckTemplateRego(entry string, libs []string, caps *ast.Capabilities) error {
	libRoot := ast.MustParseRef("data.lib")
	opts := ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}
	modules := map[string]*ast.Module{}
	m, err := ast.ParseModuleWithOpts("template.rego", entry, opts)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(m.Rules, func(r *ast.Rule) bool { return r.Head.Ref()[0].Equal(ast.VarTerm("violation")) }) {
		return errors.New("the entry module defines no violation rule")
	}
	modules["template.rego"] = m
	for i, src := range libs {
		name := fmt.Sprintf("lib_%d.rego", i)
		lib, err := ast.ParseModuleWithOpts(name, src, opts)
		if err != nil {
			return fmt.Errorf("library %d: %w", i, err)
		}
		if !lib.Package.Path.HasPrefix(libRoot) || lib.Package.Path.Equal(libRoot) {
			return fmt.Errorf("library %d: package %s is not under %s", i, lib.Package.Path, libRoot)
		}
		modules[name] = lib
	}
	future := ast.Ref{ast.VarTerm("future")}
	for name, mod := range modules {
		for _, imp := range mod.Imports {
			ref, ok := imp.Path.Value.(ast.Ref)
			if !ok || !ref.HasPrefix(libRoot) && !ref.HasPrefix(future) {
				return fmt.Errorf("%s: disallowed import %s (only data.lib.* and future keywords)", name, imp.Path)
			}
		}
		for _, ref := range dataRefs(mod) {
			if ref.HasPrefix(libRoot) && !ref.Equal(libRoot) || ref.HasPrefix(inventoryRoot) {
				continue
			}
			return fmt.Errorf("%s: disallowed reference %s (only data.lib.* and data.inventory)", name, ref)
		}
	}
	c := ast.NewCompiler().WithCapabilities(caps)
	if c.Compile(modules); c.Failed() {
		return c.Errors
	}
	return nil
}

// Write writes the bundle into dir, creating it. A directory holding a previous export
// loses that export's files first; any other directory must be empty.
func (b *Bundle) Write(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("reading %s: %w", dir, err)
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			return fmt.Errorf("%s is not empty and holds no previous export: choose a new or empty directory", dir)
		}
		for _, e := range generatedEntries {
			if err := os.RemoveAll(filepath.Join(dir, e)); err != nil {
				return fmt.Errorf("removing the previous export: %w", err)
			}
		}
	}
	names := make([]string, 0, len(b.Files))
	for name := range b.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return fmt.Errorf("writing the export: %w", err)
		}
		if err := os.WriteFile(file, b.Files[name], 0o644); err != nil {
			return fmt.Errorf("writing the export: %w", err)
		}
	}
	return nil
}
