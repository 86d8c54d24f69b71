package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ringfence/ringfence/harness/capabilities"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/rbac"
	"github.com/ringfence/ringfence/harness/segment"
	"github.com/ringfence/ringfence/policies"
)

// decision is the query every object is evaluated with: all rules at once, exemptions
// applied by the policies themselves so every runtime behaves the same.
var decision = ast.MustParseBody(`findings := data.ringfence.main.findings; exempted := [object.union(f, {"reason": data.ringfence.main.exempt_reason(f)}) | some f in data.ringfence.main.exempted]`)

// Engine holds the compiled rules. It is safe for concurrent use.
type Engine struct {
	compiler *ast.Compiler
	rules    []catalog.Rule
	byID     map[string]catalog.Rule
	selected map[string]bool // nil selects every rule
	data     ast.Object      // data.ringfence: catalog and config
	workers  int
	// segmentation is the selected rule that checks invariants against the
	// connectivity model, with its invariants; nil when there is none to check.
	segmentation *segmentationRule
	// permissions is set when a selected rule reads the effective permissions of
	// workloads (data.ringfence.model.permissions).
	permissions bool
	// runtime is the one ForRuntime named, "" for none.
	runtime string
	// rbacDefaults is Kubernetes' default RBAC policy, parsed once for the
	// permissions model.
	rbacDefaults []map[string]any
	// profile makes every evaluation time its phases and each rule on its own.
	profile bool
	// hostNetwork is how the connectivity model treats host-network pods.
	hostNetwork netmodel.HostNetwork
	// opts are the options the engine was made with, for Reconfigured.
	opts options
}

type segmentationRule struct {
	invariants []segment.Invariant
	labelKeys  []string // the pod label keys the invariants read
}

type options struct {
	fsys    fs.FS
	cfg     config.Config
	ruleIDs []string
	workers int
	runtime string
	profile bool
	// hostNetwork is validated in New; "" is the default.
	hostNetwork netmodel.HostNetwork
}

// Option configures an Engine.
type Option func(*options)

// WithPolicies evaluates the rules in fsys (laid out like the policies directory)
// instead of the embedded ones.
func WithPolicies(fsys fs.FS) Option { return func(o *options) { o.fsys = fsys } }

// WithConfig applies exemptions and parameters from a configuration file.
func WithConfig(cfg config.Config) Option { return func(o *options) { o.cfg = cfg } }

// WithRules restricts findings to the rules with these ids.
func WithRules(ids ...string) Option {
	return func(o *options) { o.ruleIDs = append(o.ruleIDs, ids...) }
}

// ForRuntime leaves out the rules that do not run in runtime (one of
// catalog.AllRuntimes), as their METADATA runtimes say: "audit" for live audits.
func ForRuntime(runtime string) Option { return func(o *options) { o.runtime = runtime } }

// WithWorkers sets how many objects are evaluated at once (default: GOMAXPROCS).
func WithWorkers(n int) Option { return func(o *options) { o.workers = n } }

// WithProfiling makes every evaluation measure what it costs: the time of each phase,
// and each rule's time on the objects it is dispatched to, in Report.Profile. Each rule
// is then evaluated a second time on its own, so a profiled run takes about twice as long.
func WithProfiling() Option { return func(o *options) { o.profile = true } }

// WithHostNetwork sets how the connectivity model (the segmentation invariants of
// RF-NET-030) treats pods on the host network: netmodel.HostNetworkUnprotected, the
// default (outside NetworkPolicy: never isolated, never selected as peers), or
// netmodel.HostNetworkPod (policies apply to them as to any pod). Reports name the
// choice in Settings. New rejects other values.
func WithHostNetwork(h netmodel.HostNetwork) Option {
	return func(o *options) { o.hostNetwork = h }
}

// New compiles the rules and checks their metadata and the configuration.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	o := options{fsys: policies.FS, workers: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		opt(&o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	compiler, err := Compile(o.fsys)
	if err != nil {
		return nil, err
	}
	rules, err := catalog.FromCompiler(compiler)
	if err != nil {
		return nil, fmt.Errorf("rule metadata: %w", err)
	}
	return configure(compiler, rules, o)
}

