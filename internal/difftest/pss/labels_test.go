package pss_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	psaapi "k8s.io/pod-security-admission/api"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/policies"
)

// psaSide is one mode of a policy as data.ringfence.lib.psa.policy returns it.
type psaSide struct {
	Level   string `json:"level"`
	Version string `json:"version"`
}

type psaPolicy struct {
	Enforce psaSide `json:"enforce"`
	Audit   psaSide `json:"audit"`
	Warn    psaSide `json:"warn"`
}

func (p psaPolicy) toMap() map[string]any {
	side := func(s psaSide) map[string]any { return map[string]any{"level": s.Level, "version": s.Version} }
	return map[string]any{"enforce": side(p.Enforce), "audit": side(p.Audit), "warn": side(p.Warn)}
}

// upstreamDefaults turns Rego-shaped defaults into upstream's Policy; fromUpstream turns
// upstream's Policy into the Rego shape.
func upstreamDefaults(t *testing.T, d psaPolicy) psaapi.Policy {
	t.Helper()
	lv := func(s psaSide) psaapi.LevelVersion {
		v, err := psaapi.ParseVersion(s.Version)
		if err != nil {
			t.Fatalf("defaults carry an invalid version %q", s.Version)
		}
		return psaapi.LevelVersion{Level: psaapi.Level(s.Level), Version: v}
	}
	return psaapi.Policy{Enforce: lv(d.Enforce), Audit: lv(d.Audit), Warn: lv(d.Warn)}
}

func fromUpstream(p psaapi.Policy) psaPolicy {
	side := func(lv psaapi.LevelVersion) psaSide {
		return psaSide{Level: string(lv.Level), Version: lv.Version.String()}
	}
	return psaPolicy{Enforce: side(p.Enforce), Audit: side(p.Audit), Warn: side(p.Warn)}
}

