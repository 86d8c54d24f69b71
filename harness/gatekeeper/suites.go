package gatekeeper

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/internal/fixtures"
)

// test is one test of a gator Suite: a template, a constraint, and cases.
type test struct {
	Name       string   `yaml:"name"`
	Template   string   `yaml:"template"`
	Constraint string   `yaml:"constraint"`
	Cases      []*tcase `yaml:"cases"`
}

// tcase reviews one object, with an inventory, and asserts on the violations.
type tcase struct {
	Name       string      `yaml:"name"`
	Object     string      `yaml:"object"`
	Inventory  []string    `yaml:"inventory,omitempty"`
	Assertions []assertion `yaml:"assertions"`
}

type assertion struct {
	Violations int     `yaml:"violations"`
	Message    *string `yaml:"message,omitempty"`
}

// fixture is one fixture file of a rule.
type fixture struct {
	name   string         // file name without extension
	file   string         // path in the fixtures file system
	params map[string]any // from the "# parameters:" line, nil without one
	images []string       // from the "# exempt-images:" line, nil without one
	config config.Config  // the library configuration of both, as the fixture gives it
	objs   []map[string]any
}

// readFixtures reads the fixtures of a rule: fixtures/<RULE-ID>/{fire,pass}-*.yaml.
func readFixtures(fsys fs.FS, r catalog.Rule) ([]fixture, error) {
	found, err := fixtures.ForRuleFS(fsys, r.ID)
	if err != nil {
		return nil, err
	}
	var out []fixture
	for _, ff := range found {
		data, err := fs.ReadFile(fsys, ff.Path)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		f := fixture{name: strings.TrimSuffix(ff.Name(), path.Ext(ff.Name())), file: ff.Path, images: ff.ExemptImages, config: ff.Config()}
		if ff.Parameters != nil {
			f.params = plain(ff.Parameters).(map[string]any)
		}
		res := load.Bytes(ff.Path, data)
		if len(res.Errors) > 0 {
			return nil, fmt.Errorf("fixture %s: %w", ff.Path, res.Errors[0])
		}
		for _, d := range res.Documents {
			f.objs = append(f.objs, plain(d.Object).(map[string]any))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rule %s has no fire- or pass- fixtures", r.ID)
	}
	return out, nil
}

// plain turns the json.Numbers of a decoded document into int64 or float64, which YAML
// encoders write as numbers (a json.Number would come out as a string).
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	default:
		return v
	}
}

// admitted returns obj as the API server stores it and Gatekeeper sees it: a namespaced
// object without metadata.namespace is in "default" (kubectl applies it there), and a
// cluster-scoped object carries no namespace. Objects without a metadata object are left
// as they are. The scope of a kind comes from the well-known kinds and the
// CustomResourceDefinitions in scope.
func admitted(obj map[string]any, scope *inventory.Builder) (map[string]any, bool) {
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return obj, false
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	ns, hasNS := meta["namespace"]
	switch {
	case scope.ClusterScoped(apiVersion, kind) && hasNS:
		meta = maps.Clone(meta)
		delete(meta, "namespace")
	case !scope.ClusterScoped(apiVersion, kind) && (!hasNS || ns == "" || ns == nil):
		meta = maps.Clone(meta)
		meta["namespace"] = inventory.DefaultNamespace
	default:
		return obj, false
	}
	out := maps.Clone(obj)
	out["metadata"] = meta
	return out, true
}

// expectations evaluates a fixture's objects with the library, as one set (the inventory
// of cross-object rules), with the fixture's parameters, and returns the rule's messages
// for each object, by index.
func (x *exporter) expectations(ctx context.Context, r catalog.Rule, f fixture, objs []map[string]any) (map[int][]string, error) {
	eng, err := x.engine(ctx, f.config)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.file, err)
	}
	in := make([]harness.Object, len(objs))
	for i, o := range objs {
		in[i] = harness.Object{Data: o, Source: &harness.Source{File: f.file, Document: i}}
	}
	rep, err := eng.Evaluate(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.file, err)
	}
	if len(rep.Errors) > 0 {
		return nil, fmt.Errorf("fixture %s: the library cannot evaluate it: %s", f.file, rep.Errors[0].Message)
	}
	out := map[int][]string{}
	for _, finding := range rep.Findings {
		if finding.Rule == r.ID {
			out[finding.Source.Document] = append(out[finding.Source.Document], finding.Message)
		}
	}
	return out, nil
}

