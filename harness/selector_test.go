package harness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// TestSelectorMatchesApimachinery checks the Rego label selector against Kubernetes' own
// implementation (metav1.LabelSelectorAsSelector) on hand-picked and random selectors.
func TestSelectorMatchesApimachinery(t *testing.T) {
	ctx := context.Background()
	pq, err := rego.New(
		rego.Compiler(compiledPolicies(t)),
		rego.Query("data.ringfence.lib.selector.matches(input.selector, input.labels)"),
	).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regoMatches := func(sel *metav1.LabelSelector, lbls map[string]string) bool {
		t.Helper()
		// Round-trip through JSON so Rego sees the selector as a manifest would carry it.
		raw, err := json.Marshal(map[string]any{"selector": sel, "labels": lbls})
		if err != nil {
			t.Fatal(err)
		}
		var input map[string]any
		if err := json.Unmarshal(raw, &input); err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(ctx, rego.EvalInput(input))
		if err != nil {
			t.Fatal(err)
		}
		return rs.Allowed()
	}
	check := func(name string, sel *metav1.LabelSelector, lbls map[string]string) {
		t.Helper()
		ref, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			return // the API server rejects invalid selectors; nothing to compare
		}
		want := ref.Matches(labels.Set(lbls))
		if got := regoMatches(sel, lbls); got != want {
			t.Errorf("%s: selector %v on labels %v: rego %v, apimachinery %v", name, sel, lbls, got, want)
		}
	}

	edge := []struct {
		name string
		sel  *metav1.LabelSelector
		lbls map[string]string
	}{
		{"empty selector selects everything", &metav1.LabelSelector{}, map[string]string{"a": "1"}},
		{"empty selector selects unlabelled", &metav1.LabelSelector{}, nil},
		{"NotIn matches when the key is absent", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"prod"}}}}, map[string]string{"app": "x"}},
		{"DoesNotExist", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpDoesNotExist}}}, map[string]string{"env": ""}},
		{"Exists with empty value", &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: "env", Operator: metav1.LabelSelectorOpExists}}}, map[string]string{"env": ""}},
		{"matchLabels and expressions are ANDed", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"web"}}}},
			map[string]string{"app": "x", "tier": "db"}},
	}
	for _, e := range edge {
		check(e.name, e.sel, e.lbls)
	}

	rng := rand.New(rand.NewPCG(7, 11))
	keys, values := []string{"app", "tier", "env"}, []string{"a", "b", ""}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist}
	for i := range 1500 {
		sel := &metav1.LabelSelector{}
		for range rng.IntN(3) {
			if sel.MatchLabels == nil {
				sel.MatchLabels = map[string]string{}
			}
			sel.MatchLabels[pick(keys)] = pick(values)
		}
		for range rng.IntN(3) {
			req := metav1.LabelSelectorRequirement{Key: pick(keys), Operator: ops[rng.IntN(len(ops))]}
			if req.Operator == metav1.LabelSelectorOpIn || req.Operator == metav1.LabelSelectorOpNotIn {
				for range 1 + rng.IntN(2) {
					req.Values = append(req.Values, pick(values))
				}
			}
			sel.MatchExpressions = append(sel.MatchExpressions, req)
		}
		lbls := map[string]string{}
		for range rng.IntN(4) {
			lbls[pick(keys)] = pick(values)
		}
		check(fmt.Sprintf("random %d", i), sel, lbls)
	}
}
