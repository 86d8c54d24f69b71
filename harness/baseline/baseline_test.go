package baseline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
)

func finding(file string, line int, mod func(*harness.Finding)) harness.Finding {
	f := harness.Finding{
		Rule: "RF-POD-001", Severity: "critical", Title: "Privileged container",
		Message: `Deployment shop/web: container "app" sets securityContext.privileged to true`,
		Object:  harness.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"},
		Source:  &harness.Source{File: file, Document: 0, Line: line},
		Field:   "spec.template.spec.containers[0].securityContext.privileged",
	}
	if mod != nil {
		mod(&f)
	}
	return f
}

func TestFingerprintStable(t *testing.T) {
	base := EntryOf(finding("deploy/web.yaml", 1, nil)).Fingerprint
	same := map[string]harness.Finding{
		"line moved":     finding("deploy/web.yaml", 120, nil),
		"file renamed":   finding("k8s/apps/web-deployment.yml", 1, nil),
		"document moved": finding("deploy/web.yaml", 1, func(f *harness.Finding) { f.Source.Document = 7 }),
		"no source":      finding("", 0, func(f *harness.Finding) { f.Source = nil }),
		"reindented message": finding("deploy/web.yaml", 1, func(f *harness.Finding) {
			f.Message = "Deployment shop/web:\n    container \"app\"  sets\tsecurityContext.privileged to true "
		}),
		"other apiVersion of the group": finding("deploy/web.yaml", 1, func(f *harness.Finding) { f.Object.APIVersion = "apps/v1beta2" }),
		"severity and title changed": finding("deploy/web.yaml", 1, func(f *harness.Finding) {
			f.Severity, f.Title = "high", "Privileged"
		}),
	}
	for name, f := range same {
		if got := EntryOf(f).Fingerprint; got != base {
			t.Errorf("%s: fingerprint %s, want %s", name, got, base)
		}
	}
}

func TestFingerprintDiffers(t *testing.T) {
	seen := map[string]string{EntryOf(finding("a.yaml", 1, nil)).Fingerprint: "base"}
	other := map[string]harness.Finding{
		"rule":  finding("a.yaml", 1, func(f *harness.Finding) { f.Rule = "RF-POD-002" }),
		"field": finding("a.yaml", 1, func(f *harness.Finding) { f.Field = "spec.template.spec.containers[1].securityContext.privileged" }),
		"message": finding("a.yaml", 1, func(f *harness.Finding) {
			f.Message = `Deployment shop/web: container "sidecar" sets securityContext.privileged to true`
		}),
		"name":      finding("a.yaml", 1, func(f *harness.Finding) { f.Object.Name = "api" }),
		"namespace": finding("a.yaml", 1, func(f *harness.Finding) { f.Object.Namespace = "prod" }),
		"kind":      finding("a.yaml", 1, func(f *harness.Finding) { f.Object.Kind = "StatefulSet" }),
		"group":     finding("a.yaml", 1, func(f *harness.Finding) { f.Object.APIVersion = "extensions/v1beta1" }),
		"no field":  finding("a.yaml", 1, func(f *harness.Finding) { f.Field = "" }),
	}
	for name, f := range other {
		fp := EntryOf(f).Fingerprint
		if prev, ok := seen[fp]; ok {
			t.Errorf("%s: same fingerprint as %s", name, prev)
		}
		seen[fp] = name
	}
}

func TestObjectOf(t *testing.T) {
	for _, tc := range []struct {
		ref  harness.ObjectRef
		want Object
	}{
		{harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Name: "p"}, Object{Kind: "Pod", Namespace: "default", Name: "p"}},
		{harness.ObjectRef{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Name: "p"}, Object{Kind: "Pod", Namespace: "shop", Name: "p"}},
		{harness.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}, Object{Kind: "Namespace", Name: "shop"}},
		{harness.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Namespace: "ignored", Name: "r"},
			Object{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "r"}},
	} {
		if diff := cmp.Diff(tc.want, ObjectOf(tc.ref)); diff != "" {
			t.Errorf("ObjectOf(%+v) (-want +got):\n%s", tc.ref, diff)
		}
	}
	// A Pod without namespace is the Pod in "default".
	implicit := finding("a.yaml", 1, func(f *harness.Finding) { f.Object.Namespace = "" })
	explicit := finding("a.yaml", 1, func(f *harness.Finding) { f.Object.Namespace = "default" })
	if EntryOf(implicit).Fingerprint != EntryOf(explicit).Fingerprint {
		t.Error("an object without namespace and the same object in namespace default differ")
	}
}