// engine returns a library engine with a fixture's configuration (its parameters and
// exempt images), one per distinct configuration, all sharing one compilation of the rules.
func (x *exporter) engine(ctx context.Context, cfg config.Config) (*harness.Engine, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	key := string(raw)
	if eng, ok := x.engines[key]; ok {
		return eng, nil
	}
	if x.base == nil {
		// The rules are compiled once; each configuration reuses them.
		base, err := harness.New(ctx, harness.WithPolicies(x.policies))
		if err != nil {
			return nil, err
		}
		x.base = base
	}
	eng, err := x.base.Reconfigured(cfg)
	if err != nil {
		return nil, err
	}
	x.engines[key] = eng
	return eng, nil
}

// suiteHeader explains the generated suites.
const suiteHeader = `Generated by ringfence gatekeeper export from the fixtures of %s; do not edit.
Run: gator verify <export dir>/tests/...
One test per fixture (its "# parameters:" merged over the defaults, its "# exempt-images:"
as exemptImages), one case per fixture
object the constraint matches. A case's inventory holds the fixture's other objects of the
kinds the rule syncs, as Gatekeeper's data.inventory would. Objects are as the API server
stores them: a namespaced object without metadata.namespace is in "default" and a
cluster-scoped one has no namespace. The assertions are what the ringfence library reports
for the same objects: gator must reach the same verdicts.`

