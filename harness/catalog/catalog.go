// Package catalog reads the rules' METADATA annotations from compiled policies: every
// fact about a rule (id, severity, kinds, parameters, references) lives in its Rego file.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringfence/ringfence/harness/workload"
)

// RulesRoot is the package prefix every rule lives under: ringfence.rules.<area>.<slug>.
var RulesRoot = ast.MustParseRef("data.ringfence.rules")

// Severity levels from most to least severe.
var Severities = []string{"critical", "high", "medium", "low"}

// areaPrefixes ties each policy area to the id prefix its rules use.
var areaPrefixes = map[string]string{
	"network":  "NET",
	"pod":      "POD",
	"rbac":     "RBAC",
	"exposure": "EXP",
	"surface":  "SURF",
	"mesh":     "MESH",
	"patching": "PATCH",
	"logging":  "LOG",
}

var idPattern = regexp.MustCompile(`^RF-([A-Z]+)-(\d{3})$`)

// Kind is an apiVersion/kind pair a rule inspects.
type Kind struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// Parameter is a setting a rule reads, with its default.
type Parameter struct {
	Name string `json:"name"`
	// Type is the parameter's JSON schema type: string, integer, number, boolean, array
	// or object.
	Type string `json:"type"`
	// Items is the JSON schema type of an array parameter's elements (optional; only
	// for arrays). Gatekeeper needs it to build the constraint's parameter schema.
	Items       string `json:"items,omitempty"`
	Default     any    `json:"default"`
	Description string `json:"description"`
}

// PodSecurityCheck ties a rule to an upstream Pod Security Standards check.
type PodSecurityCheck struct {
	Check string `json:"check"`
	Level string `json:"level"`
}

// AllRuntimes are the places a rule can run.
var AllRuntimes = []string{"library", "cli", "audit", "opa", "conftest", "gatekeeper"}

// Models are the harness analyses a rule can read.
var Models = []string{"segmentation", "permissions"}

// RunsIn reports whether the rule runs in a runtime (one of AllRuntimes); a rule that
// lists no runtimes runs in all of them.
func (r Rule) RunsIn(runtime string) bool {
	return len(r.Runtimes) == 0 || slices.Contains(r.Runtimes, runtime)
}

// SchemaTypes are the JSON schema types a parameter and its items may have.
var SchemaTypes = []string{"string", "integer", "number", "boolean", "array", "object"}

// Rule is everything the METADATA block says about one rule.
type Rule struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"`
	Area        string `json:"area"`
	Package     string `json:"package"`
	File        string `json:"file"`
	Kinds       []Kind `json:"kinds"`
	Inventory   bool   `json:"inventory"`
	// Runtimes lists where the rule runs, when not everywhere: a rule that needs an
	// analysis only the harness makes (Model) runs in the library, the CLI and audits.
	Runtimes []string `json:"runtimes,omitempty"`
	// Model names the harness analysis whose results the rule reads from
	// data.ringfence.model: "segmentation" (the connectivity model and the rule's
	// invariants).
	Model       string      `json:"model,omitempty"`
	Remediation string      `json:"remediation"`
	References  []string    `json:"references"`
	Parameters  []Parameter `json:"parameters"`
	// PodSecurity names the Pod Security Standards check the rule implements, as Pod
	// Security Admission (k8s.io/pod-security-admission) names it, and the level it
	// belongs to. Such rules take the level and version parameters.
	PodSecurity *PodSecurityCheck `json:"podSecurity,omitempty"`
	// Sync lists the apiVersion/kind pairs a cross-object rule reads from data.inventory,
	// so Gatekeeper can be told to replicate them. Every inventory rule declares it.
	Sync []Kind `json:"sync,omitempty"`

	path []string // area, slug
}

// Path returns the rule's package path below data.ringfence.rules: area and slug.
func (r Rule) Path() []string { return r.path }

// InspectsPodSpecs is true for a rule that inspects a kind carrying pod specs (Pods and
// the workload kinds with a pod template): its findings about one container can be
// exempted by the container's image.
func (r Rule) InspectsPodSpecs() bool {
	return slices.ContainsFunc(r.Kinds, func(k Kind) bool { return workload.RunsPods(k.APIVersion, k.Kind) })
}

