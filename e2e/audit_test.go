package e2e

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/live"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/internal/kubeserver"
	"github.com/ringfence/ringfence/internal/synth"
)

// applyObjects creates objs on the server (Namespaces and other cluster-scoped objects
// first) and returns each as the server stored it, defaults filled in.
func applyObjects(t testing.TB, cfg *rest.Config, objs []map[string]any) []map[string]any {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{} // Pod Security warnings on objects with known problems
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rank := func(m map[string]any) int {
		switch (&unstructured.Unstructured{Object: m}).GetKind() {
		case "Namespace":
			return 0
		case "ServiceAccount", "ClusterRole", "Role":
			return 1
		}
		return 2
	}
	// The namespaces objects live in but no Namespace of the set creates are created
	// first, as `kubectl create namespace` would, and returned with the rest.
	objs = slices.Clone(objs)
	declared := map[string]bool{}
	for _, m := range objs {
		if u := (unstructured.Unstructured{Object: m}); u.GetKind() == "Namespace" {
			declared[u.GetName()] = true
		}
	}
	for _, m := range objs {
		ns := (&unstructured.Unstructured{Object: m}).GetNamespace()
		if ns != "" && ns != "default" && !declared[ns] {
			declared[ns] = true
			objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})
		}
	}
	// Namespaces, then ServiceAccounts and roles, then the rest; each rank in parallel.
	byRank := map[int][]int{}
	for i, m := range objs {
		byRank[rank(m)] = append(byRank[rank(m)], i)
	}
	out := make([]map[string]any, len(objs))
	for r := 0; r <= 2; r++ {
		idx := byRank[r]
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			failure error
			next    atomic.Int64
		)
		for range min(8, len(idx)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1)) - 1
					if k >= len(idx) {
						return
					}
					created, err := createObject(t.Context(), dyn, mapper, objs[idx[k]])
					mu.Lock()
					if err != nil && failure == nil {
						failure = err
					}
					out[idx[k]] = created
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		if failure != nil {
			t.Fatal(failure)
		}
	}
	return out
}

func createObject(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, m map[string]any) (map[string]any, error) {
	u := &unstructured.Unstructured{Object: m}
	gvk := u.GroupVersionKind()
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", gvk, u.GetName(), err)
	}
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = cmp.Or(u.GetNamespace(), "default")
	}
	created, err := dyn.Resource(mapping.Resource).Namespace(ns).Create(ctx, u, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("creating %s %s/%s: %w", gvk.Kind, u.GetNamespace(), u.GetName(), err)
	}
	unstructured.RemoveNestedField(created.Object, "metadata", "managedFields")
	return created.Object, nil
}

// readManifests loads every document under dir.
func readManifests(t *testing.T, dir string) []map[string]any {
	t.Helper()
	res := load.Paths(t.Context(), []string{dir}, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("reading %s: %v", dir, res.Errors)
	}
	var out []map[string]any
	for _, d := range res.Documents {
		out = append(out, d.Object)
	}
	return out
}

// writeManifests writes objs as one multi-document YAML file in a new directory.
func writeManifests(t *testing.T, objs []map[string]any) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	dir := t.TempDir()
	writeFile(t, dir, "served.yaml", []byte(b.String()))
	return dir
}

// finding is what parity compares: the rule, the object, the message and the field;
// where the object came from differs between manifests and the cluster.
type finding struct {
	Rule, Object, Message, Field string
}

func findingsOf(t *testing.T, out string, keep func(harness.ObjectRef) bool) []finding {
	t.Helper()
	var rep harness.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	var fs []finding
	for _, f := range rep.Findings {
		if keep != nil && !keep(f.Object) {
			continue
		}
		o := f.Object
		fs = append(fs, finding{f.Rule, refKey(o.APIVersion, o.Kind, o.Namespace, o.Name), f.Message, f.Field})
	}
	sortFindings(fs)
	return fs
}

// sortFindings orders findings by object, rule, message and field.
func sortFindings(fs []finding) {
	slices.SortFunc(fs, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.Object, b.Object), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message), cmp.Compare(a.Field, b.Field))
	})
}

