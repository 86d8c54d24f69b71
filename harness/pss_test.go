package harness

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
)

// podSecurityChecksOf returns the engine's data.ringfence.config.podSecurityChecks, and
// whether it has one.
func podSecurityChecksOf(t *testing.T, e *Engine) (map[string]int, bool) {
	t.Helper()
	term := e.data.Get(ast.StringTerm("config"))
	if term == nil {
		return nil, false
	}
	table := term.Value.(ast.Object).Get(ast.StringTerm("podSecurityChecks"))
	if table == nil {
		return nil, false
	}
	var out map[string]int
	if err := json.Unmarshal([]byte(table.String()), &out); err != nil {
		t.Fatalf("podSecurityChecks %v: %v", table, err)
	}
	return out, true
}

// TestPodSecurityChecks: the table the Pod Security Standards rules read holds, for each
// rule's resolved level and version, exactly the checks of the standard with the minor
// version they run at, as upstream's registry defines them.
func TestPodSecurityChecks(t *testing.T) {
	base, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	baseline := map[string]int{
		"privileged": 37, "hostNamespaces": 37, "hostPorts": 37, "hostPathVolumes": 37,
		"capabilities_baseline": 37, "appArmorProfile": 37, "seLinuxOptions": 37,
		"seccompProfile_baseline": 37, "sysctls": 37, "procMount": 37, "windowsHostProcess": 37,
		"hostProbesAndHostLifecycle": 37,
	}
	restricted := map[string]int{
		"privileged": 37, "hostNamespaces": 37, "hostPorts": 37, "appArmorProfile": 37,
		"seLinuxOptions": 37, "sysctls": 37, "windowsHostProcess": 37, "hostProbesAndHostLifecycle": 37,
		"restrictedVolumes": 37, "allowPrivilegeEscalation": 37, "runAsNonRoot": 37, "runAsUser": 37,
		"seccompProfile_restricted": 37, "capabilities_restricted": 37, "procMount_restricted": 37,
	}
	for _, tc := range []struct {
		name string
		cfg  config.Config
		want map[string]int
	}{
		{"defaults: restricted, latest", config.Config{}, restricted},
		{"baseline, latest", config.Config{PodSecurity: &config.PodSecurity{Level: "baseline"}}, baseline},
		{"a version after the newest known means latest", config.Config{PodSecurity: &config.PodSecurity{Level: "baseline", Version: "v1.99"}}, baseline},
		{"privileged: no check", config.Config{PodSecurity: &config.PodSecurity{Level: "privileged"}}, map[string]int{}},
		{
			// Before 1.19 the baseline seccomp check stands in for the restricted one; the
			// capabilities check is the baseline one until 1.22, runAsUser starts at 1.23,
			// host probes at 1.34, procMount_restricted at 1.35.
			"restricted, v1.18", config.Config{PodSecurity: &config.PodSecurity{Level: "restricted", Version: "v1.18"}},
			map[string]int{
				"privileged": 18, "hostNamespaces": 18, "hostPorts": 18, "appArmorProfile": 18,
				"seLinuxOptions": 18, "sysctls": 18, "windowsHostProcess": 18, "restrictedVolumes": 18,
				"allowPrivilegeEscalation": 18, "runAsNonRoot": 18, "seccompProfile_baseline": 18,
				"capabilities_baseline": 18, "procMount": 18,
			},
		},
		{
			// A rule's own parameters win over the podSecurity block, rule by rule.
			"a rule's own level", config.Config{
				PodSecurity: &config.PodSecurity{Level: "baseline", Version: "v1.30"},
				Parameters: map[string]map[string]any{
					"RF-POD-001": {"level": "privileged"},
					"RF-POD-019": {"level": "restricted", "version": "latest"},
				},
			},
			map[string]int{
				"hostNamespaces": 30, "hostPorts": 30, "hostPathVolumes": 30, "capabilities_baseline": 30,
				"appArmorProfile": 30, "seLinuxOptions": 30, "seccompProfile_baseline": 30, "sysctls": 30,
				"procMount": 30, "windowsHostProcess": 30, "runAsNonRoot": 37,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := base.Reconfigured(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := podSecurityChecksOf(t, e)
			if !ok {
				t.Fatal("no podSecurityChecks in the engine's data")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("podSecurityChecks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPodSecurityChecksSharedCheck: when two rules run the same check, a table keyed by
// check cannot hold both settings, so there is none and lib/pss resolves each rule's.
func TestPodSecurityChecksSharedCheck(t *testing.T) {
	base, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	compiler := base.compiler
	rules := []catalog.Rule{
		{ID: "RF-A", PodSecurity: &catalog.PodSecurityCheck{Check: "privileged", Level: "baseline"}},
		{ID: "RF-B", PodSecurity: &catalog.PodSecurityCheck{Check: "privileged", Level: "baseline"}},
	}
	params := map[string]map[string]any{"RF-A": {"level": "baseline"}, "RF-B": {"level": "privileged"}}
	got, err := podSecurityChecks(compiler, rules, params)
	if err != nil || got != nil {
		t.Errorf("podSecurityChecks = %v, %v; want nil, nil", got, err)
	}
	got, err = podSecurityChecks(compiler, rules[:1], params)
	if err != nil || !cmp.Equal(got, map[string]any{"privileged": json.Number("37")}) {
		t.Errorf("podSecurityChecks of one rule = %v, %v; want privileged at 37", got, err)
	}
}
