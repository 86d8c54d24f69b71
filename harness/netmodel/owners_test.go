package netmodel_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// pod is a Pod manifest: its labels and hostNetwork, and the controller owner reference
// (kind/name, "" for none).
func pod(namespace, name, owner, labels string, extra ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + namespace + "\n  labels: {" + labels + "}\n")
	if kind, ownerName, ok := strings.Cut(owner, "/"); ok {
		api := "apps/v1"
		switch kind {
		case "Node":
			api = "v1"
		case "Job":
			api = "batch/v1"
		}
		b.WriteString("  ownerReferences: [{apiVersion: " + api + ", kind: " + kind + ", name: " + ownerName + ", uid: u-" + ownerName + ", controller: true}]\n")
	}
	b.WriteString("spec:\n  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]\n")
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	return b.String()
}

func template(kind, namespace, name, owner, labels string) string {
	api := "apps/v1"
	if kind == "Job" || kind == "CronJob" {
		api = "batch/v1"
	}
	spec := "spec:\n  template:\n    metadata: {labels: {" + labels + "}}\n    spec: {containers: [{name: c}]}\n"
	if kind == "CronJob" {
		spec = "spec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {" + labels + "}}\n        spec: {containers: [{name: c}]}\n"
	}
	meta := "metadata:\n  name: " + name + "\n  namespace: " + namespace + "\n"
	if k, n, ok := strings.Cut(owner, "/"); ok {
		meta += "  ownerReferences: [{apiVersion: apps/v1, kind: " + k + ", name: " + n + ", uid: u-" + n + ", controller: true}]\n"
	}
	return "apiVersion: " + api + "\nkind: " + kind + "\n" + meta + spec
}