// TestPSAPolicyMatchesUpstream checks data.ringfence.lib.psa.policy against the Pod
// Security Admission controller's own resolution of namespace labels
// (api.PolicyToEvaluate, k8s.io/pod-security-admission) on hand-picked and random label
// maps and defaults.
func TestPSAPolicyMatchesUpstream(t *testing.T) {
	ctx := context.Background()
	pq, err := rego.New(
		rego.Compiler(labelCompiler(t)),
		rego.Query("x := data.ringfence.lib.psa.policy(input.labels, input.defaults)"),
	).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regoPolicy := func(labels map[string]string, defaults psaPolicy) (psaPolicy, error) {
		in := map[string]any{}
		ls := map[string]any{}
		for k, v := range labels {
			ls[k] = v
		}
		in["labels"] = ls
		in["defaults"] = defaults.toMap()
		rs, err := pq.Eval(ctx, rego.EvalInput(in))
		if err != nil {
			return psaPolicy{}, err
		}
		if len(rs) != 1 {
			return psaPolicy{}, fmt.Errorf("%d results", len(rs))
		}
		out, ok := rs[0].Bindings["x"].(map[string]any)
		if !ok {
			return psaPolicy{}, fmt.Errorf("result %v is not an object", rs[0].Bindings["x"])
		}
		get := func(mode string) psaSide {
			m, _ := out[mode].(map[string]any)
			l, _ := m["level"].(string)
			v, _ := m["version"].(string)
			return psaSide{Level: l, Version: v}
		}
		if len(out) != 3 {
			return psaPolicy{}, fmt.Errorf("result %v does not have exactly three modes", out)
		}
		return psaPolicy{Enforce: get("enforce"), Audit: get("audit"), Warn: get("warn")}, nil
	}
	compared, disagreements := 0, 0
	check := func(name string, labels map[string]string, defaults psaPolicy) {
		t.Helper()
		compared++
		ref, _ := psaapi.PolicyToEvaluate(labels, upstreamDefaults(t, defaults))
		want := fromUpstream(ref)
		got, err := regoPolicy(labels, defaults)
		if err != nil {
			disagreements++
			t.Errorf("%s: labels %v, defaults %v: %v", name, labels, defaults, err)
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			disagreements++
			t.Errorf("%s: labels %v, defaults %v (-upstream +rego):\n%s", name, labels, defaults, diff)
		}
	}

	const (
		enf, enfV = psaapi.EnforceLevelLabel, psaapi.EnforceVersionLabel
		aud, audV = psaapi.AuditLevelLabel, psaapi.AuditVersionLabel
		wrn, wrnV = psaapi.WarnLevelLabel, psaapi.WarnVersionLabel
	)
	side := func(l, v string) psaSide { return psaSide{Level: l, Version: v} }
	priv := psaPolicy{side("privileged", "latest"), side("privileged", "latest"), side("privileged", "latest")}
	mixed := psaPolicy{side("baseline", "v1.30"), side("restricted", "latest"), side("baseline", "v1.29")}

	edge := []struct {
		name     string
		labels   map[string]string
		defaults psaPolicy
	}{
		{"no labels", nil, mixed},
		{"unrelated labels", map[string]string{"app": "x"}, mixed},
		{"enforce restricted sets warn", map[string]string{enf: "restricted", enfV: "v1.30"}, priv},
		{"enforce baseline sets warn with its version", map[string]string{enf: "baseline"}, mixed},
		{"warn-version kept when warn follows enforce", map[string]string{enf: "restricted", enfV: "v1.25", wrnV: "v1.20"}, priv},
		{"invalid warn-version kept as latest when warn follows enforce", map[string]string{enf: "restricted", enfV: "v1.25", wrnV: "1.20"}, priv},
		{"enforce not stricter than default warn", map[string]string{enf: "baseline", enfV: "v1.1"}, mixed},
		{"enforce privileged", map[string]string{enf: "privileged"}, mixed},
		{"empty enforce fails closed, warn not defaulted", map[string]string{enf: ""}, priv},
		{"invalid enforce fails closed", map[string]string{enf: "Restricted"}, priv},
		{"invalid audit and warn fail open", map[string]string{enf: "restricted", aud: "strict", wrn: " baseline"}, mixed},
		{"empty warn is a warn label", map[string]string{enf: "restricted", wrn: ""}, mixed},
		{"explicit weaker warn", map[string]string{enf: "restricted", wrn: "privileged"}, priv},
		{"version without level", map[string]string{enfV: "v1.22", audV: "v1.5", wrnV: "latest"}, mixed},
		{"invalid versions mean latest", map[string]string{enfV: "v1.05", audV: "v2.0", wrnV: "1.25"}, mixed},
		{"version with patch", map[string]string{enf: "baseline", enfV: "v1.25.0"}, priv},
		{"version v1.0", map[string]string{enf: "baseline", enfV: "v1.0"}, priv},
		{"version at int64 max", map[string]string{enf: "baseline", enfV: "v1.9223372036854775807"}, priv},
		{"version beyond int64 max", map[string]string{enf: "baseline", enfV: "v1.9223372036854775808"}, priv},
		{"version far beyond int64 max", map[string]string{enf: "baseline", enfV: "v1.123456789012345678901"}, priv},
		{"version with trailing newline", map[string]string{enf: "baseline", enfV: "v1.25\n"}, priv},
		{"upper-case latest", map[string]string{enf: "baseline", enfV: "Latest"}, mixed},
		{"typo keys are ignored", map[string]string{"pod-security.kubernetes.io/enforce-verison": "v1.2", "pod-security.kubernetes.io/Enforce": "restricted"}, mixed},
		{"everything", map[string]string{enf: "baseline", enfV: "v1.30", aud: "restricted", audV: "latest", wrn: "restricted", wrnV: "v1.31"}, priv},
	}
	for _, e := range edge {
		check(e.name, e.labels, e.defaults)
	}

	rng := rand.New(rand.NewPCG(20, 26))
	levels := []string{"privileged", "baseline", "restricted"}
	badLevels := []string{"", "Privileged", "RESTRICTED", "baseline ", "strict", "latest", "v1.25"}
	versions := []string{"latest", "v1.0", "v1.9", "v1.25", "v1.30", "v1.100"}
	badVersions := []string{"", "Latest", "v1.05", "v1.25.0", "1.25", "v2.0", "v1.", "v1.-1", "v1.99999999999999999999", "baseline"}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	levelValue := func() string {
		if rng.IntN(4) == 0 {
			return pick(badLevels)
		}
		return pick(levels)
	}
	versionValue := func() string {
		if rng.IntN(4) == 0 {
			return pick(badVersions)
		}
		return pick(versions)
	}
	const randomMaps = 4000
	for i := range randomMaps {
		labels := map[string]string{}
		for _, key := range []string{enf, aud, wrn} {
			if rng.IntN(3) > 0 {
				labels[key] = levelValue()
			}
		}
		for _, key := range []string{enfV, audV, wrnV} {
			if rng.IntN(3) == 0 {
				labels[key] = versionValue()
			}
		}
		if rng.IntN(5) == 0 {
			labels["app"] = "x"
		}
		defaults := priv
		if rng.IntN(3) > 0 {
			defaults = psaPolicy{
				side(pick(levels), pick(versions)),
				side(pick(levels), pick(versions)),
				side(pick(levels), pick(versions)),
			}
		}
		check(fmt.Sprintf("random %d", i), labels, defaults)
	}
	t.Logf("compared %d label maps with upstream PolicyToEvaluate (%d hand-picked, %d random): %d disagreements",
		compared, len(edge), randomMaps, disagreements)
}

func labelCompiler(t *testing.T) *ast.Compiler {
	t.Helper()
	c, err := harness.Compile(policies.FS)
	if err != nil {
		t.Fatalf("compiling the policies: %v", err)
	}
	return c
}
