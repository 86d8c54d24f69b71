package htmlreport_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/htmlreport"
	"github.com/ringfence/ringfence/harness/netmap"
)

// checkViews checks the views of a review against its connections: the "namespaces" view
// and the "workloads" view (when drawn) hold each connection in exactly one edge, the view
// of each namespace each connection with an end in it, every edge joins the nodes its
// connections' ends are drawn as, and each namespace's mesh is open and complete.
func checkViews(t *testing.T, d *htmlreport.Data) {
	t.Helper()
	nsIndex := map[string]int{}
	for n, ns := range d.Namespaces {
		nsIndex[ns.Name] = n
	}
	linked, nsLinked := map[[2]int]bool{}, map[[2]int]bool{}
	for _, c := range d.Connections {
		linked[[2]int{c.From, c.To}] = true
		if c.From >= 0 && c.To >= 0 {
			nsLinked[[2]int{nsIndex[d.Workloads[c.From].Namespace], nsIndex[d.Workloads[c.To].Namespace]}] = true
		}
	}
	var names []string
	for _, v := range d.Views {
		names = append(names, v.Name)
	}
	want := []string{"namespaces"}
	if v := d.Views[0]; v.Name == "workloads" {
		want = append([]string{"workloads"}, want...)
	}
	for _, ns := range d.Namespaces {
		want = append(want, ns.Name)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("views (-want +got):\n%s", diff)
	}
	for _, v := range d.Views {
		mesh := map[int]int{}
		for q, m := range v.Meshes {
			for _, i := range m {
				mesh[i] = q
			}
		}
		// node is what a connection end is drawn as in v; "x" for any outside block.
		node := func(i int) string {
			switch {
			case i < 0:
				return "x"
			case v.Name == "workloads":
				return fmt.Sprintf("w%d", i)
			case v.Name == "namespaces" && hasKey(mesh, nsIndex[d.Workloads[i].Namespace]):
				return fmt.Sprintf("m%d", mesh[nsIndex[d.Workloads[i].Namespace]])
			case v.Name == "namespaces":
				return fmt.Sprintf("n%d", nsIndex[d.Workloads[i].Namespace])
			case hasKey(mesh, i):
				return fmt.Sprintf("m%d", mesh[i])
			case v.Namespace != "" && d.Workloads[i].Namespace == v.Namespace:
				return fmt.Sprintf("w%d", i)
			case v.Elsewhere:
				return "o0"
			}
			return fmt.Sprintf("n%d", nsIndex[d.Workloads[i].Namespace])
		}
		seen := map[int]int{}
		for _, e := range v.Edges {
			for _, k := range e.Connections {
				seen[k]++
				c := d.Connections[k]
				src, dst := e.Source, e.Destination
				if strings.HasPrefix(src, "x") {
					src = "x"
				}
				if strings.HasPrefix(dst, "x") {
					dst = "x"
				}
				if src != node(c.From) || dst != node(c.To) {
					t.Errorf("view %s: connection %s -> %s is in the edge %s -> %s", v.Name, c.Source, c.Destination, e.Source, e.Destination)
				}
			}
		}
		for k, c := range d.Connections {
			touches := v.Namespace == "" ||
				c.From >= 0 && d.Workloads[c.From].Namespace == v.Namespace ||
				c.To >= 0 && d.Workloads[c.To].Namespace == v.Namespace
			if n := seen[k]; touches && n != 1 || !touches && n != 0 {
				t.Errorf("view %s: connection %s -> %s is in %d edges", v.Name, c.Source, c.Destination, n)
			}
		}
		if v.Namespace != "" {
			if diff := cmp.Diff(d.Namespaces[nsIndex[v.Namespace]].Workloads, v.Workloads); diff != "" {
				t.Errorf("view %s draws other workloads than its namespace's (-want +got):\n%s", v.Name, diff)
			}
		}
		for _, m := range v.Meshes {
			if v.Namespace == "" {
				for _, a := range m {
					for _, b := range m {
						if a != b && !nsLinked[[2]int{a, b}] {
							t.Errorf("view %s: namespace %s does not reach %s in a mesh", v.Name, d.Namespaces[a].Name, d.Namespaces[b].Name)
						}
					}
				}
				continue
			}
			for _, a := range m {
				if w := d.Workloads[a]; w.Namespace != v.Namespace {
					t.Errorf("view %s: %s is in a mesh", v.Name, w.ID)
				}
				for _, b := range m {
					if a != b && !linked[[2]int{a, b}] {
						t.Errorf("view %s: %s does not reach %s in a mesh", v.Name, d.Workloads[a].ID, d.Workloads[b].ID)
					}
				}
			}
		}
	}
}