const selectDB0 = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary, namespace: shop}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  ingress: [{ports: [{port: 5432}]}]`

func TestFoldOwned(t *testing.T) {
	type row struct {
		ID     string
		Pods   []string
		Labels map[string]string
		Object int
	}
	tests := []struct {
		name    string
		docs    []string
		opts    []netmodel.Option
		want    []row
		leftOut int
	}{
		{
			name: "a DaemonSet's pods in the middle of a rollout are one workload",
			docs: []string{
				pod("kube-system", "agent-a", "DaemonSet/agent", "app: agent, controller-revision-hash: v2, pod-template-generation: '2'"),
				pod("kube-system", "agent-b", "DaemonSet/agent", "app: agent, controller-revision-hash: v1, pod-template-generation: '1'"),
				pod("kube-system", "agent-c", "DaemonSet/agent", "app: agent, controller-revision-hash: v2, pod-template-generation: '2'"),
			},
			want: []row{{"kube-system/agent[DaemonSet]", []string{"agent-a", "agent-b", "agent-c"}, map[string]string{"app": "agent"}, 0}},
		},
		{
			name: "a StatefulSet's pods differ only in the labels it sets on each",
			docs: []string{
				pod("shop", "db-1", "StatefulSet/db", "app: db, statefulset.kubernetes.io/pod-name: db-1, apps.kubernetes.io/pod-index: '1'"),
				pod("shop", "db-0", "StatefulSet/db", "app: db, statefulset.kubernetes.io/pod-name: db-0, apps.kubernetes.io/pod-index: '0'"),
			},
			want: []row{{"shop/db[StatefulSet]", []string{"db-0", "db-1"}, map[string]string{"app": "db"}, 0}},
		},
		{
			name: "a policy that selects one StatefulSet pod splits them",
			docs: []string{
				pod("shop", "db-0", "StatefulSet/db", "app: db, statefulset.kubernetes.io/pod-name: db-0"),
				pod("shop", "db-1", "StatefulSet/db", "app: db, statefulset.kubernetes.io/pod-name: db-1"),
				selectDB0,
			},
			want: []row{
				{"shop/db{statefulset.kubernetes.io/pod-name=db-0}[StatefulSet]", []string{"db-0"}, map[string]string{"app": "db", "statefulset.kubernetes.io/pod-name": "db-0"}, 0},
				{"shop/db{statefulset.kubernetes.io/pod-name=db-1}[StatefulSet]", []string{"db-1"}, map[string]string{"app": "db", "statefulset.kubernetes.io/pod-name": "db-1"}, 1},
			},
		},
		{
			name: "so does a selector outside the model, such as an invariant's",
			docs: []string{
				pod("shop", "db-0", "StatefulSet/db", "app: db, apps.kubernetes.io/pod-index: '0'"),
				pod("shop", "db-1", "StatefulSet/db", "app: db, apps.kubernetes.io/pod-index: '1'"),
			},
			opts: []netmodel.Option{netmodel.WithLabelKeys("apps.kubernetes.io/pod-index")},
			want: []row{
				{"shop/db{apps.kubernetes.io/pod-index=0}[StatefulSet]", []string{"db-0"}, map[string]string{"app": "db", "apps.kubernetes.io/pod-index": "0"}, 0},
				{"shop/db{apps.kubernetes.io/pod-index=1}[StatefulSet]", []string{"db-1"}, map[string]string{"app": "db", "apps.kubernetes.io/pod-index": "1"}, 1},
			},
		},
		{
			name: "a rollout's two ReplicaSets are two workloads",
			docs: []string{
				pod("shop", "web-6c8f9-a", "ReplicaSet/web-6c8f9", "app: web, pod-template-hash: 6c8f9"),
				pod("shop", "web-58d4c-a", "ReplicaSet/web-58d4c", "app: web, pod-template-hash: 58d4c"),
				pod("shop", "web-6c8f9-b", "ReplicaSet/web-6c8f9", "app: web, pod-template-hash: 6c8f9"),
			},
			want: []row{
				{"shop/web-6c8f9[ReplicaSet]", []string{"web-6c8f9-a", "web-6c8f9-b"}, map[string]string{"app": "web", "pod-template-hash": "6c8f9"}, 0},
				{"shop/web-58d4c[ReplicaSet]", []string{"web-58d4c-a"}, map[string]string{"app": "web", "pod-template-hash": "58d4c"}, 1},
			},
		},
		{
			name: "a pod labelled by hand stands apart, named by what differs",
			docs: []string{
				pod("shop", "web-a", "ReplicaSet/web-1", "app: web"),
				pod("shop", "web-b", "ReplicaSet/web-1", "app: web, debug: 'true'"),
			},
			want: []row{
				{"shop/web-1{!debug}[ReplicaSet]", []string{"web-a"}, map[string]string{"app": "web"}, 0},
				{"shop/web-1{debug=true}[ReplicaSet]", []string{"web-b"}, map[string]string{"app": "web", "debug": "true"}, 1},
			},
		},
		{
			name: "hostNetwork and ports set pods apart too",
			docs: []string{
				pod("kube-system", "agent-a", "DaemonSet/agent", "app: agent", "hostNetwork: true"),
				pod("kube-system", "agent-b", "DaemonSet/agent", "app: agent"),
				strings.Replace(pod("kube-system", "agent-c", "DaemonSet/agent", "app: agent"), "containerPort: 8080", "containerPort: 9090", 1),
			},
			want: []row{
				{"kube-system/agent{hostNetwork:true,ports:8080/TCP(http)}[DaemonSet]", []string{"agent-a"}, map[string]string{"app": "agent"}, 0},
				{"kube-system/agent{hostNetwork:false,ports:8080/TCP(http)}[DaemonSet]", []string{"agent-b"}, map[string]string{"app": "agent"}, 1},
				{"kube-system/agent{hostNetwork:false,ports:9090/TCP(http)}[DaemonSet]", []string{"agent-c"}, map[string]string{"app": "agent"}, 2},
			},
		},
		{
			name: "the pods of a controller in the input are left out",
			docs: []string{
				template("DaemonSet", "kube-system", "agent", "", "app: agent"),
				pod("kube-system", "agent-a", "DaemonSet/agent", "app: agent"),
				pod("kube-system", "agent-b", "DaemonSet/agent", "app: agent"),
			},
			want:    []row{{"kube-system/agent[DaemonSet]", nil, map[string]string{"app": "agent"}, 0}},
			leftOut: 2,
		},
		{
			name: "a Deployment stands for its ReplicaSets and their pods",
			docs: []string{
				pod("shop", "web-5d4f8-a", "ReplicaSet/web-5d4f8", "app: web, pod-template-hash: 5d4f8"),
				template("ReplicaSet", "shop", "web-5d4f8", "Deployment/web", "app: web, pod-template-hash: 5d4f8"),
				template("Deployment", "shop", "web", "", "app: web"),
			},
			want:    []row{{"shop/web[Deployment]", nil, map[string]string{"app": "web"}, 2}},
			leftOut: 2,
		},
		{
			name: "and for the pods of ReplicaSets not in the input, by the name it gives them",
			docs: []string{
				template("Deployment", "shop", "web", "", "app: web"),
				pod("shop", "web-5d4f8-a", "ReplicaSet/web-5d4f8", "app: web, pod-template-hash: 5d4f8"),
				pod("shop", "web-6c8f9-a", "ReplicaSet/web-6c8f9", "app: web, pod-template-hash: 6c8f9"),
				// another Deployment's ReplicaSet whose name only starts like it
				pod("shop", "web-api-7b6c5-a", "ReplicaSet/web-api-7b6c5", "app: web-api, pod-template-hash: 7b6c5"),
			},
			want: []row{
				{"shop/web[Deployment]", nil, map[string]string{"app": "web"}, 0},
				{"shop/web-api-7b6c5[ReplicaSet]", []string{"web-api-7b6c5-a"}, map[string]string{"app": "web-api", "pod-template-hash": "7b6c5"}, 3},
			},
			leftOut: 2,
		},
		{
			name: "a CronJob stands for the pods of its Jobs",
			docs: []string{
				template("CronJob", "shop", "report", "", "app: report"),
				pod("shop", "report-28934520-x", "Job/report-28934520", "app: report, job-name: report-28934520"),
				pod("shop", "other-1-y", "Job/other-1", "app: other"),
			},
			want: []row{
				{"shop/report[CronJob]", nil, map[string]string{"app": "report"}, 0},
				{"shop/other-1[Job]", []string{"other-1-y"}, map[string]string{"app": "other"}, 2},
			},
			leftOut: 1,
		},
		{
			name: "a ReplicaSet without its Deployment is a workload of its own",
			docs: []string{
				template("ReplicaSet", "shop", "web-5d4f8", "Deployment/web", "app: web"),
				pod("shop", "web-5d4f8-a", "ReplicaSet/web-5d4f8", "app: web"),
			},
			want:    []row{{"shop/web-5d4f8[ReplicaSet]", nil, map[string]string{"app": "web"}, 0}},
			leftOut: 1,
		},
		{
			name: "mirror pods, operators' pods and owners that are not controllers are left alone",
			docs: []string{
				pod("kube-system", "etcd-node-1", "Node/node-1", "component: etcd"),
				pod("kube-system", "kube-apiserver-node-1", "Node/node-1", "component: kube-apiserver"),
				pod("db", "pg-1", "Cluster/pg", "app: pg"),
				strings.Replace(pod("shop", "web-a", "ReplicaSet/web-1", "app: web"), "controller: true", "controller: false", 1),
			},
			want: []row{
				{"kube-system/etcd-node-1[Pod]", nil, map[string]string{"component": "etcd"}, 0},
				{"kube-system/kube-apiserver-node-1[Pod]", nil, map[string]string{"component": "kube-apiserver"}, 1},
				{"db/pg-1[Pod]", nil, map[string]string{"app": "pg"}, 2},
				{"shop/web-a[Pod]", nil, map[string]string{"app": "web"}, 3},
			},
		},
		{
			name: "owners are per namespace",
			docs: []string{
				template("DaemonSet", "a", "agent", "", "app: agent"),
				pod("b", "agent-x", "DaemonSet/agent", "app: agent"),
			},
			want: []row{
				{"a/agent[DaemonSet]", nil, map[string]string{"app": "agent"}, 0},
				{"b/agent[DaemonSet]", []string{"agent-x"}, map[string]string{"app": "agent"}, 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := netmodel.FromObjects(objects(t, strings.Join(tt.docs, "\n---\n")), tt.opts...)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got []row
			for _, w := range m.Workloads() {
				got = append(got, row{w.ID(), w.Pods, w.Labels, w.Object})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("workloads (-want +got):\n%s", diff)
			}
			if m.OwnedLeftOut() != tt.leftOut {
				t.Errorf("left out %d objects, want %d", m.OwnedLeftOut(), tt.leftOut)
			}
		})
	}
}

// TestFoldingKeepsAnswers builds random sets of Pods of a few controllers (replicas
// differing in the labels controllers set on each, in labels, ports and hostNetwork now
// and then) with random policies that sometimes select on those labels, and checks that
// the model with the Pods grouped under their controllers answers exactly as the model
// with every Pod on its own: the same connections, ports and policies between the Pods
// of different groups, between each Pod and the outside world, and between Pods of one
// group.
func TestFoldingKeepsAnswers(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 3))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	selectors := []string{"{}", "{matchLabels: {app: ds}}", "{matchLabels: {tier: web}}", "{matchLabels: {statefulset.kubernetes.io/pod-name: ss-0}}",
		"{matchLabels: {controller-revision-hash: r1}}", "{matchExpressions: [{key: apps.kubernetes.io/pod-index, operator: In, values: ['1']}]}", "{matchLabels: {app: rs-1}}"}
	controllers := []struct{ ns, kind, name string }{{"a", "DaemonSet", "ds"}, {"a", "StatefulSet", "ss"}, {"b", "ReplicaSet", "rs-1"}, {"a", "ReplicaSet", "rs-2"}, {"b", "Job", "job-1"}}
	for i := range 300 {
		docs := []string{"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {env: prod}}", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}"}
		for _, c := range controllers {
			tier, port := pick("web", "db"), pick("8080", "5432")
			for r := range 1 + rng.IntN(4) {
				name := fmt.Sprintf("%s-%d", c.name, r)
				labels := "app: " + c.name
				if rng.IntN(5) > 0 {
					labels += ", tier: " + tier
				} else {
					labels += ", tier: " + pick("web", "db")
				}
				switch c.kind {
				case "StatefulSet":
					labels += fmt.Sprintf(", statefulset.kubernetes.io/pod-name: %s, apps.kubernetes.io/pod-index: '%d'", name, r)
				case "DaemonSet":
					labels += ", controller-revision-hash: " + pick("r1", "r2")
				}
				p := port
				if rng.IntN(5) == 0 {
					p = pick("8080", "5432")
				}
				var extra []string
				if rng.IntN(6) == 0 {
					extra = append(extra, "hostNetwork: true")
				}
				docs = append(docs, strings.Replace(pod(c.ns, name, c.kind+"/"+c.name, labels, extra...), "8080", p, 1))
			}
		}
		docs = append(docs, pod("b", "bare", "", "tier: web"))
		for j := range rng.IntN(5) {
			np := fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np-%d, namespace: %s}\nspec:\n  podSelector: %s\n  policyTypes: [Ingress, Egress]\n",
				j, pick("a", "b"), pick(selectors...))
			for _, dir := range []string{"ingress", "egress"} {
				if rng.IntN(3) == 0 {
					continue
				}
				field := map[string]string{"ingress": "from", "egress": "to"}[dir]
				peer := pick("podSelector: "+pick(selectors...), "namespaceSelector: {matchLabels: {env: prod}}", "namespaceSelector: {}\n          podSelector: "+pick(selectors...), "ipBlock: {cidr: 10.0.0.0/8}")
				np += fmt.Sprintf("  %s:\n    - %s:\n        - %s\n      ports: [{port: %s}]\n", dir, field, peer, pick("8080", "5432", "http", "1"))
			}
			docs = append(docs, np)
		}
		objs := objects(t, strings.Join(docs, "\n---\n"))
		mode := netmodel.HostNetworkModes[rng.IntN(2)]
		grouped, errs := netmodel.FromObjects(objs, netmodel.WithHostNetwork(mode))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, o := range objs {
			delete(o["metadata"].(map[string]any), "ownerReferences")
		}
		alone, _ := netmodel.FromObjects(objs, netmodel.WithHostNetwork(mode))
		if diff := compareFolded(grouped, alone); diff != "" {
			t.Fatalf("cluster %d, host network %s: %s\n%s", i, mode, diff, strings.Join(docs, "\n---\n"))
		}
	}
}

// compareFolded checks that grouped answers as alone, whose workloads are the Pods.
func compareFolded(grouped, alone *netmodel.Model) string {
	groupOf := map[string]*netmodel.Workload{}
	pods := map[string]*netmodel.Workload{}
	for _, w := range alone.Workloads() {
		pods[w.Namespace+"/"+w.Name] = w
	}
	for _, g := range grouped.Workloads() {
		names := g.Pods
		if names == nil {
			names = []string{g.Name}
		}
		for _, n := range names {
			groupOf[g.Namespace+"/"+n] = g
		}
	}
	if len(groupOf) != len(pods) {
		return fmt.Sprintf("%d pods grouped, %d pods", len(groupOf), len(pods))
	}
	answer := func(c netmodel.Connection) string {
		return fmt.Sprint(c.Ports, c.EgressIsolated, c.EgressPolicies, c.IngressIsolated, c.IngressPolicies)
	}
	end := func(p netmodel.Peer, group bool) string {
		switch {
		case p.Workload == nil:
			return p.CIDR
		case group:
			return p.Workload.ID()
		}
		return groupOf[p.Workload.Namespace+"/"+p.Workload.Name].ID()
	}
	want := map[string]string{} // group-level connections, from the pods
	pairs := 0
	for _, c := range alone.Connections("") {
		if c.Source.Workload != nil && c.Destination.Workload != nil && end(c.Source, false) == end(c.Destination, false) {
			continue // within one group: checked below
		}
		key := end(c.Source, false) + " -> " + end(c.Destination, false)
		if prev, ok := want[key]; ok && prev != answer(c) {
			return fmt.Sprintf("pods of one group answer differently for %s: %s and %s", key, prev, answer(c))
		}
		want[key] = answer(c)
		pairs++
	}
	got := map[string]string{}
	expanded := 0
	for _, c := range grouped.Connections("") {
		got[end(c.Source, true)+" -> "+end(c.Destination, true)] = answer(c)
		n := 1
		for _, p := range []netmodel.Peer{c.Source, c.Destination} {
			if p.Workload != nil && p.Workload.Pods != nil {
				n *= len(p.Workload.Pods)
			}
		}
		expanded += n
	}
	if diff := cmp.Diff(want, got); diff != "" {
		return "connections (-pods +grouped):\n" + diff
	}
	if expanded != pairs {
		return fmt.Sprintf("grouped connections stand for %d pod connections, the pods have %d", expanded, pairs)
	}
	for _, g := range grouped.Workloads() {
		for _, s := range g.Pods {
			for _, d := range g.Pods {
				if s == d {
					continue
				}
				for _, port := range []int32{8080, 5432, 1} {
					a := alone.Check(netmodel.Endpoint{Workload: pods[g.Namespace+"/"+s]}, netmodel.Endpoint{Workload: pods[g.Namespace+"/"+d]}, port, corev1.ProtocolTCP)
					b := grouped.Check(netmodel.Endpoint{Workload: g}, netmodel.Endpoint{Workload: g}, port, corev1.ProtocolTCP)
					if diff := cmp.Diff(a, b); diff != "" {
						return fmt.Sprintf("%s -> %s port %d (-pods +grouped):\n%s", s, d, port, diff)
					}
				}
			}
		}
	}
	return ""
}

// TestConnectionsOrderSameIDs: two workloads of one ID (one name in one namespace, from
// two files) keep their connections in input order, the same from run to run.
func TestConnectionsOrderSameIDs(t *testing.T) {
	dep := func(name string) map[string]any {
		return map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name, "namespace": "shop"},
			"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "c"}}}}}}
	}
	objs := []map[string]any{dep("api"), dep("api"), dep("web"), dep("api")}
	for range 20 {
		m, errs := netmodel.FromObjects(objs)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		last := map[[2]string][2]int{}
		for _, c := range m.Connections("") {
			key := [2]string{c.Source.String(), c.Destination.String()}
			pos := [2]int{-1, -1}
			if c.Source.Workload != nil {
				pos[0] = c.Source.Workload.Object
			}
			if c.Destination.Workload != nil {
				pos[1] = c.Destination.Workload.Object
			}
			if prev, ok := last[key]; ok && (pos[0] < prev[0] || pos[0] == prev[0] && pos[1] <= prev[1]) {
				t.Fatalf("%s -> %s: object %v after %v", key[0], key[1], pos, prev)
			}
			last[key] = pos
		}
	}
}