// FromCompiler returns the rules of a compiled policy tree, sorted by id. The compiler
// must have parsed the modules with annotations. Every rule's metadata is checked; all
// problems are reported together.
func FromCompiler(c *ast.Compiler) ([]Rule, error) {
	var rules []Rule
	var problems []error
	seen := map[string]string{}
	for _, name := range sortedModuleNames(c) {
		mod := c.Modules[name]
		if !mod.Package.Path.HasPrefix(RulesRoot) {
			continue
		}
		r, err := fromModule(name, mod)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if other, dup := seen[r.ID]; dup {
			problems = append(problems, fmt.Errorf("%s: id %s is already used by %s", name, r.ID, other))
			continue
		}
		seen[r.ID] = name
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, errors.Join(problems...)
}

func sortedModuleNames(c *ast.Compiler) []string {
	names := make([]string, 0, len(c.Modules))
	for n := range c.Modules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func fromModule(file string, mod *ast.Module) (Rule, error) {
	fail := func(format string, args ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("%s: %s", file, fmt.Sprintf(format, args...))
	}
	path, err := mod.Package.Path.Ptr()
	if err != nil {
		return fail("package path: %v", err)
	}
	segs := strings.Split(path, "/")
	// ringfence/rules/<area>/<slug>
	if len(segs) != 4 {
		return fail("package %s must be ringfence.rules.<area>.<slug>", mod.Package.Path)
	}
	area, slug := segs[2], segs[3]
	var ann *ast.Annotations
	for _, a := range mod.Annotations {
		if a.Scope == "package" {
			ann = a
		}
	}
	if ann == nil {
		return fail("no METADATA block with scope: package")
	}
	// The custom block carries the rest of the rule's fields under the same JSON names.
	var r Rule
	raw, err := json.Marshal(ann.Custom)
	if err != nil {
		return fail("custom metadata: %v", err)
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fail("custom metadata: %v", err)
	}
	r.Title, r.Description = ann.Title, strings.TrimSpace(ann.Description)
	r.Area, r.File, r.path = area, file, []string{area, slug}
	r.Package = strings.TrimPrefix(mod.Package.Path.String(), "data.")
	r.Remediation = strings.TrimSpace(r.Remediation)
	if r.Parameters == nil {
		r.Parameters = []Parameter{}
	}
	// Every parameter has a default, so that configuration can resolve each one to a
	// value (config.Resolve): a missing default would become null.
	if params, ok := ann.Custom["parameters"].([]any); ok {
		for _, p := range params {
			if m, ok := p.(map[string]any); ok {
				if _, has := m["default"]; !has {
					return fail("parameter %v has no default", m["name"])
				}
			}
		}
	}
	if err := r.validate(); err != nil {
		return fail("%v", err)
	}
	return r, nil
}

func (r Rule) validate() error {
	var problems []string
	m := idPattern.FindStringSubmatch(r.ID)
	switch {
	case m == nil:
		problems = append(problems, fmt.Sprintf("id %q must look like RF-<AREA>-<NNN>", r.ID))
	case areaPrefixes[r.Area] == "":
		problems = append(problems, fmt.Sprintf("unknown area %q", r.Area))
	case m[1] != areaPrefixes[r.Area]:
		problems = append(problems, fmt.Sprintf("id %s does not match area %s (RF-%s-NNN)", r.ID, r.Area, areaPrefixes[r.Area]))
	}
	if r.Title == "" {
		problems = append(problems, "no title")
	}
	if r.Description == "" {
		problems = append(problems, "no description")
	}
	if !slices.Contains(Severities, r.Severity) {
		problems = append(problems, fmt.Sprintf("severity %q is not one of %v", r.Severity, Severities))
	}
	if len(r.Kinds) == 0 {
		problems = append(problems, "no kinds")
	}
	for _, k := range r.Kinds {
		if k.APIVersion == "" || k.Kind == "" {
			problems = append(problems, fmt.Sprintf("kind %+v needs apiVersion and kind", k))
		}
	}
	if r.Remediation == "" {
		problems = append(problems, "no remediation")
	}
	if len(r.References) == 0 {
		problems = append(problems, "no references")
	}
	for _, p := range r.Parameters {
		if p.Name == "" || p.Type == "" || p.Description == "" {
			problems = append(problems, fmt.Sprintf("parameter %q needs name, type and description", p.Name))
		}
		if p.Type != "" && !slices.Contains(SchemaTypes, p.Type) {
			problems = append(problems, fmt.Sprintf("parameter %q has type %q, not one of %v", p.Name, p.Type, SchemaTypes))
		}
		switch {
		case p.Items != "" && p.Type != "array":
			problems = append(problems, fmt.Sprintf("parameter %q has items but is not an array", p.Name))
		case p.Items != "" && !slices.Contains(SchemaTypes, p.Items):
			problems = append(problems, fmt.Sprintf("parameter %q has items %q, not one of %v", p.Name, p.Items, SchemaTypes))
		}
	}
	for _, rt := range r.Runtimes {
		if !slices.Contains(AllRuntimes, rt) {
			problems = append(problems, fmt.Sprintf("runtime %q is not one of %v", rt, AllRuntimes))
		}
	}
	if r.Model != "" {
		if !slices.Contains(Models, r.Model) {
			problems = append(problems, fmt.Sprintf("model %q is not one of %v", r.Model, Models))
		}
		if len(r.Runtimes) == 0 || r.RunsIn("opa") || r.RunsIn("conftest") || r.RunsIn("gatekeeper") {
			problems = append(problems, "a rule that reads a harness model runs only in library, cli and audit: list them in runtimes")
		}
	}
	if ps := r.PodSecurity; ps != nil {
		if ps.Check == "" || (ps.Level != "baseline" && ps.Level != "restricted") {
			problems = append(problems, fmt.Sprintf("podSecurity %+v needs a check and the level baseline or restricted", *ps))
		}
		for _, name := range []string{"level", "version"} {
			if !slices.ContainsFunc(r.Parameters, func(p Parameter) bool { return p.Name == name && p.Type == "string" }) {
				problems = append(problems, fmt.Sprintf("a Pod Security Standards rule takes the string parameter %q", name))
			}
		}
	}
	switch {
	case r.Inventory && len(r.Sync) == 0:
		problems = append(problems, "inventory rule declares no sync kinds (the apiVersion/kind pairs it reads from data.inventory)")
	case !r.Inventory && len(r.Sync) > 0:
		problems = append(problems, "sync is only for inventory rules")
	}
	for _, k := range r.Sync {
		if k.APIVersion == "" || k.Kind == "" {
			problems = append(problems, fmt.Sprintf("sync kind %+v needs apiVersion and kind", k))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Data is the catalog as data.ringfence.catalog: area -> slug -> id, title, severity. The
// decision entry point reads rule ids from it.
func Data(rules []Rule) map[string]any {
	out := map[string]any{}
	for _, r := range rules {
		area, ok := out[r.path[0]].(map[string]any)
		if !ok {
			area = map[string]any{}
			out[r.path[0]] = area
		}
		area[r.path[1]] = map[string]any{"id": r.ID, "title": r.Title, "severity": r.Severity}
	}
	return out
}

// Dispatch maps each kind name to the rules that declare it, as
// data.ringfence.dispatch: kind -> [[area, slug, id], ...]. The decision entry point evaluates
// only those rules for an object, as Gatekeeper's constraint match does; the apiVersion is
// left to the rules' own guards, so a rule written for apps/v1 Deployments also sees
// extensions/v1beta1 ones.
func Dispatch(rules []Rule) map[string]any {
	out := map[string]any{}
	for _, r := range rules {
		seen := map[string]bool{}
		for _, k := range r.Kinds {
			if seen[k.Kind] {
				continue
			}
			seen[k.Kind] = true
			paths, _ := out[k.Kind].([]any)
			out[k.Kind] = append(paths, []any{r.path[0], r.path[1], r.ID})
		}
	}
	return out
}

// ByKind maps each kind name to the ids of the rules that declare it, in the order of
// rules: the rules data.ringfence.dispatch (see Dispatch) evaluates on an object of that
// kind, whatever its apiVersion.
func ByKind(rules []Rule) map[string][]string {
	out := map[string][]string{}
	for _, r := range rules {
		seen := map[string]bool{}
		for _, k := range r.Kinds {
			if !seen[k.Kind] {
				seen[k.Kind] = true
				out[k.Kind] = append(out[k.Kind], r.ID)
			}
		}
	}
	return out
}

// Rank orders severities: critical is 0, low is 3, anything else is len(Severities).
func Rank(severity string) int {
	if i := slices.Index(Severities, severity); i >= 0 {
		return i
	}
	return len(Severities)
}