// suite builds the gator Suite of a rule from its fixtures and adds its files to b.
func (x *exporter) suite(ctx context.Context, b *Bundle, r catalog.Rule, re *RuleExport) error {
	found, err := readFixtures(x.fixtures, r)
	if err != nil {
		return err
	}
	dir := path.Join("tests", ConstraintName(r))
	re.Suite = path.Join(dir, "suite.yaml")
	var tests []test
	for _, f := range found {
		t, err := x.fixtureTest(ctx, b, r, re, dir, f)
		if err != nil {
			return err
		}
		tests = append(tests, t)
		re.Fixtures++
	}
	s := object{
		APIVersion: suiteAPIVersion,
		Kind:       "Suite",
		Metadata:   &meta{Name: ConstraintName(r)},
		Tests:      tests,
	}
	data, err := marshal(fmt.Sprintf(suiteHeader, r.ID), s)
	if err != nil {
		return fmt.Errorf("rule %s: suite: %w", r.ID, err)
	}
	b.Files[re.Suite] = data
	return nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns text into a file-name-safe word.
func slug(parts ...string) string {
	s := unsafeChars.ReplaceAllString(strings.ToLower(strings.Join(parts, "-")), "-")
	s = strings.Trim(s, "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

func (x *exporter) fixtureTest(ctx context.Context, b *Bundle, r catalog.Rule, re *RuleExport, dir string, f fixture) (test, error) {
	t := test{Name: f.name, Template: path.Join("..", "..", re.Template), Constraint: path.Join("..", "..", re.Constraint), Cases: []*tcase{}}
	if f.params != nil || f.images != nil {
		params := defaults(r)
		if params == nil {
			params = map[string]any{}
		}
		maps.Copy(params, f.params)
		if f.images != nil {
			params[ExemptImagesParameter] = slices.Clone(f.images)
		}
		name := "constraint-" + f.name + ".yaml"
		data, err := marshal(fmt.Sprintf("The constraint of %s with the parameters of fixture %s.", r.ID, f.file), constraint(r, params))
		if err != nil {
			return test{}, fmt.Errorf("fixture %s: %w", f.file, err)
		}
		b.Files[path.Join(dir, name)] = data
		t.Constraint = name
	}

	scope := inventory.NewBuilder()
	for _, o := range f.objs {
		apiVersion, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		scope.Add(apiVersion, kind, "", "", o, nil)
	}
	objs := make([]map[string]any, len(f.objs))
	for i, o := range f.objs {
		var adapted bool
		objs[i], adapted = admitted(o, scope)
		if adapted {
			re.Adapted++
		}
	}
	want, err := x.expectations(ctx, r, f, objs)
	if err != nil {
		return test{}, err
	}

	synced := func(o map[string]any) bool {
		apiVersion, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		return slices.Contains(r.Sync, catalog.Kind{APIVersion: apiVersion, Kind: kind})
	}
	// The inventory shared by the cases whose object is not itself synced.
	var shared []any
	for _, o := range objs {
		if synced(o) {
			shared = append(shared, o)
		}
	}
	sharedFile := path.Join(f.name, "inventory.yaml")
	for i, o := range objs {
		ref := describe(o)
		if !matches(r, o) {
			if dispatched(r, o) {
				re.LibraryOnly = append(re.LibraryOnly, LibraryOnly{Fixture: f.file, Object: ref, Findings: len(want[i])})
			}
			continue
		}
		kind, _ := o["kind"].(string)
		c := &tcase{Name: fmt.Sprintf("%d %s", i+1, ref), Object: path.Join(f.name, fmt.Sprintf("%02d-%s.yaml", i+1, slug(kind, name(o))))}
		data, err := marshal(fmt.Sprintf("Object %d of %s.", i+1, f.file), o)
		if err != nil {
			return test{}, fmt.Errorf("fixture %s: object %d: %w", f.file, i+1, err)
		}
		b.Files[path.Join(dir, c.Object)] = data

		if r.Inventory {
			inv, file := shared, sharedFile
			if synced(o) {
				inv, file = nil, path.Join(f.name, fmt.Sprintf("%02d-inventory.yaml", i+1))
				for j, other := range objs {
					if j != i && synced(other) {
						inv = append(inv, other)
					}
				}
			}
			if len(inv) > 0 {
				if _, done := b.Files[path.Join(dir, file)]; !done {
					data, err := marshal(fmt.Sprintf("The inventory of %s: its objects of the kinds %s syncs.", f.file, r.ID), inv...)
					if err != nil {
						return test{}, fmt.Errorf("fixture %s: inventory: %w", f.file, err)
					}
					b.Files[path.Join(dir, file)] = data
				}
				c.Inventory = []string{file}
			}
		}

		msgs := want[i]
		c.Assertions = []assertion{{Violations: len(msgs)}}
		counts := map[string]int{}
		for _, m := range msgs {
			counts[m]++
		}
		for _, m := range slices.Sorted(maps.Keys(counts)) {
			pattern := "^" + regexp.QuoteMeta(m) + "$"
			c.Assertions = append(c.Assertions, assertion{Violations: counts[m], Message: &pattern})
		}
		t.Cases = append(t.Cases, c)
		re.Cases++
		re.Violations += len(msgs)
	}
	return t, nil
}

// dispatched reports whether the library evaluates a rule for an object: it dispatches
// on the kind name alone and leaves API groups to the rule.
func dispatched(r catalog.Rule, o map[string]any) bool {
	kind, _ := o["kind"].(string)
	return slices.ContainsFunc(r.Kinds, func(k catalog.Kind) bool { return k.Kind == kind })
}

// name is an object's metadata.name, or generateName, or "".
func name(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	if n, ok := meta["name"].(string); ok {
		return n
	}
	n, _ := meta["generateName"].(string)
	return n
}

// describe names an object as kubectl users read it: "apps/v1 Deployment shop/web".
func describe(o map[string]any) string {
	apiVersion, _ := o["apiVersion"].(string)
	kind, _ := o["kind"].(string)
	meta, _ := o["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	n := name(o)
	if n == "" {
		n = "<unnamed>"
	}
	if ns != "" {
		n = ns + "/" + n
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", apiVersion, kind, n))
}