func hasKey(m map[int]int, k int) bool { _, ok := m[k]; return ok }

// review builds the review of the manifests at paths.
func review(t *testing.T, paths ...string) *htmlreport.Data {
	t.Helper()
	return reviewWith(t, nil, paths...)
}

// reviewWith builds the review with an engine made with opts.
func reviewWith(t *testing.T, opts []harness.Option, paths ...string) *htmlreport.Data {
	t.Helper()
	ctx := context.Background()
	e, err := harness.New(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	in := harness.Read(ctx, paths, nil)
	rep, err := e.Evaluate(ctx, in.Objects())
	if err != nil {
		t.Fatal(err)
	}
	return htmlreport.Build(e, in.Objects(), rep)
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s, tier: %[3]s}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: c, image: "example.com/%[1]s@sha256:0000000000000000000000000000000000000000000000000000000000000000", ports: [{containerPort: 8080}]}]
---
`

// TestViewsMesh: four workloads of a namespace that no policy selects are drawn as one
// mesh; a fifth, whose policy admits three of them, stays a node of its own; an
// AdminNetworkPolicy that denies one pair of the four keeps the two apart.
func TestViewsMesh(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for _, n := range []string{"a", "b", "c"} {
		fmt.Fprintf(&b, deployment, n, "shop", "web")
	}
	fmt.Fprintf(&b, deployment, "d", "shop", "batch")
	fmt.Fprintf(&b, deployment, "db", "shop", "data")
	fmt.Fprintf(&b, deployment, "p", "other", "web")
	fmt.Fprintf(&b, deployment, "q", "other", "web")
	b.WriteString(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {tier: web}}}]}]
`)
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d := review(t, dir)
	checkViews(t, d)
	shop := d.Views[slices.IndexFunc(d.Views, func(v htmlreport.View) bool { return v.Namespace == "shop" })]
	var mesh [][]string
	for _, m := range shop.Meshes {
		mesh = append(mesh, nil)
		for _, i := range m {
			mesh[len(mesh)-1] = append(mesh[len(mesh)-1], d.Workloads[i].Name)
		}
	}
	if diff := cmp.Diff([][]string{{"a", "b", "c", "d"}}, mesh); diff != "" {
		t.Errorf("meshes (-want +got):\n%s", diff)
	}
	// In the shop's view: the mesh (m) to itself, to db (w) from its web tier, to the
	// other namespace (n) and outside (x); db to the mesh, to other and outside; other
	// and outside to the mesh, not to db, whose policy admits the shop's web tier only.
	edges := map[string]int{}
	for _, e := range shop.Edges {
		edges[e.Source[:1]+"->"+e.Destination[:1]] += len(e.Connections)
	}
	want := map[string]int{"m->m": 12, "m->w": 3, "m->n": 8, "m->x": 4, "w->m": 4, "w->n": 2, "w->x": 1, "n->m": 8, "x->m": 4}
	if diff := cmp.Diff(want, edges); diff != "" {
		t.Errorf("connections per edge kind in the shop's view (-want +got):\n%s", diff)
	}

	// An AdminNetworkPolicy that denies a -> b: the two cannot both be in the mesh.
	if err := os.WriteFile(filepath.Join(dir, "anp.yaml"), []byte(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-a-b}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}
  ingress: [{name: no-a, action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}}]}]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	d = review(t, dir)
	checkViews(t, d)
	shop = d.Views[slices.IndexFunc(d.Views, func(v htmlreport.View) bool { return v.Namespace == "shop" })]
	if len(shop.Meshes) != 1 || len(shop.Meshes[0]) != 3 {
		t.Errorf("with a -> b denied, the meshes are %v", shop.Meshes)
	}
}

