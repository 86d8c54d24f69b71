package netmodel_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness/netmodel"
)

func TestFromObjectsReadsEveryWorkloadKind(t *testing.T) {
	template := func(labels map[string]any) map[string]any {
		return map[string]any{"metadata": map[string]any{"labels": labels}, "spec": map[string]any{
			"initContainers": []any{
				map[string]any{"name": "sidecar", "restartPolicy": "Always", "ports": []any{map[string]any{"name": "proxy", "containerPort": 15001}}},
				map[string]any{"name": "init", "ports": []any{map[string]any{"name": "ignored", "containerPort": 1}}},
			},
			"containers": []any{map[string]any{"name": "c", "ports": []any{map[string]any{"name": "dns", "containerPort": 53, "protocol": "UDP"}, map[string]any{"containerPort": 80}}}},
		}}
	}
	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "labels": map[string]any{"k": "pod"}}, "spec": template(nil)["spec"]},
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "d", "namespace": "a"}, "spec": map[string]any{"template": template(map[string]any{"k": "d"})}},
		{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"generateName": "cj-", "namespace": "a"}, "spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": template(map[string]any{"k": "cj"})}}}},
		{"apiVersion": "v1", "kind": "PodTemplate", "metadata": map[string]any{"name": "pt", "namespace": "a"}, "template": template(map[string]any{"k": "pt"})},
		{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": map[string]any{"name": "ds", "namespace": "kube-system"}, "spec": map[string]any{"template": map[string]any{"spec": map[string]any{"hostNetwork": true}}}},
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "no-template", "namespace": "a"}},
		{"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": map[string]any{"name": "custom", "namespace": "a"}, "spec": map[string]any{"template": template(nil)}},
		{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": map[string]any{"name": "broken", "namespace": "a"}, "spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": "nope"}}}},
	}
	m, errs := netmodel.FromObjects(objs)
	if len(errs) != 1 || errs[0].Index != 7 {
		t.Fatalf("errors %v, want one for object 7", errs)
	}
	type row struct {
		ID     string
		Ports  []netmodel.ContainerPort
		Host   bool
		Object int
	}
	ports := []netmodel.ContainerPort{{Name: "proxy", Port: 15001, Protocol: "TCP"}, {Name: "dns", Port: 53, Protocol: "UDP"}, {Port: 80, Protocol: "TCP"}}
	want := []row{
		{"default/p[Pod]", ports, false, 0},
		{"a/d[Deployment]", ports, false, 1},
		{"a/cj-[CronJob]", ports, false, 2},
		{"a/pt[PodTemplate]", ports, false, 3},
		{"kube-system/ds[DaemonSet]", nil, true, 4},
	}
	var got []row
	for _, w := range m.Workloads() {
		got = append(got, row{w.ID(), w.Ports, w.HostNetwork, w.Object})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workloads (-want +got):\n%s", diff)
	}
	if l := m.NamespaceLabels("a"); l[netmodel.NamespaceNameLabel] != "a" {
		t.Errorf("namespace a known only from workloads lacks its name label: %v", l)
	}
}