func TestBuildCountsOccurrences(t *testing.T) {
	a := finding("copy1/web.yaml", 3, nil)
	b := finding("copy2/web.yaml", 40, nil) // an identical object in another file
	c := finding("copy1/web.yaml", 3, func(f *harness.Finding) { f.Rule = "RF-POD-004"; f.Message = "m" })
	got := Build("ringfence test", []harness.Finding{c, a, b})
	want := &File{Version: Version, Tool: "ringfence test", Entries: []Entry{
		{Fingerprint: EntryOf(a).Fingerprint, Rule: a.Rule, Object: Object{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"},
			Field: a.Field, Message: a.Message, Count: 2},
		{Fingerprint: EntryOf(c).Fingerprint, Rule: "RF-POD-004", Object: Object{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"},
			Field: c.Field, Message: "m", Count: 1},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	a := finding("a.yaml", 1, nil)
	b := finding("b.yaml", 1, nil) // a duplicate of a
	fixed := finding("a.yaml", 1, func(f *harness.Finding) { f.Rule = "RF-POD-019"; f.Message = "runs as root" })
	base := Build("", []harness.Finding{a, b, fixed})

	t.Run("unchanged", func(t *testing.T) {
		out := Check(base, []harness.Finding{finding("moved.yaml", 9, nil), finding("split.yaml", 2, nil), fixed})
		if diff := cmp.Diff(Outcome{Accepted: 3, Stale: []Entry{}}, out); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("a third copy is new", func(t *testing.T) {
		third := finding("c.yaml", 1, nil)
		out := Check(base, []harness.Finding{a, b, third, fixed})
		if diff := cmp.Diff(Outcome{New: []harness.Finding{third}, Accepted: 3, Stale: []Entry{}}, out); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("stale", func(t *testing.T) {
		out := Check(base, []harness.Finding{a})
		stale := []Entry{EntryOf(a), EntryOf(fixed)} // one copy of a is gone, and fixed
		if diff := cmp.Diff(Outcome{Accepted: 1, Stale: stale}, out); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestApply(t *testing.T) {
	a := finding("a.yaml", 1, nil)
	n := finding("a.yaml", 1, func(f *harness.Finding) { f.Rule = "RF-POD-004"; f.Message = "new" })
	rep := &harness.Report{Summary: harness.Summary{Objects: 1, Rules: 2, Findings: 2}, Findings: []harness.Finding{a, n}}
	Apply(rep, Build("", []harness.Finding{a}), "base.json")
	want := &harness.Report{
		Summary:  harness.Summary{Objects: 1, Rules: 2, Findings: 1, Baselined: 1},
		Findings: []harness.Finding{n},
		Baseline: &harness.BaselineResult{File: "base.json", Accepted: 1, Stale: []Entry{}},
	}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWriteParse(t *testing.T) {
	a := finding("a.yaml", 1, func(f *harness.Finding) { f.Message = "Pod <unnamed>: a & b" })
	c := finding("a.yaml", 1, func(f *harness.Finding) {
		f.Rule = "RF-NET-001"
		f.Field = ""
		f.Object = harness.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}
	})
	b := Build("ringfence v1.2.3", []harness.Finding{a, c, a})
	var buf bytes.Buffer
	if err := Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	fpA, fpC := EntryOf(a).Fingerprint, EntryOf(c).Fingerprint
	want := `{
  "version": 1,
  "tool": "ringfence v1.2.3",
  "entries": [
    {"fingerprint":"` + fpC + `","rule":"RF-NET-001","object":{"kind":"Namespace","name":"shop"},"message":"Deployment shop/web: container \"app\" sets securityContext.privileged to true","count":1},
    {"fingerprint":"` + fpA + `","rule":"RF-POD-001","object":{"group":"apps","kind":"Deployment","namespace":"shop","name":"web"},"field":"spec.template.spec.containers[0].securityContext.privileged","message":"Pod <unnamed>: a & b","count":2}
  ]
}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	var empty bytes.Buffer
	if err := Write(&empty, Build("", nil)); err != nil {
		t.Fatal(err)
	}
	if got, want := empty.String(), "{\n  \"version\": 1,\n  \"entries\": []\n}\n"; got != want {
		t.Errorf("empty baseline: got %q, want %q", got, want)
	}
	if _, err := Parse(empty.Bytes()); err != nil {
		t.Errorf("empty baseline: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	good := `{"fingerprint":"` + EntryOf(finding("a.yaml", 1, nil)).Fingerprint + `","rule":"RF-POD-001","object":{"group":"apps","kind":"Deployment","namespace":"shop","name":"web"},"field":"spec.template.spec.containers[0].securityContext.privileged","message":"Deployment shop/web: container \"app\" sets securityContext.privileged to true","count":1}`
	for name, tc := range map[string]struct{ data, want string }{
		"not JSON":      {"entries: []", "not a baseline file"},
		"empty":         {"", "not a baseline file"},
		"two values":    {`{"version":1,"entries":[]} {}`, "more than one JSON value"},
		"unknown field": {`{"version":1,"entries":[],"extra":1}`, `unknown field "extra"`},
		"version":       {`{"version":2,"entries":[]}`, "baseline version 2"},
		"edited":        {`{"version":1,"entries":[` + strings.Replace(good, `"web"}`, `"api"}`, 1) + `]}`, "does not match"},
		"repeated":      {`{"version":1,"entries":[` + good + "," + good + `]}`, "repeated"},
		"count":         {`{"version":1,"entries":[` + strings.Replace(good, `"count":1`, `"count":0`, 1) + `]}`, "count 0"},
	} {
		_, err := Parse([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	if _, err := Parse([]byte(`{"version":1,"entries":[` + good + `]}`)); err != nil {
		t.Errorf("good entry: %v", err)
	}
}