func refKey(apiVersion, kind, namespace, name string) string {
	return apiVersion + " " + kind + " " + namespace + "/" + name
}

// TestAuditParity applies the example shop to a real API server and requires `ringfence
// audit` to report what `ringfence test` reports on the same objects as the server
// stored them (defaults filled in).
func TestAuditParity(t *testing.T) {
	srv, client := startKube(t)
	bin := ringfenceBinary(t)
	n := auditParity(t, srv, bin, readManifests(t, "../examples"))
	if n < 40 {
		t.Errorf("only %d findings on the example shop; the comparison is too weak", n)
	}
	auditReview(t, srv, bin)
	auditBaseline(t, srv, client, bin)
}

// auditReview writes the review of the cluster auditParity filled with audit --report,
// as JSON and as HTML: the connections drawn are those of ringfence report on the
// example shop's manifests, and the page opens in Chromium, offline, without a console
// error.
func auditReview(t *testing.T, srv *kubeserver.Server, bin string) {
	dir := t.TempDir()
	// The review's summary and connections read as netmap's.
	type review = netmapOf
	read := func(file string) (review, []string) {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var r review
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var conns []string
		for _, c := range r.Connections {
			conns = append(conns, c.Source+" -> "+c.Destination)
		}
		slices.Sort(conns)
		return r, conns
	}
	live := filepath.Join(dir, "cluster.json")
	if out, code := runRingfence(t, bin, "audit", "--kubeconfig", srv.Kubeconfig, "--report", live); code != 1 {
		t.Fatalf("audit --report: exit %d\n%s", code, out)
	}
	manifests := filepath.Join(dir, "manifests.json")
	if out, code := runRingfence(t, bin, "report", "../examples", "--output", "json", "-o", manifests); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, out)
	}
	got, gotConns := read(live)
	want, wantConns := read(manifests)
	if diff := gocmp.Diff(wantConns, gotConns); diff != "" || got.Summary.Workloads != want.Summary.Workloads {
		t.Errorf("the cluster's review has %d workloads, the manifests' %d; connections (-manifests +cluster):\n%s", got.Summary.Workloads, want.Summary.Workloads, diff)
	}

	page := filepath.Join(dir, "cluster.html")
	if out, code := runRingfence(t, bin, "audit", "--kubeconfig", srv.Kubeconfig, "--report", page); code != 1 {
		t.Fatalf("audit --report: exit %d\n%s", code, out)
	}
	ctx, problems := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#view-0 svg"))); err != nil {
		t.Fatalf("opening the cluster's review: %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header h1 .subject")))
	if err != nil {
		t.Fatal(err)
	}
	if p := problems(); len(p) > 0 || !strings.HasPrefix(title, "cluster ") {
		t.Errorf("the cluster's review, titled %q, raised %d console errors:\n%s", title, len(p), strings.Join(p, "\n"))
	}
	t.Logf("audit --report: %d workloads, %d connections, as the manifests'", got.Summary.Workloads, len(gotConns))
}

// TestAuditParityGenerated does the same on 1,000 generated objects: namespaces of
// workloads, Services, ServiceAccounts, NetworkPolicies and RBAC with known problems,
// and the Cilium policies synth.WithCilium adds, served by Cilium's own CRDs (those of
// the release .ci/tools.sh cilium-crds copies): the Cilium rules, and the isolation
// rules that count Cilium's default deny, read them from the cluster as from files.
func TestAuditParityGenerated(t *testing.T) {
	srv, _ := startKube(t)
	cfg := srv.Config("admin")
	applyObjects(t, cfg, readManifestDir(t, filepath.Join(filepath.Dir(filepath.Dir(tool(t, "kube"))), "cilium-crds-"+ciliumVersion)))
	waitForKinds(t, cfg, 2*time.Minute, schema.GroupVersionKind{Group: "cilium.io", Version: "v2", Kind: "CiliumNetworkPolicy"},
		schema.GroupVersionKind{Group: "cilium.io", Version: "v2", Kind: "CiliumClusterwideNetworkPolicy"})
	objs := synth.WithCilium(synth.Generate(1000, 11), 11)
	cilium := 0
	for _, o := range objs {
		if o["apiVersion"] == "cilium.io/v2" {
			cilium++
		}
	}
	if cilium < 20 {
		t.Fatalf("only %d Cilium policies among the generated objects", cilium)
	}
	auditParity(t, srv, ringfenceBinary(t), objs)
}

