package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

func sarifSample(t *testing.T) *harness.Report {
	t.Helper()
	r := sample()
	r.Rules = []catalog.Rule{
		{ID: "RF-POD-001", Title: "Privileged container", Description: "Privileged containers own the node.",
			Severity: "critical", Area: "pod", Remediation: "Drop privileged.",
			References: []string{"CIS 5.2.1", "https://kubernetes.io/docs/concepts/security/pod-security-standards/"}},
		{ID: "RF-NET-001", Title: "Namespace without default-deny", Severity: "medium", Area: "network"},
		{ID: "RF-RBAC-002", Title: "Binding", Severity: "high", Area: "rbac", Remediation: "Bind less."},
		{ID: "RF-LOG-001", Title: "Low thing", Severity: "low", Area: "logging"},
	}
	r.ExemptedFindings = []harness.ExemptedFinding{{
		Finding: harness.Finding{Rule: "RF-POD-001", Severity: "critical", Title: "Privileged container", Message: "Pod shop/b: privileged",
			Object: harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "b"},
			Source: &harness.Source{File: filepath.Join("dir", "b.yaml"), Line: 12}},
		Reason: "vendor appliance",
	}}
	r.Warnings = []string{"not allowed to list Secrets"}
	return r
}

func decodeSARIF(t *testing.T, f Format, r *harness.Report) sarifLog {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Report(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return log
}

func TestSARIFShape(t *testing.T) {
	log := decodeSARIF(t, SARIF{}, sarifSample(t))
	if log.Version != "2.1.0" || log.Schema != sarifSchema || len(log.Runs) != 1 {
		t.Fatalf("log header: %q %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "ringfence" || run.Tool.Driver.InformationURI != toolURI {
		t.Errorf("driver: %+v", run.Tool.Driver)
	}
	wantRules := []sarifDescriptor{
		{ID: "RF-LOG-001", Name: "LowThing", ShortDescription: &sarifText{Text: "Low thing"}, HelpURI: rulesURI,
			DefaultConfiguration: sarifRuleConfig{Level: "note"},
			Properties:           sarifRuleProperty{Tags: []string{"security", "logging"}, SecuritySeverity: "3.0", Severity: "low"}},
		{ID: "RF-NET-001", Name: "NamespaceWithoutDefaultDeny", ShortDescription: &sarifText{Text: "Namespace without default-deny"}, HelpURI: rulesURI,
			DefaultConfiguration: sarifRuleConfig{Level: "warning"},
			Properties:           sarifRuleProperty{Tags: []string{"security", "network"}, SecuritySeverity: "5.5", Severity: "medium"}},
		{ID: "RF-POD-001", Name: "PrivilegedContainer", ShortDescription: &sarifText{Text: "Privileged container"},
			FullDescription: &sarifText{Text: "Privileged containers own the node."},
			Help: &sarifHelp{
				Text:     "Drop privileged.\n\nReferences:\n- CIS 5.2.1\n- https://kubernetes.io/docs/concepts/security/pod-security-standards/",
				Markdown: "Drop privileged.\n\n**References**\n\n- CIS 5.2.1\n- <https://kubernetes.io/docs/concepts/security/pod-security-standards/>",
			},
			HelpURI:              "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
			DefaultConfiguration: sarifRuleConfig{Level: "error"},
			Properties:           sarifRuleProperty{Tags: []string{"CIS 5.2.1", "security", "pod"}, SecuritySeverity: "9.5", Severity: "critical"}},
		{ID: "RF-RBAC-002", Name: "Binding", ShortDescription: &sarifText{Text: "Binding"}, HelpURI: rulesURI,
			Help:                 &sarifHelp{Text: "Bind less.", Markdown: "Bind less."},
			DefaultConfiguration: sarifRuleConfig{Level: "error"},
			Properties:           sarifRuleProperty{Tags: []string{"security", "rbac"}, SecuritySeverity: "8.0", Severity: "high"}},
	}
	if diff := cmp.Diff(wantRules, run.Tool.Driver.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	fp := func(f harness.Finding) map[string]string {
		return map[string]string{FingerprintKey: Fingerprint(f)}
	}
	s := sarifSample(t)
	wantResults := []sarifResult{
		{RuleID: "RF-POD-001", RuleIndex: 2, Level: "error", Message: sarifText{Text: "Pod shop/a: privileged"},
			Locations: []sarifLocation{{
				PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "a.yaml"}, Region: &sarifRegion{StartLine: 1}},
				LogicalLocations: []sarifLogical{{Name: "a", FullyQualifiedName: "shop/Pod/a", Kind: "resource"}},
			}},
			PartialFingerprints: fp(s.Findings[0]),
			Properties:          &sarifResultProps{Field: "spec.containers[0].securityContext.privileged"}},
		{RuleID: "RF-RBAC-002", RuleIndex: 3, Level: "error", Message: sarifText{Text: "ClusterRoleBinding x: binds"},
			Locations: []sarifLocation{{
				LogicalLocations: []sarifLogical{{Name: "x", FullyQualifiedName: "ClusterRoleBinding/x", Kind: "resource"}},
			}},
			PartialFingerprints: fp(s.Findings[1])},
		{RuleID: "RF-POD-001", RuleIndex: 2, Level: "error", Message: sarifText{Text: "Pod shop/b: privileged"},
			Locations: []sarifLocation{{
				PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "dir/b.yaml"}, Region: &sarifRegion{StartLine: 12}},
				LogicalLocations: []sarifLogical{{Name: "b", FullyQualifiedName: "shop/Pod/b", Kind: "resource"}},
			}},
			PartialFingerprints: fp(s.ExemptedFindings[0].Finding),
			Suppressions:        []sarifSuppression{{Kind: "external", Justification: "vendor appliance"}}},
	}
	if diff := cmp.Diff(wantResults, run.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantInv := []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{
		{Level: "error", Message: sarifText{Text: "invalid YAML: oops"},
			Locations: []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "b.yaml"}, Region: &sarifRegion{StartLine: 7}}}}},
		{Level: "warning", Message: sarifText{Text: "not allowed to list Secrets"}},
	}}}
	if diff := cmp.Diff(wantInv, run.Invocations); diff != "" {
		t.Errorf("invocations (-want +got):\n%s", diff)
	}
}

