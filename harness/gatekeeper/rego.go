package gatekeeper

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// GatekeeperOPA is the OPA version Gatekeeper v3.23 embeds: exported templates must
// compile with its capabilities.
const GatekeeperOPA = "v1.17.1"

// ExemptAnnotation lists, comma-separated, the rule ids an object is exempt from; the
// templates honour it as the decision entry point of the library does.
const ExemptAnnotation = "ringfence.dev/exempt"

var (
	// sourceLibRoot is where ringfence's libraries live; Gatekeeper only accepts libraries
	// strictly under data.lib, so they move to targetLibRoot.
	sourceLibRoot = ast.MustParseRef("data.ringfence.lib")
	targetLibRoot = ast.MustParseRef("data.lib.ringfence")
	// configRoot is ringfence configuration, which Gatekeeper has no equivalent of:
	// constraints carry the parameters.
	configRoot = ast.MustParseRef("data.ringfence.config")
	// inventoryRoot is the replicated cluster state Gatekeeper provides.
	inventoryRoot = ast.MustParseRef("data.inventory")
)

// generated names the rules the export adds to a rule's module; a rule that defines one
// of them cannot be exported.
var generated = []string{"violation", "ringfence_exempt", "ringfence_finding", "ringfence_image_exempt"}

// sources holds the policy modules as written (parsed with their METADATA, not
// compiled), so they can be rewritten and printed back as Rego.
type sources struct {
	modules map[string]*ast.Module // by file name
	libs    []string               // names of the modules under data.ringfence.lib, sorted
}

func parseSources(fsys fs.FS) (*sources, error) {
	modules, err := harness.ParseModules(fsys)
	if err != nil {
		return nil, err
	}
	s := &sources{modules: modules}
	for p, m := range modules {
		if m.Package.Path.HasPrefix(sourceLibRoot) {
			s.libs = append(s.libs, p)
		}
	}
	slices.Sort(s.libs)
	return s, nil
}

// templateRego is the Rego of one rule's ConstraintTemplate.
type templateRego struct {
	Entry string   // the rule's module, renamed, with the violation rule
	Libs  []string // the libraries it needs, moved under data.lib
}

// ruleError names the rule and the module an export problem comes from.
func ruleError(r catalog.Rule, module string, format string, args ...any) error {
	return fmt.Errorf("rule %s: module %s: %s", r.ID, module, fmt.Sprintf(format, args...))
}

// regoFor builds the template Rego of rule r: its module with package pkg and a
// violation rule wrapping deny, and every library it needs, transitively, rewritten
// from data.ringfence.lib.X to data.lib.ringfence.X. Library rules (or else branches)
// that read ringfence configuration are dropped; any other reference outside the
// libraries and data.inventory is an error.
func (s *sources) regoFor(r catalog.Rule, pkg string) (templateRego, error) {
	orig, ok := s.modules[r.File]
	if !ok {
		return templateRego{}, fmt.Errorf("rule %s: module %s not found", r.ID, r.File)
	}
	m := orig.Copy()
	for _, ref := range dataRefs(m) {
		if err := checkRef(ref, m); err != nil {
			return templateRego{}, ruleError(r, r.File, "%v", err)
		}
	}
	for _, rule := range m.Rules {
		if name := rule.Head.Ref()[0].String(); slices.Contains(generated, name) {
			return templateRego{}, ruleError(r, r.File, "defines %s, which the export generates", name)
		}
	}
	if err := addViolation(m, r.ID, r.InspectsPodSpecs()); err != nil {
		return templateRego{}, ruleError(r, r.File, "%v", err)
	}

	// The libraries the rule needs, in the order of s.libs.
	need := map[string]bool{}
	queue := []*ast.Module{m}
	libs := map[string]*ast.Module{}
	for len(queue) > 0 {
		mod := queue[0]
		queue = queue[1:]
		for _, name := range s.libsFor(mod) {
			if need[name] {
				continue
			}
			need[name] = true
			lib := s.modules[name].Copy()
			dropConfig(lib)
			for _, ref := range dataRefs(lib) {
				if err := checkRef(ref, lib); err != nil {
					return templateRego{}, ruleError(r, name, "%v", err)
				}
			}
			libs[name] = lib
			queue = append(queue, lib)
		}
	}

	var out templateRego
	for _, name := range s.libs {
		lib, ok := libs[name]
		if !ok {
			continue
		}
		if err := moveLibRefs(lib); err != nil {
			return templateRego{}, ruleError(r, name, "%v", err)
		}
		src, err := formatModule(lib)
		if err != nil {
			return templateRego{}, ruleError(r, name, "%v", err)
		}
		out.Libs = append(out.Libs, src)
	}
	if err := moveLibRefs(m); err != nil {
		return templateRego{}, ruleError(r, r.File, "%v", err)
	}
	m.Package.Path = ast.Ref{ast.DefaultRootDocument, ast.StringTerm(pkg)}
	src, err := formatModule(m)
	if err != nil {
		return templateRego{}, ruleError(r, r.File, "%v", err)
	}
	out.Entry = src
	return out, nil
}

