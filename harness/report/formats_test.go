package report

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
)

// evaluated is sample() as an Engine reports it: with the objects the rules ran on,
// one of which (Pod shop/b) passed.
func evaluated() *harness.Report {
	r := sample()
	podA, podB := harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "a"}, harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "b"}
	podRules := []string{"RF-POD-001", "RF-POD-002"}
	r.Evaluated = []harness.EvaluatedObject{
		{Object: podB, Source: &harness.Source{File: "a.yaml", Document: 1, Line: 12}, Rules: podRules},
		{Object: podA, Source: &harness.Source{File: "a.yaml", Document: 0, Line: 1}, Rules: podRules},
		{Object: r.Findings[1].Object, Rules: []string{"RF-RBAC-002"}},
	}
	return r
}

// junitDoc mirrors the JUnit XML schema as consumers read it, apart from the renderer's
// own types.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Line      int    `xml:"line,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := (JUnit{}).Report(&buf, evaluated()); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ringfence" tests="6" failures="2" errors="1">
  <testsuite name="RF-POD-001" tests="2" failures="1" errors="0">
    <testcase name="Pod shop/a" classname="RF-POD-001" file="a.yaml" line="1">
      <failure message="Pod shop/a: privileged" type="critical">Pod shop/a: privileged (line 1, spec.containers[0].securityContext.privileged)&#xA;</failure>
    </testcase>
    <testcase name="Pod shop/b" classname="RF-POD-001" file="a.yaml" line="12"></testcase>
  </testsuite>
  <testsuite name="RF-POD-002" tests="2" failures="0" errors="0">
    <testcase name="Pod shop/a" classname="RF-POD-002" file="a.yaml" line="1"></testcase>
    <testcase name="Pod shop/b" classname="RF-POD-002" file="a.yaml" line="12"></testcase>
  </testsuite>
  <testsuite name="RF-RBAC-002" tests="1" failures="1" errors="0">
    <testcase name="ClusterRoleBinding x" classname="RF-RBAC-002">
      <failure message="ClusterRoleBinding x: binds" type="high">ClusterRoleBinding x: binds&#xA;</failure>
    </testcase>
  </testsuite>
  <testsuite name="input" tests="1" failures="0" errors="1">
    <testcase name="b.yaml: document 2" classname="input" file="b.yaml" line="7">
      <error message="invalid YAML: oops" type="input">b.yaml: document 2, line 7: invalid YAML: oops</error>
    </testcase>
  </testsuite>
</testsuites>
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parsing the XML back: %v", err)
	}
	if doc.Tests != 6 || doc.Failures != 2 || doc.Errors != 1 || len(doc.Suites) != 4 {
		t.Errorf("parsed back: %+v", doc)
	}
}

// TestJUnitFindingsOnly checks that a report with no Evaluated (not made by an Engine)
// still has a failing test case per object with findings, several findings in one.
func TestJUnitFindingsOnly(t *testing.T) {
	r := sample()
	second := r.Findings[0]
	second.Message = "Pod shop/a: privileged again"
	second.Field = ""
	r.Findings = append(r.Findings, second)
	r.Errors = nil
	var buf bytes.Buffer
	if err := (JUnit{}).Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 2 || doc.Failures != 2 || doc.Errors != 0 {
		t.Fatalf("counts %d/%d/%d, want 2 tests, 2 failures:\n%s", doc.Tests, doc.Failures, doc.Errors, buf.String())
	}
	f := doc.Suites[0].Cases[0].Failure
	want := "Pod shop/a: privileged (line 1, spec.containers[0].securityContext.privileged)\nPod shop/a: privileged again (line 1)\n"
	if f == nil || f.Message != "Pod shop/a: privileged (and 1 more)" || f.Text != want {
		t.Errorf("failure = %+v", f)
	}
}

func TestGitHub(t *testing.T) {
	tests := []struct {
		name   string
		report *harness.Report
		want   string
	}{
		{"findings, errors and the summary", sample(), `::error file=a.yaml,line=1,title=RF-POD-001 Privileged container::Pod shop/a: privileged%0Afield: spec.containers[0].securityContext.privileged
::error title=RF-RBAC-002 Binding::ClusterRoleBinding x: binds
::error file=b.yaml,line=7,title=ringfence%3A input error::invalid YAML: oops
3 objects, 2 rules: 2 findings (1 critical, 1 high), 1 exempted, 1 error
`},
		{"levels by severity", &harness.Report{Findings: []harness.Finding{
			{Rule: "RF-A-001", Severity: "medium", Title: "M", Message: "m"},
			{Rule: "RF-A-002", Severity: "low", Title: "L", Message: "l"},
			{Rule: "RF-A-003", Severity: "critical", Title: "C", Message: "c"},
		}, Summary: harness.Summary{Findings: 3}}, `::warning title=RF-A-001 M::m
::notice title=RF-A-002 L::l
::error title=RF-A-003 C::c
0 objects, 0 rules: 3 findings (1 critical, 1 medium, 1 low), 0 errors
`},
		{"escaping", &harness.Report{Findings: []harness.Finding{{
			Rule: "RF-A-001", Severity: "high", Title: "a: b, c 100%", Message: "50% of\r\nlines: a, b",
			Source: &harness.Source{File: "dir,x/a:b%.yaml", Line: 3},
		}}, Errors: []harness.InputError{{Message: "no file\nat all"}}, Warnings: []string{"cannot list x: forbidden"}, Summary: harness.Summary{Findings: 1, Errors: 1}},
			`::error file=dir%2Cx/a%3Ab%25.yaml,line=3,title=RF-A-001 a%3A b%2C c 100%25::50%25 of%0D%0Alines: a, b
::error title=ringfence%3A input error::no file%0Aat all
::warning title=ringfence::cannot list x: forbidden
0 objects, 0 rules: 1 finding (1 high), 1 error, 1 warning
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (GitHub{}).Report(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTable(t *testing.T) {
	many := sample()
	low := harness.Finding{Rule: "RF-NET-009", Severity: "low", Title: "Low one", Message: "x"}
	high := harness.Finding{Rule: "RF-EXP-001", Severity: "high", Title: "Exposed", Message: "y"}
	many.Findings = append(many.Findings, low, high, high, low)
	many.Errors = nil
	many.Summary = harness.Summary{Objects: 5, Rules: 4, Findings: 6}
	tests := []struct {
		name   string
		report *harness.Report
		want   string
	}{
		{"sorted by severity then count", many, `RULE         SEVERITY  TITLE                 FINDINGS
RF-POD-001   critical  Privileged container  1
RF-EXP-001   high      Exposed               2
RF-RBAC-002  high      Binding               1
RF-NET-009   low       Low one               2
total                                        6

5 objects, 4 rules: 6 findings (1 critical, 3 high, 2 low), 1 exempted, 0 errors
`},
		{"errors", sample(), `RULE         SEVERITY  TITLE                 FINDINGS
RF-POD-001   critical  Privileged container  1
RF-RBAC-002  high      Binding               1
total                                        2

errors:
  b.yaml: document 2, line 7: invalid YAML: oops

3 objects, 2 rules: 2 findings (1 critical, 1 high), 1 exempted, 1 error
`},
		{"nothing found", &harness.Report{Summary: harness.Summary{Objects: 2, Rules: 3}}, "2 objects, 3 rules: 0 findings, 0 errors\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (Table{}).Report(&buf, tt.report); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