// Reconfigured returns an engine that evaluates the same compiled rules, with the same
// options, under cfg instead of e's configuration: the rules are compiled once for any
// number of configurations. e is unchanged.
func (e *Engine) Reconfigured(cfg config.Config) (*Engine, error) {
	o := e.opts
	o.cfg = cfg
	return configure(e.compiler, e.rules, o)
}

// configure makes an engine of compiled rules under the options' configuration, rule
// selection and runtime.
func configure(compiler *ast.Compiler, rules []catalog.Rule, o options) (*Engine, error) {
	hostNetwork, err := netmodel.ParseHostNetwork(string(o.hostNetwork))
	if err != nil {
		return nil, err
	}
	e := &Engine{compiler: compiler, rules: rules, byID: map[string]catalog.Rule{}, workers: max(o.workers, 1), profile: o.profile, hostNetwork: hostNetwork, opts: o}
	for _, r := range rules {
		e.byID[r.ID] = r
	}
	infos := RuleInfos(rules)
	if len(o.ruleIDs) > 0 {
		e.selected = map[string]bool{}
		for _, id := range o.ruleIDs {
			if _, ok := e.byID[id]; !ok {
				return nil, fmt.Errorf("unknown rule %q (see `ringfence rules`)", id)
			}
			e.selected[id] = true
		}
	}
	if err := o.cfg.Validate(infos); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	if len(o.cfg.Disabled) > 0 {
		// Disabled rules are not dispatched to at all; the policies skip them too, for
		// the runtimes that get the configuration as data.
		if e.selected == nil {
			e.selected = map[string]bool{}
			for _, r := range rules {
				e.selected[r.ID] = true
			}
		}
		for _, id := range o.cfg.Disabled {
			delete(e.selected, id)
		}
	}
	if o.runtime != "" {
		if !slices.Contains(catalog.AllRuntimes, o.runtime) {
			return nil, fmt.Errorf("unknown runtime %q: want one of %v", o.runtime, catalog.AllRuntimes)
		}
		kept := map[string]bool{}
		for _, r := range e.Rules() {
			if r.RunsIn(o.runtime) {
				kept[r.ID] = true
			}
		}
		e.selected = kept
		e.runtime = o.runtime
	}
	for _, r := range e.Rules() {
		if r.Model == "permissions" && !e.permissions {
			e.permissions = true
			if e.rbacDefaults, err = rbac.DefaultPolicy(); err != nil {
				return nil, err
			}
		}
		if r.Model != "segmentation" {
			continue
		}
		value, ok := o.cfg.Parameters[r.ID]["invariants"]
		if !ok {
			for _, p := range r.Parameters {
				if p.Name == "invariants" {
					value = p.Default
				}
			}
		}
		invariants, err := segment.Parse(value)
		if err != nil {
			return nil, fmt.Errorf("invalid config: %s: %w", r.ID, err)
		}
		if len(invariants) > 0 {
			e.segmentation = &segmentationRule{invariants: invariants, labelKeys: segment.LabelKeys(invariants)}
		}
	}
	cfgData, err := o.cfg.Data()
	if err != nil {
		return nil, err
	}
	// Every parameter resolved once, here, rather than by each rule for each object.
	if cfgData == nil {
		cfgData = map[string]any{}
	}
	params := o.cfg.Resolve(infos)
	cfgData["parameters"] = params
	checks, err := podSecurityChecks(compiler, rules, params)
	if err != nil {
		return nil, err
	}
	if checks != nil {
		cfgData["podSecurityChecks"] = checks
	}
	// Dispatching only to the selected rules spares evaluating the others.
	data, err := ast.InterfaceToValue(PolicyData(rules, e.Rules(), cfgData))
	if err != nil {
		return nil, fmt.Errorf("encoding catalog: %w", err)
	}
	e.data = data.(ast.Object)
	return e, nil
}

// RuleInfos is what configuration needs to know of each rule, by id: its parameters and
// their defaults, and whether it is a Pod Security Standards rule.
func RuleInfos(rules []catalog.Rule) map[string]config.RuleInfo {
	infos := make(map[string]config.RuleInfo, len(rules))
	for _, r := range rules {
		info := config.RuleInfo{Defaults: map[string]any{}, PodSecurity: r.PodSecurity != nil, PodSpecs: r.InspectsPodSpecs()}
		for _, p := range r.Parameters {
			info.Parameters = append(info.Parameters, p.Name)
			info.Defaults[p.Name] = p.Default
		}
		infos[r.ID] = info
	}
	return infos
}

