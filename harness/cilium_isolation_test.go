package harness_test

import (
	"context"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/internal/ciliumgen"
)

// The sets of the differential test of the Cilium model (internal/difftest/ciliumdiff),
// which holds the model to Cilium's policy engine.
const (
	ciliumBaseSeed = 20260714
	ciliumSets     = 300
)

// TestCiliumIsolationRulesAgree holds the Rego rules RF-NET-001 (a workload no policy
// isolates for ingress) and RF-NET-021 (for egress) to the connectivity model, which the
// differential test holds to Cilium, on that test's sets: a pod gets the
// finding exactly when neither a NetworkPolicy nor a Cilium rule puts it into default
// deny for that direction.
func TestCiliumIsolationRulesAgree(t *testing.T) {
	ctx := context.Background()
	eng, err := harness.New(ctx, harness.WithRules("RF-NET-001", "RF-NET-021"))
	if err != nil {
		t.Fatal(err)
	}
	pods, bad, findings := 0, 0, 0
	for i := range ciliumSets {
		s := ciliumgen.Generate(ciliumBaseSeed + uint64(i))
		raw := s.Objects()
		m, _ := netmodel.FromObjects(raw)
		objs := make([]harness.Object, len(raw))
		for j, o := range raw {
			objs[j] = harness.FromMap(o)
		}
		rep, err := eng.Evaluate(ctx, objs)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, f := range rep.Findings {
			found[f.Rule+" "+f.Object.Namespace+"/"+f.Object.Name] = true
		}
		for _, w := range m.Workloads() {
			pods++
			for _, c := range []struct {
				rule   string
				egress bool
			}{{"RF-NET-001", false}, {"RF-NET-021", true}} {
				want := !m.Isolated(w, c.egress)
				if want {
					findings++
				}
				if got := found[c.rule+" "+w.Namespace+"/"+w.Name]; got != want {
					bad++
					if bad <= 10 {
						t.Errorf("set %d (seed %d): %s on %s/%s: finding %v, the model says isolated %v; policies:\n%s", i, ciliumBaseSeed+uint64(i), c.rule, w.Namespace, w.Name, got, !want, policiesYAML(t, s.Policies))
					}
				}
			}
		}
	}
	t.Logf("%d pods over %d sets, %d of %d verdicts a finding; %d disagree with the model", pods, ciliumSets, findings, 2*pods, bad)
	if findings == 0 || findings == 2*pods {
		t.Errorf("the sets make %d findings of %d: the comparison cannot tell", findings, 2*pods)
	}
}

// policiesYAML renders a set's policies for a failure message.
func policiesYAML(t *testing.T, ps []map[string]any) string {
	var b strings.Builder
	for _, p := range ps {
		y, err := yaml.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n" + string(y))
	}
	return b.String()
}
