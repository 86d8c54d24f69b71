package harness_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ringfence/ringfence/harness"
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