// The fingerprint names the finding, not its place: moving the object keeps it, any
// change to what the finding says changes it.
func TestSARIFFingerprint(t *testing.T) {
	f := sample().Findings[0]
	moved := f
	moved.Source = &harness.Source{File: f.Source.File, Document: 3, Line: 40}
	if Fingerprint(f) != Fingerprint(moved) {
		t.Error("the fingerprint changed when only the line did")
	}
	for name, change := range map[string]func(*harness.Finding){
		"rule":      func(g *harness.Finding) { g.Rule = "RF-POD-002" },
		"namespace": func(g *harness.Finding) { g.Object.Namespace = "other" },
		"name":      func(g *harness.Finding) { g.Object.Name = "b" },
		"kind":      func(g *harness.Finding) { g.Object.Kind = "Deployment" },
		"field":     func(g *harness.Finding) { g.Field = "spec.hostNetwork" },
		"message":   func(g *harness.Finding) { g.Message += "!" },
	} {
		g := f
		change(&g)
		if Fingerprint(g) == Fingerprint(f) {
			t.Errorf("changing the %s kept the fingerprint", name)
		}
	}
	// In the log too: the same finding on another line has the same fingerprint.
	a := decodeSARIF(t, SARIF{}, &harness.Report{Findings: []harness.Finding{f}})
	b := decodeSARIF(t, SARIF{}, &harness.Report{Findings: []harness.Finding{moved}})
	if got, want := b.Runs[0].Results[0].PartialFingerprints, a.Runs[0].Results[0].PartialFingerprints; !cmp.Equal(got, want) {
		t.Errorf("fingerprints %v and %v", got, want)
	}
}

func TestSARIFLevels(t *testing.T) {
	for severity, want := range map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note"} {
		if got := sarifLevel(severity); got != want {
			t.Errorf("level of %s: %s, want %s", severity, got, want)
		}
	}
}

func TestSARIFRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "repo", "k8s", "web app.yaml")
	r := &harness.Report{Findings: []harness.Finding{{Rule: "RF-POD-001", Severity: "critical", Message: "m",
		Object: harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "p"}, Source: &harness.Source{File: file, Line: 3}}}}
	uri := func(f Format) string {
		return decodeSARIF(t, f, r).Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI
	}
	if got, want := uri(WithSARIFRoot(SARIF{}, filepath.Join(dir, "repo"))), "k8s/web%20app.yaml"; got != want {
		t.Errorf("under the root: %q, want %q", got, want)
	}
	if got, want := uri(WithSARIFRoot(SARIF{}, filepath.Join(dir, "other"))), "file://"+filepath.ToSlash(dir)+"/repo/k8s/web%20app.yaml"; got != want {
		t.Errorf("outside the root: %q, want %q", got, want)
	}
	if _, ok := WithSARIFRoot(JSON{}, dir).(JSON); !ok {
		t.Error("WithSARIFRoot changed another format")
	}
}

// Standard input has no file: results keep the logical location only.
func TestSARIFStdin(t *testing.T) {
	r := &harness.Report{
		Findings: []harness.Finding{{Rule: "RF-POD-001", Severity: "critical", Message: "m",
			Object: harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "p"}, Source: &harness.Source{File: "-", Line: 3}}},
		Errors: []harness.InputError{{File: "-", Line: 2, Message: "invalid YAML"}},
	}
	run := decodeSARIF(t, SARIF{}, r).Runs[0]
	if loc := run.Results[0].Locations[0]; loc.PhysicalLocation != nil || len(loc.LogicalLocations) != 1 {
		t.Errorf("location of a finding from stdin: %+v", loc)
	}
	if n := run.Invocations[0].ToolExecutionNotifications[0]; n.Locations != nil {
		t.Errorf("location of an error in stdin: %+v", n.Locations)
	}
	// A report not made by an engine has no rules; the findings' rules are described.
	if rules := run.Tool.Driver.Rules; len(rules) != 1 || rules[0].ID != "RF-POD-001" || run.Results[0].RuleIndex != 0 {
		t.Errorf("rules: %+v", rules)
	}
}

func TestSARIFDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := (SARIF{}).Report(&a, sarifSample(t)); err != nil {
		t.Fatal(err)
	}
	if err := (SARIF{}).Report(&b, sarifSample(t)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of one report differ")
	}
}

func TestSARIFRules(t *testing.T) {
	var buf bytes.Buffer
	if err := (SARIF{}).Rules(&buf, sarifSample(t).Rules); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if got := len(log.Runs[0].Tool.Driver.Rules); got != 4 || len(log.Runs[0].Results) != 0 {
		t.Errorf("%d rules, %d results", got, len(log.Runs[0].Results))
	}
}
