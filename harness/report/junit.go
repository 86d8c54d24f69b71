package report

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// JUnit writes reports as JUnit XML, the schema Jenkins, GitLab and Azure Pipelines
// read: one test suite per rule, one test case per object the rule was evaluated on (a
// failure when it has findings there, so passing checks count too), and a suite "input"
// with an errored test case per input error.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`

	key      caseKey
	findings []harness.Finding
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// caseKey tells objects apart: the same name may be in two files.
type caseKey struct {
	file     string
	document int
	object   harness.ObjectRef
}

func keyOf(o harness.ObjectRef, s *harness.Source) caseKey {
	k := caseKey{object: o}
	if s != nil {
		k.file, k.document = s.File, s.Document
	}
	return k
}

// Report writes r. A report without Evaluated (one not made by an Engine) gets test
// cases for the objects with findings only.
func (JUnit) Report(w io.Writer, r *harness.Report) error {
	byRule := map[string]map[caseKey]*junitCase{}
	add := func(rule string, o harness.ObjectRef, s *harness.Source) *junitCase {
		cases := byRule[rule]
		if cases == nil {
			cases = map[caseKey]*junitCase{}
			byRule[rule] = cases
		}
		k := keyOf(o, s)
		c := cases[k]
		if c == nil {
			c = &junitCase{Name: describe(o), Classname: rule, key: k}
			if s != nil {
				c.File, c.Line = s.File, s.Line
			}
			cases[k] = c
		}
		return c
	}
	for _, o := range r.Evaluated {
		for _, id := range o.Rules {
			add(id, o.Object, o.Source)
		}
	}
	for _, f := range r.Findings {
		c := add(f.Rule, f.Object, f.Source)
		c.findings = append(c.findings, f)
	}

	out := junitSuites{Name: "ringfence"}
	for _, rule := range slices.Sorted(maps.Keys(byRule)) {
		suite := junitSuite{Name: rule}
		for _, c := range slices.SortedFunc(maps.Values(byRule[rule]), compareCases) {
			if len(c.findings) > 0 {
				c.Failure = failure(c.findings)
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, *c)
		}
		suite.Tests = len(suite.Cases)
		out.Suites = append(out.Suites, suite)
	}
	if len(r.Errors) > 0 {
		suite := junitSuite{Name: "input", Tests: len(r.Errors), Errors: len(r.Errors)}
		for _, e := range r.Errors {
			name := "(input)"
			if e.File != "" {
				name = fmt.Sprintf("%s: document %d", e.File, e.Document)
			}
			suite.Cases = append(suite.Cases, junitCase{
				Name: name, Classname: "input", File: e.File, Line: e.Line,
				Error: &junitProblem{Message: e.Message, Type: "input", Text: e.Error()},
			})
		}
		out.Suites = append(out.Suites, suite)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	return nil
}

// failure is one object's findings of one rule: the first message as the failure's
// message, every finding with its line and field in the body.
func failure(fs []harness.Finding) *junitProblem {
	msg := fs[0].Message
	if len(fs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(fs)-1)
	}
	var body strings.Builder
	for _, f := range fs {
		body.WriteString(f.Message)
		if where := location(f); where != "" {
			body.WriteString(" (" + where + ")")
		}
		body.WriteString("\n")
	}
	return &junitProblem{Message: msg, Type: fs[0].Severity, Text: body.String()}
}

// location is where a finding points: its line and field, as far as known.
func location(f harness.Finding) string {
	var where []string
	if f.Source != nil && f.Source.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", f.Source.Line))
	}
	if f.Field != "" {
		where = append(where, f.Field)
	}
	return strings.Join(where, ", ")
}

func compareCases(a, b *junitCase) int {
	return cmp.Or(cmp.Compare(a.key.file, b.key.file), cmp.Compare(a.key.document, b.key.document),
		cmp.Compare(a.key.object.Namespace, b.key.object.Namespace), cmp.Compare(a.key.object.Kind, b.key.object.Kind),
		cmp.Compare(a.key.object.Name, b.key.object.Name), cmp.Compare(a.key.object.APIVersion, b.key.object.APIVersion))
}

// describe names an object as kubectl users read it: "Deployment shop/web".
func describe(r harness.ObjectRef) string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// errReportsOnly is what formats made for reports say when asked to list rules.
func errReportsOnly(format string) error {
	return errors.New("the " + format + " format writes reports only; list rules with text or json")
}

// Rules refuses: JUnit has no place for a rule listing.
func (JUnit) Rules(io.Writer, []catalog.Rule) error { return errReportsOnly("junit") }