// ciliumVersion is the release whose CRDs .ci/tools.sh cilium-crds copies.
const ciliumVersion = "v1.20.2"

// waitForKinds waits until the API server serves every kind (a CRD just created is
// served once established).
func waitForKinds(t *testing.T, cfg *rest.Config, limit time.Duration, kinds ...schema.GroupVersionKind) {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
		last = nil
		for _, k := range kinds {
			if _, err := mapper.RESTMapping(k.GroupKind(), k.Version); err != nil {
				last = err
				break
			}
		}
		if last == nil {
			return
		}
	}
	t.Fatalf("the API server does not serve %v after %s: %v", kinds, limit, last)
}

// auditBaseline checks audit's baselines on the cluster auditParity filled: a baseline written by one audit accepts them all in the next, a privileged
// Pod created since is all that is new, and the findings of a Deployment deleted since
// become stale entries, within the namespace an audit is limited to.
func auditBaseline(t *testing.T, srv *kubeserver.Server, client *kubernetes.Clientset, bin string) {
	file := filepath.Join(t.TempDir(), "baseline.json")
	type report struct {
		Summary  struct{ Findings, Baselined int }
		Findings []harness.Finding
		Baseline struct {
			Accepted int
			Stale    []harness.BaselineEntry
		}
	}
	audit := func(wantCode int, args ...string) report {
		t.Helper()
		out, code := runRingfence(t, bin, append([]string{"audit", "--kubeconfig", srv.Kubeconfig, "--output", "json"}, args...)...)
		if code != wantCode {
			t.Fatalf("audit %v: exit %d, want %d\n%s", args, code, wantCode, out)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("audit %v: %v\n%s", args, err, out)
		}
		return r
	}
	all := audit(1, "--write-baseline", file)
	n := len(all.Findings)
	if r := audit(0, "--baseline", file); r.Summary.Findings != 0 || r.Baseline.Accepted != n || len(r.Baseline.Stale) != 0 {
		t.Errorf("against its own baseline: %d findings, %d accepted of %d, stale %v", r.Summary.Findings, r.Baseline.Accepted, n, r.Baseline.Stale)
	}

	ctx := t.Context()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}}
	if _, err := client.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	privileged := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "intruder", Namespace: "default"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "busybox@sha256:" + strings.Repeat("a", 64),
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
		}}},
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := audit(1, "--baseline", file)
	privilegedFound := false
	for _, f := range r.Findings {
		if o := f.Object; o.Kind != "Pod" || o.Namespace != "default" || o.Name != "intruder" {
			t.Errorf("new finding not on the new Pod: %+v", f)
		}
		privilegedFound = privilegedFound || f.Rule == "RF-POD-001"
	}
	if !privilegedFound || r.Baseline.Accepted != n || len(r.Baseline.Stale) != 0 {
		t.Errorf("after the privileged Pod: RF-POD-001 found %v, %d accepted of %d, stale %v", privilegedFound, r.Baseline.Accepted, n, r.Baseline.Stale)
	}

	// The findings of a deleted Deployment are stale; an audit of another namespace
	// cannot tell, so lists none.
	var victim harness.ObjectRef
	for _, f := range all.Findings {
		if f.Object.Kind == "Deployment" {
			victim = f.Object
			break
		}
	}
	if victim.Name == "" {
		t.Fatal("no Deployment with findings in the example shop")
	}
	if err := client.AppsV1().Deployments(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r = audit(1, "--baseline", file)
	gone := 0
	for _, e := range r.Baseline.Stale {
		if e.Object.Kind == "Deployment" && e.Object.Namespace == victim.Namespace && e.Object.Name == victim.Name {
			gone++
		}
	}
	if gone == 0 {
		t.Errorf("no stale entry for the deleted Deployment %s/%s: %+v", victim.Namespace, victim.Name, r.Baseline.Stale)
	}
	if r := audit(0, "--baseline", file, "--namespace", "kube-system"); len(r.Baseline.Stale) != 0 {
		t.Errorf("audit of kube-system lists stale entries of other namespaces: %+v", r.Baseline.Stale)
	}
	t.Logf("audit baseline: %d findings accepted; %d stale entries after deleting Deployment %s/%s", n, len(r.Baseline.Stale), victim.Namespace, victim.Name)
}