// PolicyData is data.ringfence for the policies: the catalog of every rule, the kind
// dispatch table of the selected rules, the well-known cluster-scoped kinds, and the
// configuration (exemptions and parameters) when there is one.
func PolicyData(rules, selected []catalog.Rule, cfg map[string]any) map[string]any {
	data := map[string]any{
		"catalog":        catalog.Data(rules),
		"dispatch":       catalog.Dispatch(selected),
		"cluster_scoped": inventory.ClusterScopedKinds(),
	}
	if cfg != nil {
		data["config"] = cfg
	}
	return data
}

// Compile parses every .rego file in fsys (with METADATA annotations) and compiles them
// together, allowing only the built-ins in fsys's capabilities.json (ringfence's own
// when fsys has none).
func Compile(fsys fs.FS) (*ast.Compiler, error) {
	caps, err := LoadCapabilities(fsys)
	if err != nil {
		return nil, err
	}
	modules, err := ParseModules(fsys)
	if err != nil {
		return nil, err
	}
	c := ast.NewCompiler().WithEnablePrintStatements(false).WithCapabilities(capabilities.WithEntryBuiltins(caps))
	if c.Compile(modules); c.Failed() {
		return nil, fmt.Errorf("compiling policies: %w", c.Errors)
	}
	if err := capabilities.Check(caps, c.Modules); err != nil {
		return nil, fmt.Errorf("compiling policies: %w", err)
	}
	return c, nil
}

// ParseModules parses every .rego file in fsys but tests, as Rego v1 with METADATA
// annotations, keyed by path. The files are parsed on all cores.
func ParseModules(fsys fs.FS) (map[string]*ast.Module, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading policies: %w", err)
	}
	parsed := make([]*ast.Module, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(paths), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i], errs[i] = parseModule(fsys, paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	modules := make(map[string]*ast.Module, len(paths))
	for i, p := range paths {
		if errs[i] != nil {
			return nil, fmt.Errorf("loading policies: %w", errs[i])
		}
		modules[p] = parsed[i]
	}
	return modules, nil
}

func parseModule(fsys fs.FS, p string) (*ast.Module, error) {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	return ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
}

// LoadCapabilities reads capabilities.json from the root of fsys, or returns ringfence's
// own when fsys has none. Those are generated rather than parsed from
// policies/capabilities.json, which a test keeps identical, since parsing costs ~20 ms.
func LoadCapabilities(fsys fs.FS) (*ast.Capabilities, error) {
	data, err := fs.ReadFile(fsys, "capabilities.json")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return capabilities.Generate(), nil
	case err != nil:
		return nil, fmt.Errorf("reading capabilities: %w", err)
	}
	return capabilities.Parse(data)
}

