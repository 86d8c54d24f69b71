package harness_test

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
)

// TestGoObjects evaluates objects a Go program already holds: a typed Pod without
// TypeMeta (as client-go returns it), an unstructured object and a map with Go ints.
func TestGoObjects(t *testing.T) {
	eng, err := harness.New(context.Background(), harness.WithRules("RF-POD-001", "RF-POD-003"))
	if err != nil {
		t.Fatal(err)
	}
	privileged := true
	typed := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "typed", Namespace: "shop"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "nginx", SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
		}}},
	}
	fromTyped, err := harness.FromRuntimeObject(typed, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "unstructured", "namespace": "shop"},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "ports": []any{map[string]any{"hostPort": int64(8080)}}}}},
	}}
	plain := harness.FromMap(map[string]any{
		"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "map", "namespace": "shop"},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "ports": []any{map[string]any{"hostPort": 9090}}}}},
	})
	rep, err := eng.Evaluate(context.Background(), []harness.Object{fromTyped, harness.FromUnstructured(u), plain})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Object.Name] = f.Rule
	}
	want := map[string]string{"typed": "RF-POD-001", "unstructured": "RF-POD-003", "map": "RF-POD-003"}
	for name, rule := range want {
		if got[name] != rule {
			t.Errorf("%s: got rule %q, want %q (report %+v)", name, got[name], rule, rep)
		}
	}
	if rep.Summary.Rules != 2 || rep.Summary.Objects != 3 || len(rep.Errors) != 0 {
		t.Errorf("summary %+v, errors %v", rep.Summary, rep.Errors)
	}
}

func TestNewRejectsUnknownRule(t *testing.T) {
	if _, err := harness.New(context.Background(), harness.WithRules("RF-NOPE-001")); err == nil {
		t.Error("an unknown rule id was accepted")
	}
}

func TestEvaluateCanceled(t *testing.T) {
	eng := sharedEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eng.Evaluate(ctx, []harness.Object{harness.FromMap(map[string]any{"apiVersion": "v1", "kind": "Pod"})}); err == nil {
		t.Error("a canceled evaluation reported success")
	}
}

// TestReconfigured: an engine reconfigured shares the compiled rules and the options it
// was made with (here its rule selection), takes the new configuration, and leaves the
// original engine as it was; an invalid configuration is refused.
func TestReconfigured(t *testing.T) {
	ctx := context.Background()
	base, err := harness.New(ctx, harness.WithRules("RF-POD-001", "RF-POD-003"))
	if err != nil {
		t.Fatal(err)
	}
	pod := harness.FromMap(map[string]any{
		"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "namespace": "shop"},
		"spec": map[string]any{"containers": []any{map[string]any{
			"name": "app", "image": "nginx", "securityContext": map[string]any{"privileged": true},
			"ports": []any{map[string]any{"hostPort": 8080}},
		}}},
	})
	rules := func(e *harness.Engine) []string {
		t.Helper()
		rep, err := e.Evaluate(ctx, []harness.Object{pod})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range rep.Findings {
			out = append(out, f.Rule)
		}
		slices.Sort(out)
		return out
	}
	allowed, err := base.Reconfigured(config.Config{Parameters: map[string]map[string]any{"RF-POD-003": {"allowed_host_ports": []any{8080}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(allowed); !slices.Equal(got, []string{"RF-POD-001"}) {
		t.Errorf("reconfigured with port 8080 allowed: findings of %v, want only RF-POD-001", got)
	}
	if got := rules(base); !slices.Equal(got, []string{"RF-POD-001", "RF-POD-003"}) {
		t.Errorf("the original engine after Reconfigured: findings of %v, want RF-POD-001 and RF-POD-003", got)
	}
	if _, err := base.Reconfigured(config.Config{Disabled: []string{"RF-NOPE-001"}}); err == nil {
		t.Error("Reconfigured accepted a configuration naming an unknown rule")
	}
}