func auditParity(t *testing.T, srv *kubeserver.Server, bin string, objs []map[string]any) int {
	served := applyObjects(t, srv.Config("admin"), objs)
	applied := map[string]bool{}
	for _, o := range served {
		u := unstructured.Unstructured{Object: o}
		applied[refKey(u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())] = true
	}
	inApplied := func(r harness.ObjectRef) bool { return applied[refKey(r.APIVersion, r.Kind, r.Namespace, r.Name)] }

	out, code := runRingfence(t, bin, "test", writeManifests(t, served), "--output", "json")
	if code != 1 {
		t.Fatalf("ringfence test: exit %d, want 1\n%s", code, out)
	}
	want := findingsOf(t, out, nil)

	out, code = runRingfence(t, bin, "audit", "--kubeconfig", srv.Kubeconfig, "--output", "json")
	if code != 1 {
		t.Fatalf("ringfence audit: exit %d, want 1\n%s", code, out)
	}
	got := findingsOf(t, out, inApplied)
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("audit findings on the applied objects differ from ringfence test on them (-test +audit):\n%s", diff)
	}
	t.Logf("parity: %d findings from ringfence test, %d from ringfence audit on the same %d objects", len(want), len(got), len(served))
	return len(want)
}

// TestAuditRestrictedUser audits as a user bound to the view ClusterRole, which may not
// list Secrets or any RBAC objects: those kinds become warnings and the rest is audited.
func TestAuditRestrictedUser(t *testing.T) {
	srv, client := startKubeWith(t, kubeserver.Options{
		Users: map[string][]string{"auditor": {"auditors"}},
		// view is an aggregated ClusterRole: the aggregation controller fills in its rules.
		Controllers: []string{"clusterrole-aggregation"},
	})
	applyObjects(t, srv.Config("admin"), readManifests(t, "../examples"))
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "auditors-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "auditors"}},
	}
	if _, err := client.RbacV1().ClusterRoleBindings().Create(t.Context(), binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForAggregation(t, client, "view")
	kubeconfig, err := srv.KubeconfigFor("auditor")
	if err != nil {
		t.Fatal(err)
	}
	out, code := runRingfence(t, ringfenceBinary(t), "audit", "--kubeconfig", kubeconfig, "--output", "json")
	if code != 1 {
		t.Fatalf("restricted audit: exit %d, want 1 (findings)\n%s", code, out)
	}
	var rep harness.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	for _, kind := range []string{"v1 Secret", "rbac.authorization.k8s.io/v1 ClusterRole:", "rbac.authorization.k8s.io/v1 RoleBinding:"} {
		if !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.HasPrefix(w, kind) && strings.Contains(w, "forbidden") }) {
			t.Errorf("no forbidden warning for %s in %q", kind, rep.Warnings)
		}
	}
	if slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.HasPrefix(w, "apps/v1 Deployment") }) {
		t.Errorf("the view role lists Deployments, yet a warning says otherwise: %q", rep.Warnings)
	}
	deployments := 0
	for _, f := range rep.Findings {
		if f.Object.Kind == "Deployment" {
			deployments++
		}
	}
	if deployments == 0 {
		t.Errorf("the restricted audit found nothing on Deployments: the rest of the audit did not happen\n%s", out)
	}
	t.Logf("restricted audit: %d findings, %d warnings: %q", len(rep.Findings), len(rep.Warnings), rep.Warnings)
}

