package segment_test

import (
	"strings"
	"testing"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/segment"
)

func TestParseRejects(t *testing.T) {
	tests := []struct {
		value any
		want  string
	}{
		{[]any{map[string]any{"to": map[string]any{}}}, "needs a name"},
		{[]any{map[string]any{"name": "a"}}, "needs to or from"},
		{[]any{map[string]any{"name": "a", "onlyFrom": map[string]any{}}}, "onlyFrom needs to"},
		{[]any{map[string]any{"name": "a", "to": map[string]any{}, "from": map[string]any{}, "onlyFrom": map[string]any{}}}, "exclude each other"},
		{[]any{map[string]any{"name": "a", "to": map[string]any{"cidr": "10.0.0.0/33"}}}, `cidr "10.0.0.0/33"`},
		{[]any{map[string]any{"name": "a", "to": map[string]any{"cidr": "10.0.0.0/8", "namespaces": []any{"x"}}}}, "cannot be combined"},
		{[]any{map[string]any{"name": "a", "to": map[string]any{"podSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "k", "operator": "Near"}}}}}}, "podSelector"},
		{[]any{map[string]any{"name": "a", "to": map[string]any{"pods": "x"}}}, `unknown field "pods"`},
		{[]any{map[string]any{"name": "a", "to": map[string]any{}}, map[string]any{"name": "a", "from": map[string]any{}}}, "used twice"},
		{"not a list", "cannot unmarshal"},
	}
	for _, tc := range tests {
		_, err := segment.Parse(tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%v) = %v, want an error containing %q", tc.value, err, tc.want)
		}
	}
	if inv, err := segment.Parse(nil); err != nil || len(inv) != 0 {
		t.Errorf("Parse(nil) = %v, %v", inv, err)
	}
}

// Outside addresses: an invariant's CIDR is reached when an allowed CIDR overlaps it and
// does not except all of it.
func TestCheckOutside(t *testing.T) {
	objs := []map[string]any{
		pod("a", "wide"), pod("a", "carved"), pod("a", "partly"), pod("a", "v6"),
		egress("a", "wide", map[string]any{"cidr": "0.0.0.0/0"}),
		egress("a", "carved", map[string]any{"cidr": "0.0.0.0/0", "except": []any{"10.0.0.0/8"}}),
		egress("a", "partly", map[string]any{"cidr": "0.0.0.0/0", "except": []any{"10.0.0.0/9"}}),
		egress("a", "v6", map[string]any{"cidr": "::/0"}),
	}
	model, errs := netmodel.FromObjects(objs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	inv, err := segment.Parse([]any{map[string]any{"name": "no-ten", "to": map[string]any{"cidr": "10.0.0.0/8"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range segment.Check(model, inv) {
		got = append(got, v.Workload.Name)
	}
	if strings.Join(got, ",") != "partly,wide" {
		t.Errorf("workloads reaching 10.0.0.0/8: %v, want partly and wide", got)
	}
}

func pod(ns, name string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app": name}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c"}}}}
}

func egress(ns, app string, block map[string]any) map[string]any {
	return map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": app, "namespace": ns},
		"spec": map[string]any{
			"podSelector": map[string]any{"matchLabels": map[string]any{"app": app}},
			"policyTypes": []any{"Egress"},
			"egress":      []any{map[string]any{"to": []any{map[string]any{"ipBlock": block}}}},
		}}
}

// Pods grouped under their controller: an invariant that tells replicas apart keeps
// them apart (LabelKeys), and the violation names the group and its pods.
func TestCheckGroupedPods(t *testing.T) {
	replica := func(name string) map[string]any {
		p := pod("shop", name)
		meta := p["metadata"].(map[string]any)
		meta["labels"] = map[string]any{"app": "db", "statefulset.kubernetes.io/pod-name": name}
		meta["ownerReferences"] = []any{map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "u", "controller": true}}
		return p
	}
	objs := []map[string]any{replica("db-0"), replica("db-1"), replica("db-2"), pod("other", "client")}
	inv, err := segment.Parse([]any{map[string]any{
		"name":     "primary-only-from-shop",
		"to":       map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"statefulset.kubernetes.io/pod-name": "db-0"}}},
		"onlyFrom": map[string]any{"namespaces": []any{"shop"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := segment.LabelKeys(inv); strings.Join(got, ",") != "statefulset.kubernetes.io/pod-name" {
		t.Errorf("LabelKeys = %v", got)
	}
	model, errs := netmodel.FromObjects(objs, netmodel.WithLabelKeys(segment.LabelKeys(inv)...))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, v := range segment.Check(model, inv) {
		got = append(got, v.Connection.Source.String()+" -> "+v.Connection.Destination.String()+": "+v.Message()[:strings.Index(v.Message(), ":")])
	}
	want := []string{"0.0.0.0/0,::/0 -> shop/db{statefulset.kubernetes.io/pod-name=db-0}[StatefulSet]: StatefulSet shop/db{statefulset.kubernetes.io/pod-name=db-0} (1 pod in the scanned set)",
		"other/client[Pod] -> shop/db{statefulset.kubernetes.io/pod-name=db-0}[StatefulSet]: StatefulSet shop/db{statefulset.kubernetes.io/pod-name=db-0} (1 pod in the scanned set)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