// Rules returns the rules the engine evaluates, sorted by id.
func (e *Engine) Rules() []catalog.Rule {
	var out []catalog.Rule
	for _, r := range e.rules {
		if e.selected == nil || e.selected[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Rule returns the rule with this id.
func (e *Engine) Rule(id string) (catalog.Rule, bool) {
	r, ok := e.byID[id]
	return r, ok
}

// EvaluateFiles reads manifests from paths ("-" is stdin) and evaluates them. Input that
// cannot be read becomes located errors in the report; everything readable is evaluated.
func (e *Engine) EvaluateFiles(ctx context.Context, paths []string, stdin io.Reader) (*Report, error) {
	return e.EvaluateInput(ctx, Read(ctx, paths, stdin))
}

// Input is manifests read from files, ready for any engine: programs can read them while
// the engine compiles.
type Input struct {
	objects []Object
	errors  []InputError
	took    time.Duration
}

// Read reads manifests from paths ("-" is stdin): files as given, directories
// recursively. What cannot be read is kept as located errors for the report.
func Read(ctx context.Context, paths []string, stdin io.Reader) *Input {
	return ReadWith(ctx, load.Paths, paths, stdin)
}

// ReadWith reads manifests from paths with read, such as a renderer's reader that
// renders the Helm charts and kustomizations among them.
func ReadWith(ctx context.Context, read load.Reader, paths []string, stdin io.Reader) *Input {
	start := time.Now()
	in := InputOf(read(ctx, paths, stdin))
	in.took = time.Since(start)
	return in
}

// InputOf is the input of manifests already read, such as files taken from a git
// revision with load.Bytes.
func InputOf(res load.Result) *Input {
	in := &Input{objects: make([]Object, len(res.Documents)), errors: res.Errors}
	// The sources get an array of their own, so that the documents are not kept alive
	// through them once the objects are released.
	sources := make([]Source, len(res.Documents))
	for i, d := range res.Documents {
		sources[i] = d.Source
		in.objects[i] = Object{Data: d.Object, Source: &sources[i]}
	}
	return in
}

// Objects are the input's objects, until EvaluateInput releases their data.
func (in *Input) Objects() []Object { return in.objects }

// Errors are what could not be read, located.
func (in *Input) Errors() []InputError { return in.errors }

// Model builds the connectivity model of objs as the engine's evaluations see it: with
// its host-network treatment, and keeping apart the pods its segmentation invariants
// tell apart. Objects that cannot be decoded are left out and returned as errors,
// indexed into objs.
func (e *Engine) Model(objs []Object) (*netmodel.Model, []*netmodel.ObjectError) {
	raw := make([]map[string]any, len(objs))
	for i, o := range objs {
		raw[i] = o.Data
	}
	opts := []netmodel.Option{netmodel.WithHostNetwork(e.hostNetwork)}
	if e.segmentation != nil {
		opts = append(opts, netmodel.WithLabelKeys(e.segmentation.labelKeys...))
	}
	return netmodel.FromObjects(raw, opts...)
}

// Invariants are the segmentation invariants the engine checks (RF-NET-030's, when the
// rule is selected), or nil.
func (e *Engine) Invariants() []segment.Invariant {
	if e.segmentation == nil {
		return nil
	}
	return e.segmentation.invariants
}

// EvaluateInput evaluates manifests Read has read, with their read errors in the report.
// It consumes the input: the decoded objects are let go as soon as they have become Rego
// values, to keep memory down.
func (e *Engine) EvaluateInput(ctx context.Context, in *Input) (*Report, error) {
	rep, err := e.evaluate(ctx, in.objects, true)
	if err != nil {
		return nil, err
	}
	rep.Errors = append(rep.Errors, in.errors...)
	rep.sort()
	if rep.Profile != nil {
		rep.Profile.Phases = append([]Phase{{Name: "read files", Time: in.took}}, rep.Profile.Phases...)
	}
	return rep, nil
}

// prepared is an object ready for evaluation.
type prepared struct {
	obj   Object
	ref   ObjectRef
	value ast.Value
}

// Evaluate evaluates every object once for all rules, with the inventory built from the
// whole set, and returns the sorted report. Objects whose evaluation fails become
// located errors; the error return is for failures of the engine itself.
func (e *Engine) Evaluate(ctx context.Context, objs []Object) (*Report, error) {
	return e.evaluate(ctx, objs, false)
}

// evaluate is Evaluate; with release, it drops the objects' decoded data (objs[i].Data)
// once the inventory and the models are built from it.
func (e *Engine) evaluate(ctx context.Context, objs []Object, release bool) (*Report, error) {
	rep := &Report{Findings: []Finding{}, Errors: []InputError{}, Settings: &Settings{HostNetwork: e.hostNetwork}}
	rep.Summary.Objects = len(objs)
	rep.Rules = e.Rules()
	rep.Summary.Rules = len(rep.Rules)
	timer := newPhaseTimer(e.profile)

	ev, err := e.prepare(ctx, objs, timer)
	if err != nil {
		return nil, err
	}
	if release {
		for i := range objs {
			objs[i].Data = nil
		}
		for i := range ev.items {
			ev.items[i].obj.Data = nil
		}
	}
	rep.Errors = append(rep.Errors, ev.errors...)
	items, pq, store := ev.items, ev.pq, ev.store

	results := make([]objectResult, len(items))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(e.workers, max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = e.evalOne(ctx, pq, items[i])
			}
		}()
	}
feed:
	for i := range items {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timer.done("rules")
	byKind := catalog.ByKind(e.Rules())
	rep.Evaluated = make([]EvaluatedObject, 0, len(items))
	for i, r := range results {
		if r.err == nil {
			it := items[i]
			rep.Evaluated = append(rep.Evaluated, EvaluatedObject{Object: it.ref, Source: it.obj.Source, Rules: byKind[it.ref.Kind]})
		}
		rep.Findings = append(rep.Findings, r.findings...)
		rep.ExemptedFindings = append(rep.ExemptedFindings, r.exempted...)
		if r.err != nil {
			rep.Errors = append(rep.Errors, *r.err)
		}
	}
	rep.sort()
	timer.done("report")
	if timer != nil {
		costs, err := e.profileRules(ctx, store, items)
		if err != nil {
			return nil, err
		}
		rep.Profile = &Profile{Phases: timer.phases, Rules: costs, Workers: e.workers}
	}
	return rep, nil
}

// evaluation is one input set made ready for the rules: the objects as Rego values, the
// store holding the inventory and the models, and the decision prepared against it.
type evaluation struct {
	items  []prepared
	store  storage.Store
	pq     rego.PreparedEvalQuery
	errors []InputError // objects that cannot be evaluated
}

// prepare converts the objects, builds the inventory and the models the selected rules
// read, and prepares the decision.
func (e *Engine) prepare(ctx context.Context, objs []Object, timer *phaseTimer) (*evaluation, error) {
	ev := &evaluation{items: make([]prepared, 0, len(objs))}
	inv := inventory.NewBuilder()
	for _, o := range objs {
		v, err := ast.InterfaceToValue(o.Data)
		if err != nil {
			ev.errors = append(ev.errors, locate(o, fmt.Sprintf("cannot convert object: %v", err)))
			continue
		}
		r := ref(o.Data)
		ev.items = append(ev.items, prepared{obj: o, ref: r, value: v})
		inv.Add(r.APIVersion, r.Kind, r.Namespace, r.Name, o.Data, v)
	}
	invData := inv.Build()
	timer.done("inventory")
	ringfence, err := e.modelData(objs)
	if err != nil {
		return nil, err
	}
	timer.done("models")
	data := ast.NewObject(
		ast.Item(ast.StringTerm("inventory"), ast.NewTerm(invData)),
		ast.Item(ast.StringTerm("ringfence"), ast.NewTerm(ringfence)),
	)
	ev.store = inmem.NewFromASTObject(data)
	ev.pq, err = rego.New(
		rego.Compiler(e.compiler),
		rego.Store(ev.store),
		rego.ParsedQuery(decision),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("preparing evaluation: %w", err)
	}
	return ev, nil
}

// modelData is data.ringfence for one input set: the engine's, plus under model the
// results of the harness analyses the selected rules read, keyed as ObjectKey gives it:
// data.ringfence.model.segmentation[key] = [{msg}] and
// data.ringfence.model.permissions[capability][key] = [{msg}].
func (e *Engine) modelData(objs []Object) (ast.Object, error) {
	if e.segmentation == nil && !e.permissions {
		return e.data, nil
	}
	model := map[string]any{}
	if e.segmentation != nil {
		model["segmentation"] = e.segmentationResults(objs)
	}
	if e.permissions {
		raw := make([]map[string]any, len(objs))
		for i, o := range objs {
			raw[i] = o.Data
		}
		model["permissions"] = permissionResults(objs, raw, e.rbacDefaults)
	}
	value, err := ast.InterfaceToValue(model)
	if err != nil {
		return nil, fmt.Errorf("encoding model results: %w", err)
	}
	out := e.data.Copy()
	out.Insert(ast.StringTerm("model"), ast.NewTerm(value))
	return out, nil
}

func (e *Engine) segmentationResults(objs []Object) map[string][]any {
	// Invalid objects are other rules' business.
	model, _ := e.Model(objs)
	byKey := map[string][]any{}
	for _, v := range segment.Check(model, e.segmentation.invariants) {
		if v.Workload.Object < 0 || v.Workload.Object >= len(objs) {
			continue
		}
		key := ObjectKey(ref(objs[v.Workload.Object].Data))
		byKey[key] = append(byKey[key], map[string]any{"msg": v.Message()})
	}
	return byKey
}

// ObjectKey is how data.ringfence.model names an object, as lib/core's object_key
// does: apiVersion|kind|namespace|name, with "default" for an object without namespace.
func ObjectKey(r ObjectRef) string {
	ns := r.Namespace
	if ns == "" {
		ns = inventory.DefaultNamespace
	}
	return strings.Join([]string{r.APIVersion, r.Kind, ns, r.Name}, "|")
}

type objectResult struct {
	findings []Finding
	exempted []ExemptedFinding
	err      *InputError
}

func (e *Engine) evalOne(ctx context.Context, pq rego.PreparedEvalQuery, it prepared) (out objectResult) {
	// A panic inside the evaluator costs this object, not the run.
	defer func() {
		if r := recover(); r != nil {
			ie := locate(it.obj, fmt.Sprintf("evaluating %s: internal error: %v", describeRef(it.ref), r))
			out = objectResult{err: &ie}
		}
	}()
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(it.value))
	if err != nil {
		ie := locate(it.obj, fmt.Sprintf("evaluating %s: %v", describeRef(it.ref), err))
		return objectResult{err: &ie}
	}
	if len(rs) != 1 {
		ie := locate(it.obj, fmt.Sprintf("evaluating %s: the decision is undefined", describeRef(it.ref)))
		return objectResult{err: &ie}
	}
	exempted, _ := rs[0].Bindings["exempted"].([]any)
	for _, x := range exempted {
		f, err := e.finding(x, it)
		if err != nil {
			// An exempted finding of a rule not selected, or of no known rule, is not
			// reported, as before exempted findings were carried.
			continue
		}
		reason, _ := x.(map[string]any)["reason"].(string)
		out.exempted = append(out.exempted, ExemptedFinding{Finding: f, Reason: reason})
	}
	raw, _ := rs[0].Bindings["findings"].([]any)
	for _, x := range raw {
		f, err := e.finding(x, it)
		if errors.Is(err, errNotSelected) {
			continue
		}
		if err != nil {
			ie := locate(it.obj, err.Error())
			out.err = &ie
			continue
		}
		out.findings = append(out.findings, f)
	}
	return out
}

var errNotSelected = errors.New("rule not selected")

func (e *Engine) finding(x any, it prepared) (Finding, error) {
	m, _ := x.(map[string]any)
	id, _ := m["rule"].(string)
	rule, ok := e.byID[id]
	if !ok {
		return Finding{}, fmt.Errorf("evaluating %s: finding from unknown rule %q", describeRef(it.ref), id)
	}
	if e.selected != nil && !e.selected[id] {
		return Finding{}, errNotSelected
	}
	msg, _ := m["msg"].(string)
	field, _ := m["field"].(string)
	return Finding{
		Rule: rule.ID, Severity: rule.Severity, Title: rule.Title,
		Message: msg, Object: it.ref, Source: it.obj.Source, Field: field,
	}, nil
}

func locate(o Object, msg string) InputError {
	if o.Source == nil {
		return InputError{Message: msg}
	}
	return o.Source.Err(msg)
}

// describeRef names an object as kubectl users read it: "Deployment shop/web".
func describeRef(r ObjectRef) string {
	if r.Namespace == "" {
		return fmt.Sprintf("%s %s", r.Kind, r.Name)
	}
	return fmt.Sprintf("%s %s/%s", r.Kind, r.Namespace, r.Name)
}

// Inventory returns data.inventory for a set of objects, as Evaluate builds it, in JSON
// form: what an OPA server needs (PUT /v1/data/inventory) to run the cross-object rules.
// Objects that cannot be converted are left out, as Evaluate leaves them out.
func Inventory(objs []Object) (any, error) {
	inv := inventory.NewBuilder()
	for _, o := range objs {
		v, err := ast.InterfaceToValue(o.Data)
		if err != nil {
			continue
		}
		r := ref(o.Data)
		inv.Add(r.APIVersion, r.Kind, r.Namespace, r.Name, o.Data, v)
	}
	out, err := ast.JSON(inv.Build())
	if err != nil {
		return nil, fmt.Errorf("encoding inventory: %w", err)
	}
	return out, nil
}
