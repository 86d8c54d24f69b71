package harness_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/netmodel"
)

// TestSegmentationOfPodDump checks a segmentation invariant on Pods dumped from a cluster
// (their DaemonSet is not in the set), under both host-network choices: the replicas
// are one workload, so one finding names the DaemonSet, and the choice decides whether
// the default deny that selects the host-network pods protects them.
func TestSegmentationOfPodDump(t *testing.T) {
	var objs []harness.Object
	for i := range 3 {
		objs = append(objs, harness.FromMap(map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{
				"name": fmt.Sprintf("agent-%d", i), "namespace": "a",
				"labels":          map[string]any{"app": "agent", "controller-revision-hash": "r1", "pod-template-generation": "1"},
				"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": "u", "controller": true}},
			},
			"spec": map[string]any{"hostNetwork": true, "containers": []any{map[string]any{"name": "c"}}},
		}))
	}
	objs = append(objs,
		harness.FromMap(map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "client", "namespace": "b"},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "c"}}}}),
		harness.FromMap(map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": map[string]any{"name": "default-deny", "namespace": "a"},
			"spec": map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress"}}}),
	)
	cfg := config.Config{Parameters: map[string]map[string]any{"RF-NET-030": {"invariants": []any{
		map[string]any{"name": "agents-from-b", "from": map[string]any{"namespaces": []any{"b"}}, "to": map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"app": "agent"}}}},
	}}}}
	tests := []struct {
		choice netmodel.HostNetwork
		want   []string
	}{
		{"", []string{"agent-0: DaemonSet a/agent (3 pods in the scanned set): segmentation invariant \"agents-from-b\" is broken"}},
		{netmodel.HostNetworkUnprotected, []string{"agent-0: DaemonSet a/agent (3 pods in the scanned set): segmentation invariant \"agents-from-b\" is broken"}},
		{netmodel.HostNetworkPod, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.choice), func(t *testing.T) {
			eng, err := harness.New(context.Background(), harness.WithRules("RF-NET-030"), harness.WithConfig(cfg), harness.WithHostNetwork(tt.choice))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := eng.Evaluate(context.Background(), objs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				msg, _, _ := strings.Cut(f.Message, " in the scanned set: ")
				got = append(got, f.Object.Name+": "+msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			want := tt.choice
			if want == "" {
				want = netmodel.HostNetworkUnprotected
			}
			if rep.Settings == nil || rep.Settings.HostNetwork != want {
				t.Errorf("settings %+v, want host network %q", rep.Settings, want)
			}
		})
	}
	if _, err := harness.New(context.Background(), harness.WithHostNetwork("node")); err == nil || !strings.Contains(err.Error(), "want one of unprotected, pod") {
		t.Errorf("an unknown host-network choice: %v", err)
	}
}
