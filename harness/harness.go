// Package harness evaluates ringfence's rules against Kubernetes objects.
//
// An Engine compiles the embedded rules once; Evaluate takes a set of objects (parsed
// manifests, maps, unstructured or typed API objects), builds the inventory that
// cross-object rules read, evaluates every object once for all rules on all cores, and
// returns a Report with located, sorted findings:
//
//	eng, err := harness.New(ctx)
//	report, err := eng.EvaluateFiles(ctx, []string{"deploy/"}, nil)
//	for _, f := range report.Findings {
//		fmt.Println(f.Rule, f.Severity, f.Message)
//	}
package harness

import (
	"cmp"
	"slices"

	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netmodel"
)

// Source locates an object in its input file.
type Source = load.Source

// InputError is input that could not be read or evaluated, located in its file.
type InputError = load.Error

// ObjectRef names a Kubernetes object the way kubectl does.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Finding is one rule violated by one object.
type Finding struct {
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	Title    string    `json:"title"`
	Message  string    `json:"message"`
	Object   ObjectRef `json:"object"`
	Source   *Source   `json:"source,omitempty"`
	Field    string    `json:"field,omitempty"`
}

// ExemptedFinding is a finding an exemption silenced.
type ExemptedFinding struct {
	Finding
	// Reason is the exemption's reason (the ringfence.dev/exempt-reason annotation or the
	// configured exemption's reason; several are joined with "; "), or "" when none is given.
	Reason string `json:"reason,omitempty"`
}

// Summary counts what an evaluation saw.
type Summary struct {
	Objects  int `json:"objects"`
	Rules    int `json:"rules"`
	Findings int `json:"findings"`
	Errors   int `json:"errors"`
	// Baselined counts the findings a baseline accepted (see Report.Baseline); they are
	// not among Findings.
	Baselined int `json:"baselined,omitempty"`
}

// EvaluatedObject is one object the rules were evaluated on.
type EvaluatedObject struct {
	Object ObjectRef
	Source *Source
	// Rules are the ids of the rules dispatched to the object (those that declare its
	// kind), passing or not. Objects of one kind share the slice: do not modify it.
	Rules []string
}

// Settings are the choices an evaluation was made under that change its outcome beyond
// the rules and their configuration.
type Settings struct {
	// HostNetwork is how the connectivity model treated host-network pods: unprotected
	// (outside NetworkPolicy) or pod (as any pod); see WithHostNetwork.
	HostNetwork netmodel.HostNetwork `json:"hostNetwork"`
}

// Report is the outcome of an evaluation. Its JSON form is ringfence's report format.
type Report struct {
	Summary Summary `json:"summary"`
	// Settings are set by Engine evaluations; a report built otherwise may have none.
	Settings *Settings    `json:"settings,omitempty"`
	Findings []Finding    `json:"findings"`
	Errors   []InputError `json:"errors"`
	// Warnings say what an evaluation could not see, such as the kinds a live audit was
	// not allowed to list; the findings are complete for everything else.
	Warnings []string `json:"warnings,omitempty"`
	// Evaluated lists every object the rules were evaluated on, with the rules
	// dispatched to it, in input order; formats that count passing checks (JUnit) read
	// it. Objects whose evaluation failed are in Errors instead.
	Evaluated []EvaluatedObject `json:"-"`
	// Baseline says what a baseline file accepted, when the report was checked against
	// one (package baseline); nil otherwise.
	Baseline *BaselineResult `json:"baseline,omitempty"`
	// Exempted counts the findings that exemptions silenced.
	Exempted int `json:"-"`
	// ExemptedFindings are the findings that exemptions silenced, sorted as Findings,
	// each with the reason its exemptions give. Reports that can show silenced findings
	// (SARIF's suppressed results) read them; the JSON report only counts them.
	ExemptedFindings []ExemptedFinding `json:"-"`
	// Rules are the rules the evaluation ran, sorted by id, when an Engine made the
	// report; formats that describe every rule (SARIF) read them.
	Rules []catalog.Rule `json:"-"`
	// Profile is what the evaluation cost, when the engine was built WithProfiling.
	Profile *Profile `json:"-"`
}

// BaselineResult is what checking a report against a baseline file did.
type BaselineResult struct {
	// File is the baseline file as named on the command line.
	File string `json:"file"`
	// Accepted counts the findings the baseline accepted (Summary.Baselined).
	Accepted int `json:"accepted"`
	// Stale lists the entries of the baseline that no longer occur, each with the number
	// of its occurrences that are gone, so the file can be pruned.
	Stale []BaselineEntry `json:"stale"`
}

// BaselineEntry is one accepted finding of a baseline file, by its fingerprint and the
// parts the fingerprint is made of, and how many times it occurs.
type BaselineEntry struct {
	Fingerprint string         `json:"fingerprint"`
	Rule        string         `json:"rule"`
	Object      BaselineObject `json:"object"`
	Field       string         `json:"field,omitempty"`
	Message     string         `json:"message"`
	Count       int            `json:"count"`
}

// BaselineObject is an object's identity as a baseline keeps it: API group (not
// version), kind, the namespace the API server would put it in, and name.
type BaselineObject struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Keep drops the findings (and the exempted findings) on objects keep rejects, such as
// those outside the namespace an audit is limited to, and recounts the summary.
func (r *Report) Keep(keep func(ObjectRef) bool) {
	r.Findings = slices.DeleteFunc(r.Findings, func(f Finding) bool { return !keep(f.Object) })
	r.Evaluated = slices.DeleteFunc(r.Evaluated, func(o EvaluatedObject) bool { return !keep(o.Object) })
	r.Summary.Findings = len(r.Findings)
	n := len(r.ExemptedFindings)
	r.ExemptedFindings = slices.DeleteFunc(r.ExemptedFindings, func(f ExemptedFinding) bool { return !keep(f.Object) })
	r.Exempted -= n - len(r.ExemptedFindings)
}

func (r *Report) sort() {
	slices.SortFunc(r.Findings, compareFindings)
	slices.SortFunc(r.ExemptedFindings, func(a, b ExemptedFinding) int {
		return cmp.Or(compareFindings(a.Finding, b.Finding), cmp.Compare(a.Reason, b.Reason))
	})
	r.Exempted = len(r.ExemptedFindings)
	slices.SortFunc(r.Errors, func(a, b InputError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Document, b.Document),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Message, b.Message))
	})
	r.Summary.Findings = len(r.Findings)
	r.Summary.Errors = len(r.Errors)
}

// compareFindings orders findings by file, document, rule and message, then by
// whatever else tells two findings apart, so reports are byte-for-byte repeatable.
func compareFindings(a, b Finding) int {
	var sa, sb Source
	if a.Source != nil {
		sa = *a.Source
	}
	if b.Source != nil {
		sb = *b.Source
	}
	return cmp.Or(
		cmp.Compare(sa.File, sb.File), cmp.Compare(sa.Document, sb.Document),
		cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message),
		cmp.Compare(sa.Line, sb.Line),
		cmp.Compare(a.Object.Namespace, b.Object.Namespace), cmp.Compare(a.Object.Kind, b.Object.Kind),
		cmp.Compare(a.Object.Name, b.Object.Name), cmp.Compare(a.Object.APIVersion, b.Object.APIVersion),
		cmp.Compare(a.Field, b.Field),
	)
}
