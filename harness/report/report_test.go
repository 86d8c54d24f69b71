package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

func sample() *harness.Report {
	return &harness.Report{
		Summary: harness.Summary{Objects: 3, Rules: 2, Findings: 2, Errors: 1},
		Findings: []harness.Finding{
			{Rule: "RF-POD-001", Severity: "critical", Title: "Privileged container", Message: "Pod shop/a: privileged",
				Object: harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "a"},
				Source: &harness.Source{File: "a.yaml", Document: 0, Line: 1}, Field: "spec.containers[0].securityContext.privileged"},
			{Rule: "RF-RBAC-002", Severity: "high", Title: "Binding", Message: "ClusterRoleBinding x: binds",
				Object: harness.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "x"}},
		},
		Errors:   []harness.InputError{{File: "b.yaml", Document: 2, Line: 7, Message: "invalid YAML: oops"}},
		Exempted: 1,
	}
}

func TestText(t *testing.T) {
	var buf bytes.Buffer
	if err := (Text{}).Report(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	want := `a.yaml
  CRITICAL  RF-POD-001   Pod shop/a: privileged
                         line 1, spec.containers[0].securityContext.privileged

(objects)
  HIGH      RF-RBAC-002  ClusterRoleBinding x: binds

errors:
  b.yaml: document 2, line 7: invalid YAML: oops

3 objects, 2 rules: 2 findings (1 critical, 1 high), 1 exempted, 1 error
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTextEmpty(t *testing.T) {
	var buf bytes.Buffer
	r := &harness.Report{Summary: harness.Summary{Objects: 1, Rules: 1}}
	if err := (Text{}).Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "1 object, 1 rule: 0 findings, 0 errors\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Report(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"summary": map[string]any{"objects": 3.0, "rules": 2.0, "findings": 2.0, "errors": 1.0},
		"findings": []any{
			map[string]any{"rule": "RF-POD-001", "severity": "critical", "title": "Privileged container", "message": "Pod shop/a: privileged",
				"object": map[string]any{"apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "a"},
				"source": map[string]any{"file": "a.yaml", "document": 0.0, "line": 1.0},
				"field":  "spec.containers[0].securityContext.privileged"},
			map[string]any{"rule": "RF-RBAC-002", "severity": "high", "title": "Binding", "message": "ClusterRoleBinding x: binds",
				"object": map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "name": "x"}},
		},
		"errors": []any{map[string]any{"file": "b.yaml", "document": 2.0, "line": 7.0, "message": "invalid YAML: oops"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFor(t *testing.T) {
	for _, name := range Names() {
		if _, err := For(name); err != nil {
			t.Errorf("For(%q): %v", name, err)
		}
	}
	if _, err := For("xml"); err == nil {
		t.Error("For(xml) succeeded")
	}
	var buf bytes.Buffer
	if err := (Text{}).Rules(&buf, []catalog.Rule{{ID: "RF-POD-001", Severity: "critical", Title: "Privileged container"}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("RF-POD-001   critical  no         Privileged container")) {
		t.Errorf("rules listing:\n%s", buf.String())
	}
}

func TestTextBaseline(t *testing.T) {
	r := sample()
	r.Findings = r.Findings[1:]
	r.Errors = nil
	r.Summary = harness.Summary{Objects: 3, Rules: 2, Findings: 1, Baselined: 4}
	r.Baseline = &harness.BaselineResult{File: "ringfence-baseline.json", Accepted: 4, Stale: []harness.BaselineEntry{
		{Fingerprint: "0123456789abcdef", Rule: "RF-POD-001", Object: harness.BaselineObject{Kind: "Pod", Namespace: "shop", Name: "a"},
			Field: "spec.containers[0].securityContext.privileged", Message: "Pod shop/a: privileged", Count: 2},
		{Fingerprint: "fedcba9876543210", Rule: "RF-RBAC-002", Object: harness.BaselineObject{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding", Name: "x"},
			Message: "ClusterRoleBinding x: binds", Count: 1},
	}}
	var buf bytes.Buffer
	if err := (Text{}).Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := `(objects)
  HIGH      RF-RBAC-002  ClusterRoleBinding x: binds

stale baseline entries in ringfence-baseline.json (no longer found; rewrite it with --write-baseline to prune them):
  RF-POD-001   0123456789abcdef  Pod shop/a: privileged (2 times)
  RF-RBAC-002  fedcba9876543210  ClusterRoleBinding x: binds

3 objects, 2 rules: 1 finding (1 high), 1 exempted, 4 baselined (2 stale entries), 0 errors
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestJSONBaseline(t *testing.T) {
	r := sample()
	r.Findings, r.Errors = nil, nil
	r.Summary = harness.Summary{Objects: 3, Rules: 2, Baselined: 2}
	r.Baseline = &harness.BaselineResult{File: "b.json", Accepted: 2, Stale: []harness.BaselineEntry{
		{Fingerprint: "0123456789abcdef", Rule: "RF-POD-001", Object: harness.BaselineObject{Kind: "Pod", Namespace: "shop", Name: "a"}, Message: "m", Count: 1},
	}}
	var buf bytes.Buffer
	if err := (JSON{}).Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"summary":  map[string]any{"objects": 3.0, "rules": 2.0, "findings": 0.0, "errors": 0.0, "baselined": 2.0},
		"findings": nil,
		"errors":   nil,
		"baseline": map[string]any{"file": "b.json", "accepted": 2.0, "stale": []any{map[string]any{
			"fingerprint": "0123456789abcdef", "rule": "RF-POD-001", "object": map[string]any{"kind": "Pod", "namespace": "shop", "name": "a"},
			"message": "m", "count": 1.0}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