// libsFor returns the library modules mod imports or refers to.
func (s *sources) libsFor(mod *ast.Module) []string {
	var out []string
	for _, ref := range dataRefs(mod) {
		if !ref.HasPrefix(sourceLibRoot) {
			continue
		}
		prefix := ref.GroundPrefix()
		for _, name := range s.libs {
			pkg := s.modules[name].Package.Path
			if (prefix.HasPrefix(pkg) || pkg.HasPrefix(prefix)) && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// checkRef accepts references to the libraries, to data.inventory and, within a module,
// to the module's own package; ringfence configuration and anything else under data are
// not there under Gatekeeper.
func checkRef(ref ast.Ref, mod *ast.Module) error {
	switch {
	case ref.HasPrefix(sourceLibRoot), ref.HasPrefix(inventoryRoot):
		return nil
	case ref.HasPrefix(configRoot):
		return fmt.Errorf("refers to %s: ringfence configuration does not exist under Gatekeeper, where constraints carry the parameters", ref)
	case len(ref) == 1:
		return errors.New("refers to all of data, which Gatekeeper does not provide")
	case ref.HasPrefix(mod.Package.Path):
		return fmt.Errorf("refers to its own package by its full path (%s), which Gatekeeper renames", ref)
	default:
		return fmt.Errorf("refers to %s, which Gatekeeper does not provide: templates may only use %s and %s", ref, sourceLibRoot, inventoryRoot)
	}
}

// dataRefs returns the references to data a module makes: its imports and every
// reference that starts at data.
func dataRefs(x any) []ast.Ref {
	var out []ast.Ref
	if m, ok := x.(*ast.Module); ok {
		for _, imp := range m.Imports {
			if ref, ok := imp.Path.Value.(ast.Ref); ok && ref.HasPrefix(ast.DefaultRootRef) {
				out = append(out, ref)
			}
		}
		for _, r := range m.Rules {
			out = append(out, dataRefs(r)...)
		}
		return out
	}
	var visit func(t *ast.Term) bool
	visit = func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			if v.HasPrefix(ast.DefaultRootRef) {
				out = append(out, v)
			}
			// The head of a reference is not data on its own; its other terms may
			// hold references.
			for _, part := range v[1:] {
				ast.WalkTerms(part, visit)
			}
			return true
		case ast.Var:
			if v.Equal(ast.DefaultRootDocument.Value) {
				out = append(out, ast.DefaultRootRef)
			}
		}
		return false
	}
	ast.WalkTerms(x, visit)
	return out
}

// configAliases returns the names under which a module imports ringfence configuration.
func configAliases(m *ast.Module) map[ast.Var]bool {
	out := map[ast.Var]bool{}
	for _, imp := range m.Imports {
		ref, ok := imp.Path.Value.(ast.Ref)
		if !ok || !ref.HasPrefix(configRoot) && !configRoot.HasPrefix(ref) {
			continue
		}
		alias := imp.Alias
		if alias == "" {
			if s, ok := ref[len(ref)-1].Value.(ast.String); ok {
				alias = ast.Var(s)
			}
		}
		out[alias] = true
	}
	return out
}

// readsConfig reports whether a rule (one element of an else chain: its head and body,
// not its else branches) reads ringfence configuration.
func readsConfig(r *ast.Rule, aliases map[ast.Var]bool) bool {
	found := false
	visit := func(t *ast.Term) bool {
		ref, ok := t.Value.(ast.Ref)
		if !ok {
			return found
		}
		// data.ringfence.config.x, or a reference that may reach it (data.ringfence[k]).
		if ref.HasPrefix(ast.DefaultRootRef) && (ref.HasPrefix(configRoot) || configRoot.HasPrefix(ref.GroundPrefix())) {
			found = true
		}
		if v, ok := ref[0].Value.(ast.Var); ok && aliases[v] {
			found = true
		}
		return found
	}
	ast.WalkTerms(r.Head, visit)
	ast.WalkTerms(r.Body, visit)
	return found
}

// dropConfig removes from a library module the rules, and the else branches of rules,
// that read ringfence configuration, with the comments inside them and the imports of
// configuration. A rule whose every branch reads configuration disappears.
func dropConfig(m *ast.Module) {
	aliases := configAliases(m)
	var dropped [][2]int // row spans of what was removed
	var rules []*ast.Rule
	for _, r := range m.Rules {
		var keep []*ast.Rule
		for b := r; b != nil; b = b.Else {
			if readsConfig(b, aliases) {
				dropped = append(dropped, rowSpan(b))
				continue
			}
			keep = append(keep, b)
		}
		if len(keep) == 0 {
			// The rule's doc comment goes with it.
			dropped = append(dropped, docComment(m.Comments, r.Location.Row))
			continue
		}
		for i, b := range keep {
			b.Else = nil
			if i > 0 {
				keep[i-1].Else = b
			}
		}
		// A former else branch now heads the chain: it is a plain rule, where the rule was
		// (so its doc comment stays right above it).
		if keep[0] != r {
			keep[0].Default = r.Default
			keep[0].Location = r.Location
		}
		rules = append(rules, keep[0])
	}
	m.Rules = rules
	m.Imports = slices.DeleteFunc(m.Imports, func(imp *ast.Import) bool {
		ref, ok := imp.Path.Value.(ast.Ref)
		return ok && (ref.HasPrefix(configRoot) || configRoot.HasPrefix(ref))
	})
	m.Comments = slices.DeleteFunc(m.Comments, func(c *ast.Comment) bool {
		for _, span := range dropped {
			if c.Location != nil && c.Location.Row >= span[0] && c.Location.Row <= span[1] {
				return true
			}
		}
		return false
	})
}

// docComment is the span of the comment lines right above row.
func docComment(comments []*ast.Comment, row int) [2]int {
	rows := map[int]bool{}
	for _, c := range comments {
		if c.Location != nil {
			rows[c.Location.Row] = true
		}
	}
	first := row
	for rows[first-1] {
		first--
	}
	return [2]int{first, row - 1}
}

// rowSpan is the first and last source row of one element of an else chain.
func rowSpan(r *ast.Rule) [2]int {
	span := [2]int{r.Location.Row, r.Location.Row}
	visit := func(n ast.Node) bool {
		if loc := n.Loc(); loc != nil {
			last := loc.Row + strings.Count(string(loc.Text), "\n")
			span[0], span[1] = min(span[0], loc.Row), max(span[1], last)
		}
		return false
	}
	ast.WalkNodes(r.Head, visit)
	ast.WalkNodes(r.Body, visit)
	return span
}

// moveLibRefs rewrites the module's package (for a library), imports and references
// from data.ringfence.lib.X to data.lib.ringfence.X.
func moveLibRefs(m *ast.Module) error {
	move := func(ref ast.Ref) ast.Ref {
		if !ref.HasPrefix(sourceLibRoot) {
			return ref
		}
		out := make(ast.Ref, 0, len(ref)-len(sourceLibRoot)+len(targetLibRoot))
		for _, t := range targetLibRoot {
			c := t.Copy()
			c.Location = ref[0].Location
			out = append(out, c)
		}
		return append(out, ref[len(sourceLibRoot):]...)
	}
	m.Package.Path = move(m.Package.Path)
	_, err := ast.TransformRefs(m, func(ref ast.Ref) (ast.Value, error) { return move(ref), nil })
	return err
}

// formatModule prints a module as Rego v1.
func formatModule(m *ast.Module) (string, error) {
	out, err := format.AstWithOpts(m, format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		return "", fmt.Errorf("formatting: %w", err)
	}
	return string(out), nil
}

// violationRego is what the export adds to a rule's module: Gatekeeper's violation rule,
// one per finding of deny with the rule id and the field in its details, unless the
// object's exempt annotation lists the rule. %[1]s is the rule id as a Rego string, %[3]s
// the condition that keeps exempt images out (empty for rules without pod specs).
const violationRego = `package generated

# violation is the template's entry point for Gatekeeper: one violation per finding of
# deny, with the rule id and the offending field in its details, unless the object's
# ` + ExemptAnnotation + ` annotation (comma-separated rule ids) lists this rule.
violation contains {"msg": finding.msg, "details": {"rule": %[1]s, "field": finding.field}} if {
	some v in deny
	finding := ringfence_finding(v)
	not ringfence_exempt
%[3]s}

# ringfence_exempt is true when the object under review is exempt from this rule.
ringfence_exempt if {
	listed := data.ringfence.lib.core.annotations[%[2]s]
	is_string(listed)
	some entry in split(listed, ",")
	trim_space(entry) == %[1]s
}

# ringfence_finding reads a finding of deny: {"msg", "field"}, or a bare message.
ringfence_finding(v) := object.union({"field": ""}, v) if is_object(v)

else := {"msg": v, "field": ""}
%[4]s`

// imageExemptCondition and imageExemptRego are what violationRego adds for a rule that
// inspects pod specs: the constraint's exemptImages parameter exempts the findings in
// containers running those images.
const imageExemptCondition = "\tnot ringfence_image_exempt(finding.field)\n"

const imageExemptRego = `
# ringfence_image_exempt is true for a finding in a container whose image the constraint's
# ` + ExemptImagesParameter + ` parameter lists (exactly, or as a prefix ending in *).
ringfence_image_exempt(field) if {
	data.ringfence.lib.core.image_exempt(field, input.parameters.` + ExemptImagesParameter + `)
}
`

// addViolation appends the violation rule and its helpers to a rule's module, placed
// after everything the module holds so they print last.
func addViolation(m *ast.Module, id string, podSpecs bool) error {
	condition, helper := "", ""
	if podSpecs {
		condition, helper = imageExemptCondition, imageExemptRego
	}
	src := fmt.Sprintf(violationRego, strconv.Quote(id), strconv.Quote(ExemptAnnotation), condition, helper)
	gen, err := ast.ParseModuleWithOpts("generated.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("generating the violation rule: %w", err)
	}
	// Shift the generated rules and comments below the module's last row.
	last := 0
	ast.WalkNodes(m, func(n ast.Node) bool {
		if loc := n.Loc(); loc != nil {
			last = max(last, loc.Row+strings.Count(string(loc.Text), "\n"))
		}
		return false
	})
	for _, c := range m.Comments {
		last = max(last, c.Location.Row)
	}
	shift := last + 1 - gen.Package.Location.Row
	seen := map[*ast.Location]bool{}
	move := func(loc *ast.Location) {
		if loc != nil && !seen[loc] {
			seen[loc] = true
			loc.Row += shift
			loc.File = m.Package.Location.File
		}
	}
	for _, r := range gen.Rules {
		ast.WalkNodes(r, func(n ast.Node) bool {
			move(n.Loc())
			return false
		})
	}
	for _, c := range gen.Comments {
		move(c.Location)
	}
	for _, r := range gen.Rules {
		r.Module = m
	}
	m.Rules = append(m.Rules, gen.Rules...)
	m.Comments = append(m.Comments, gen.Comments...)
	return nil
}