// slowProxy relays TCP connections to target, holding each chunk the server sends for
// delay, so that an audit takes long enough to be interrupted; it counts the chunks.
type slowProxy struct {
	ln     net.Listener
	target string
	delay  time.Duration
	chunks atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startSlowProxy(t *testing.T, target string, delay time.Duration) *slowProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &slowProxy{ln: ln, target: target, delay: delay}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *slowProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(s, c); s.Close() }()
		go func() {
			defer p.wg.Done()
			defer c.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 {
					p.chunks.Add(1)
					time.Sleep(p.delay)
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (p *slowProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestAuditServerStops stops kube-apiserver while an audit is listing: the audit must
// end with a clear error and exit 2, not hang.
func TestAuditServerStops(t *testing.T) {
	t.Parallel() // the parallel tests share GOMAXPROCS slots: conftest, gator and opa processes fill both cores
	srv, _ := startKube(t)
	applyObjects(t, srv.Config("admin"), readManifests(t, "../examples"))
	host := strings.TrimPrefix(srv.URL, "https://")
	proxy := startSlowProxy(t, host, 20*time.Millisecond)

	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cfg, err := os.ReadFile(srv.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, []byte(strings.ReplaceAll(string(cfg), host, proxy.ln.Addr().String())), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ringfenceBinary(t), "audit", "--kubeconfig", kubeconfig, "--page-size", "1", "--request-timeout", "5s")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Wait until the audit is listing (discovery alone is a few dozen responses).
	deadline := time.Now().Add(2 * time.Minute)
	for proxy.chunks.Load() < 60 && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the audit ended before the server was stopped (%v): make it slower\n%s\n%s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	srv.StopProcess("kube-apiserver")
	stoppedAt := proxy.chunks.Load()
	var err2 error
	select {
	case err2 = <-done:
	case <-ctx.Done():
		t.Fatalf("the audit hung after the API server stopped\n%s", stderr.String())
	}
	exit, ok := err2.(*exec.ExitError)
	if !ok || exit.ExitCode() != 2 {
		t.Fatalf("audit after the server stopped: %v, want exit 2\nstdout:\n%s\nstderr:\n%s", err2, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped answering") {
		t.Errorf("the error does not say the API server stopped answering:\n%s", stderr.String())
	}
	t.Logf("stopped the API server after %d relayed chunks; audit said: %s", stoppedAt, strings.TrimSpace(stderr.String()))
}

// BenchmarkAudit audits 5,000 generated objects in a real API server, reporting the time
// spent listing and the time spent evaluating.
func BenchmarkAudit(b *testing.B) {
	srv, _ := startKube(b)
	cfg := srv.Config("admin")
	cfg.QPS, cfg.Burst = 1000, 1000
	applyObjects(b, cfg, synth.Generate(5000, 3))
	eng, err := harness.New(b.Context(), harness.ForRuntime("audit"))
	if err != nil {
		b.Fatal(err)
	}
	var list, eval time.Duration
	objects := 0
	for b.Loop() {
		a, err := live.Run(b.Context(), eng, srv.Config("admin"), live.AuditOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(a.Warnings) > 0 {
			b.Fatalf("warnings: %v", a.Warnings)
		}
		list += a.ListTime
		eval += a.EvalTime
		objects = a.Evaluated
	}
	b.ReportMetric(float64(objects), "objects")
	b.ReportMetric(list.Seconds()/float64(b.N), "list-s/op")
	b.ReportMetric(eval.Seconds()/float64(b.N), "eval-s/op")
}

// TestAuditWatch keeps the cluster in informer caches: their evaluation matches a fresh
// listing, and a privileged Pod created afterwards shows up in the next evaluation, a
// deleted Deployment's findings leave it.
func TestAuditWatch(t *testing.T) {
	srv, client := startKube(t)
	cfg := srv.Config("admin")
	applyObjects(t, cfg, readManifests(t, "../examples"))
	eng, err := harness.New(t.Context(), harness.ForRuntime("audit"))
	if err != nil {
		t.Fatal(err)
	}
	listed, err := live.Run(t.Context(), eng, cfg, live.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	w, err := live.Watch(ctx, eng, cfg, live.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	rep, err := w.Evaluate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := func(fs []harness.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Rule+" "+f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name+" "+f.Message)
		}
		slices.Sort(out)
		return out
	}
	if diff := gocmp.Diff(key(listed.Report.Findings), key(rep.Findings)); diff != "" {
		t.Fatalf("the watched caches evaluate differently from a listing (-list +watch):\n%s", diff)
	}
	t.Logf("watch: %d findings, as a fresh listing", len(rep.Findings))

	privileged := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "intruder", Namespace: "default"}, // shop enforces baseline
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "busybox@sha256:" + strings.Repeat("a", 64),
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
		}}},
	}
	// Without the service account controller, the ServiceAccount admission plugin needs
	// the namespace's default service account made by hand.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}}
	if _, err := client.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	has := func(rep *harness.Report, rule, kind, name string) bool {
		return slices.ContainsFunc(rep.Findings, func(f harness.Finding) bool {
			return f.Rule == rule && f.Object.Kind == kind && f.Object.Name == name
		})
	}
	waitFor := func(what string, ok func(*harness.Report) bool) {
		t.Helper()
		for {
			select {
			case <-w.Changed():
			case <-ctx.Done():
				t.Fatalf("no evaluation shows %s", what)
			}
			rep, err := w.Evaluate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if ok(rep) {
				return
			}
		}
	}
	waitFor("the privileged Pod", func(r *harness.Report) bool { return has(r, "RF-POD-001", "Pod", "intruder") })

	var gone string
	for _, f := range rep.Findings {
		if f.Object.Kind == "Deployment" {
			gone = f.Object.Namespace + "/" + f.Object.Name
			break
		}
	}
	ns, name, _ := strings.Cut(gone, "/")
	if err := client.AppsV1().Deployments(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor("Deployment "+gone+" gone", func(r *harness.Report) bool {
		return !slices.ContainsFunc(r.Findings, func(f harness.Finding) bool {
			return f.Object.Kind == "Deployment" && f.Object.Namespace == ns && f.Object.Name == name
		})
	})
}

// TestAuditFlakyAPI puts a loopback proxy in front of the API server that throttles and
// fails some list calls: a kind that fails a few times is retried and read, one that
// keeps failing becomes a warning, and the rest of the audit is complete.
func TestAuditFlakyAPI(t *testing.T) {
	srv, _ := startKube(t)
	cfg := srv.Config("admin")
	applyObjects(t, cfg, readManifests(t, "../examples"))
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	upstream := httputil.NewSingleHostReverseProxy(target)
	upstream.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // loopback, self-signed
	var mu sync.Mutex
	hits := map[string]int{}
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		n := hits[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/api/v1/services" && n <= 2:
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","code":429}`, http.StatusTooManyRequests)
		case r.URL.Path == "/apis/apps/v1/deployments" && n <= 1:
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"ServiceUnavailable","code":503}`, http.StatusServiceUnavailable)
		case r.URL.Path == "/api/v1/configmaps":
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500}`, http.StatusInternalServerError)
		default:
			upstream.ServeHTTP(w, r)
		}
	}))
	defer proxy.Close()

	eng, err := harness.New(t.Context(), harness.ForRuntime("audit"))
	if err != nil {
		t.Fatal(err)
	}
	flaky := rest.CopyConfig(cfg)
	flaky.Host = proxy.URL
	opts := live.AuditOptions{Options: live.Options{Backoff: wait.Backoff{Duration: 10 * time.Millisecond, Factor: 2, Steps: 4}}}
	got, err := live.Run(t.Context(), eng, flaky, opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := live.Run(t.Context(), eng, cfg, live.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 1 || got.Warnings[0].Kind != "ConfigMap" || !strings.Contains(got.Warnings[0].Message, "kept failing") {
		t.Errorf("warnings %v, want one for ConfigMap saying the API server kept failing", got.Warnings)
	}
	count := func(a *live.Audit, kind string) int {
		for _, l := range a.Listed {
			if l.Kind == kind {
				return l.Objects
			}
		}
		return -1
	}
	for _, kind := range []string{"Service", "Deployment"} {
		if g, w := count(got, kind), count(want, kind); g != w || w <= 0 {
			t.Errorf("%s: %d objects through the flaky proxy, %d directly", kind, g, w)
		}
	}
	mu.Lock()
	t.Logf("flaky API: %d service list calls, %d deployment list calls, %d configmap list calls; warnings: %v",
		hits["/api/v1/services"], hits["/apis/apps/v1/deployments"], hits["/api/v1/configmaps"], got.Warnings)
	mu.Unlock()
}
