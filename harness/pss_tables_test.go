package harness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"
)

// evalPSS evaluates a query against the compiled policies and decodes its single value.
func evalPSS(t *testing.T, query string, out any) {
	t.Helper()
	rs, err := rego.New(rego.Compiler(compiledPolicies(t)), rego.Query(query)).Eval(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("%s: want one value, got %v", query, rs)
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestPSSSpansMatchChecks checks that lib/pss's literal spans table says what checks and
// overridden_by define through applies: at every level and every minor version up to
// latest_minor, the checks spans lists are those that apply, each with the first and last
// version it applies to and no gap between.
func TestPSSSpansMatchChecks(t *testing.T) {
	var latest int
	evalPSS(t, "data.ringfence.lib.pss.latest_minor", &latest)
	var applied map[string]map[string][]int
	evalPSS(t, `{lvl: {id: ms |
		some id, _ in data.ringfence.lib.pss.checks
		ms := [m | some m in numbers.range(0, data.ringfence.lib.pss.latest_minor); data.ringfence.lib.pss.applies(id, lvl, m)]
		count(ms) > 0
	} | some lvl in ["privileged", "baseline", "restricted"]}`, &applied)
	want := map[string]map[string][2]int{}
	for lvl, ids := range applied {
		want[lvl] = map[string][2]int{}
		for id, ms := range ids {
			for i, m := range ms {
				if m != ms[0]+i {
					t.Errorf("check %s at level %s applies to minor versions %v, with a gap: spans cannot say so", id, lvl, ms)
					break
				}
			}
			want[lvl][id] = [2]int{ms[0], ms[len(ms)-1]}
		}
	}
	var got map[string]map[string][2]int
	evalPSS(t, "data.ringfence.lib.pss.spans", &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans differs from what applies computes from checks and overridden_by (-applies +spans):\n%s", diff)
	}
	if len(applied["restricted"]) == 0 || len(applied["baseline"]) == 0 {
		t.Errorf("no checks at baseline or restricted: %v", applied)
	}
	if latest < 37 {
		t.Errorf("latest_minor is %d", latest)
	}
}

// TestPSSMinorsTable checks lib/pss's literal minors table against the versions Pod
// Security Admission parses, and that minor still computes the versions the table leaves
// out.
func TestPSSMinorsTable(t *testing.T) {
	var latest int
	evalPSS(t, "data.ringfence.lib.pss.latest_minor", &latest)
	want := map[string]int{"latest": latest}
	for m := 0; m <= latest; m++ {
		want[fmt.Sprintf("v1.%d", m)] = m
	}
	var got map[string]int
	evalPSS(t, "data.ringfence.lib.pss.minors", &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("minors (-want +got):\n%s", diff)
	}
	for value, m := range map[string]int{
		fmt.Sprintf("v1.%d", latest+1):  latest,
		"v1.999":                        latest,
		"v1.9223372036854775807":        latest,
		"v1.9223372036854775808":        latest, // does not parse: latest
		"v1.05":                         latest, // leading zero: does not parse
		"1.20":                          latest,
		"Latest":                        latest,
		"":                              latest,
		"v1.20":                         20,
		"v1.0":                          0,
		fmt.Sprintf("v1.%d", latest):    latest,
		fmt.Sprintf("v1.%d", latest-10): latest - 10,
	} {
		var got int
		evalPSS(t, fmt.Sprintf("data.ringfence.lib.pss.minor(%q)", value), &got)
		if got != m {
			t.Errorf("minor(%q) = %d, want %d", value, got, m)
		}
	}
}

// TestPSALabelTables checks that lib/psa's literal label tables name the same keys as
// its enforce_label, enforce_version_label, ... rules, each table the other's inverse.
func TestPSALabelTables(t *testing.T) {
	var got struct {
		Modes        []string          `json:"modes"`
		Labels       map[string]string `json:"labels"`
		LevelLabel   map[string]string `json:"level_label"`
		VersionLabel map[string]string `json:"version_label"`
		LevelMode    map[string]string `json:"level_mode"`
		VersionMode  map[string]string `json:"version_mode"`
		Known        []string          `json:"known_labels"`
		Prefix       string            `json:"label_prefix"`
	}
	evalPSS(t, `{
		"modes": data.ringfence.lib.psa.modes,
		"labels": {
			"enforce": data.ringfence.lib.psa.enforce_label,
			"enforce-version": data.ringfence.lib.psa.enforce_version_label,
			"audit": data.ringfence.lib.psa.audit_label,
			"audit-version": data.ringfence.lib.psa.audit_version_label,
			"warn": data.ringfence.lib.psa.warn_label,
			"warn-version": data.ringfence.lib.psa.warn_version_label,
		},
		"level_label": data.ringfence.lib.psa.level_label,
		"version_label": data.ringfence.lib.psa.version_label,
		"level_mode": data.ringfence.lib.psa.level_mode,
		"version_mode": data.ringfence.lib.psa.version_mode,
		"known_labels": data.ringfence.lib.psa.known_labels,
		"label_prefix": data.ringfence.lib.psa.label_prefix,
	}`, &got)
	wantLevel, wantVersion := map[string]string{}, map[string]string{}
	wantLevelMode, wantVersionMode := map[string]string{}, map[string]string{}
	var wantKnown []string
	for _, mode := range got.Modes {
		level, version := got.Labels[mode], got.Labels[mode+"-version"]
		if level != got.Prefix+mode || version != got.Prefix+mode+"-version" {
			t.Errorf("mode %s: labels %q and %q", mode, level, version)
		}
		wantLevel[mode], wantVersion[mode] = level, version
		wantLevelMode[level], wantVersionMode[version] = mode, mode
		wantKnown = append(wantKnown, level, version)
	}
	if len(got.Modes) != 3 {
		t.Errorf("modes: %v", got.Modes)
	}
	slices.Sort(wantKnown)
	for name, d := range map[string]string{
		"level_label":   cmp.Diff(wantLevel, got.LevelLabel),
		"version_label": cmp.Diff(wantVersion, got.VersionLabel),
		"level_mode":    cmp.Diff(wantLevelMode, got.LevelMode),
		"version_mode":  cmp.Diff(wantVersionMode, got.VersionMode),
		"known_labels":  cmp.Diff(wantKnown, got.Known),
	} {
		if d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}