// TestBuildSameName: two files holding a Deployment of one name in one namespace give
// two workloads, each with its own file, findings and connections.
func TestBuildSameName(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"one.yaml", "two.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(fmt.Sprintf(deployment, "api", "shop", "web")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := review(t, dir)
	checkViews(t, d)
	if len(d.Workloads) != 2 || d.Workloads[0].Source == d.Workloads[1].Source {
		t.Fatalf("workloads: %+v", d.Workloads)
	}
	ends := map[int]bool{}
	for _, c := range d.Connections {
		ends[c.From], ends[c.To] = true, true
	}
	if !ends[0] || !ends[1] {
		t.Errorf("connections join %v", ends)
	}
	for i, w := range d.Workloads {
		for _, k := range w.Findings {
			if f := d.Findings[k]; f.Source == nil || !strings.HasSuffix(w.Source, filepath.Base(f.Source.File)+":1") {
				t.Errorf("workload %d of %s lists a finding of %v", i, w.Source, f.Source)
			}
		}
	}
}

// TestViewsCorpus checks the views of the whole corpus (166 workloads, 19,000
// connections, Deployments of one name from several projects in one namespace) and that
// the namespaces view counts what netmap maps.
func TestViewsCorpus(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("no corpus beside the checkout: %v", err)
	}
	d := review(t, corpus)
	checkViews(t, d)
	m, err := netmap.FromFiles(context.Background(), []string{corpus}, nil, netmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range d.Views[0].Edges {
		total += len(e.Connections)
	}
	if d.Views[0].Name != "namespaces" || total != len(m.Connections) {
		t.Errorf("the first view is %s with %d connections, netmap has %d", d.Views[0].Name, total, len(m.Connections))
	}
}

// TestBuildInvariants: with a segmentation invariant that the example shop breaks (its
// shop namespace must not reach ci), exactly the connections from shop to ci break it, and
// their edges are drawn as breaking it, in every view.
func TestBuildInvariants(t *testing.T) {
	ctx := context.Background()
	cfg := config.Config{Parameters: map[string]map[string]any{"RF-NET-030": {"invariants": []any{
		map[string]any{"name": "shop-not-to-ci", "from": map[string]any{"namespaces": []any{"shop"}}, "to": map[string]any{"namespaces": []any{"ci"}}},
	}}}}
	d := reviewWith(t, []harness.Option{harness.WithConfig(cfg)}, "../../examples")
	checkViews(t, d)
	broken, n := map[int]bool{}, 0
	for k, c := range d.Connections {
		want := strings.HasPrefix(c.Source, "shop/") && strings.HasPrefix(c.Destination, "ci/")
		if got := slices.Equal(c.Breaks, []string{"shop-not-to-ci"}); got != want {
			t.Errorf("%s -> %s breaks %v", c.Source, c.Destination, c.Breaks)
		}
		broken[k] = want
		if want {
			n++
		}
	}
	if n == 0 || d.Summary.ByArea[d.Rules["RF-NET-030"].Area] == 0 {
		t.Fatalf("%d connections break the invariant; findings by area %v", n, d.Summary.ByArea)
	}
	var b strings.Builder
	if err := htmlreport.WriteHTML(ctx, &b, d, "examples"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for v, view := range d.Views {
		for k, edge := range view.Edges {
			breaks := slices.ContainsFunc(edge.Connections, func(c int) bool { return broken[c] })
			i := strings.Index(page, fmt.Sprintf(`<g id="v%d_e%d" class="`, v, k))
			if i < 0 {
				t.Fatalf("view %s: edge %d is not drawn", view.Name, k)
			}
			class := page[i : i+strings.Index(page[i:], `">`)]
			if strings.Contains(class, " breaks") != breaks {
				t.Errorf("view %s: edge %s -> %s is drawn as %s", view.Name, edge.Source, edge.Destination, class)
			}
		}
	}
}
