package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// gatekeeperLegacy is what a cluster held before Gatekeeper came: objects with findings of
// per-object rules and of cross-object ones (a namespace no default-deny NetworkPolicy
// covers, a workload no policy isolates), for the audit to find.
const gatekeeperLegacy = `apiVersion: v1
kind: Namespace
metadata:
  name: legacy
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: legacy
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: legacy
spec:
  replicas: 1
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      serviceAccountName: app
      hostNetwork: true
      containers:
      - name: app
        image: nginx:latest
        ports:
        - containerPort: 8080
        securityContext:
          privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: legacy
spec:
  serviceAccountName: app
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      capabilities:
        add: [NET_ADMIN]
  volumes:
  - name: host
    hostPath:
      path: /var/run
---
apiVersion: v1
kind: Service
metadata:
  name: app
  namespace: legacy
spec:
  type: LoadBalancer
  selector: {app: app}
  externalIPs: [203.0.113.10]
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all
  namespace: legacy
spec:
  podSelector:
    matchLabels: {app: other}
  ingress:
  - {}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: legacy-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: app
  namespace: legacy
`

// gatekeeperSystem is Gatekeeper's namespace, and the Pod object the manager's status
// operation looks itself up as (POD_NAME) to own the status objects it writes. Nothing
// runs it: the manager runs as a process of the test.
const gatekeeperSystem = `apiVersion: v1
kind: Namespace
metadata:
  name: gatekeeper-system
  labels:
    admission.gatekeeper.sh/ignore: no-self-managing
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gatekeeper-admin
  namespace: gatekeeper-system
---
apiVersion: v1
kind: Pod
metadata:
  name: gatekeeper-e2e
  namespace: gatekeeper-system
spec:
  serviceAccountName: gatekeeper-admin
  automountServiceAccountToken: false
  containers:
  - name: manager
    image: openpolicyagent/gatekeeper:v3.23.1
`

// manifestObjects splits a multi-document manifest into objects.
func manifestObjects(t *testing.T, manifest string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, doc := range strings.Split(manifest, "\n---\n") {
		var m map[string]any
		mustYAML(t, doc, &m)
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// gatekeeperCRDs reads the CustomResourceDefinitions .ci/tools.sh gatekeeper copies from
// the pinned release's chart.
func gatekeeperCRDs(t *testing.T) []map[string]any {
	t.Helper()
	dir := filepath.Join(filepath.Dir(filepath.Dir(tool(t, "gatekeeper"))), "gatekeeper-crds-"+gatekeeperVersion)
	return readManifestDir(t, dir)
}

// gatekeeperVersion is the release .ci/tools.sh builds the manager and gator from.
const gatekeeperVersion = "v3.23.1"

// startGatekeeper runs Gatekeeper's manager against the API server with every operation
// (webhook, audit, status, and generate, which makes each template's constraint CRD), as
// a single-replica install runs it, serving the webhook on loopback with the certificate in
// certDir, and auditing every few seconds.
func startGatekeeper(t *testing.T, kubeconfig, certDir string) (*process, int) {
	t.Helper()
	port, _ := strconv.Atoi(strings.TrimPrefix(freeAddr(t), "127.0.0.1:"))
	promPort := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	t.Setenv("KUBECONFIG", kubeconfig)
	t.Setenv("POD_NAMESPACE", "gatekeeper-system")
	t.Setenv("POD_NAME", "gatekeeper-e2e")
	cache := filepath.Join(certDir, "audit-cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	p := start(t, 15*time.Minute, tool(t, "gatekeeper"),
		"--host=127.0.0.1", "--port="+strconv.Itoa(port), "--cert-dir="+certDir, "--disable-cert-rotation",
		"--health-addr="+freeAddr(t), "--metrics-addr=0", "--prometheus-port="+promPort,
		"--audit-interval=10", "--constraint-violations-limit=1000", "--audit-match-kind-only", "--api-cache-dir="+cache,
		"--enable-k8s-native-validation=false", "--exempt-namespace=gatekeeper-system",
		"--log-level=WARNING", "--shutdown-delay=0")
	return p, port
}

// TestGatekeeper: the exported templates, constraints and sync Config, installed into the
// real API server with Gatekeeper's CRDs, are enforced by Gatekeeper's own manager: its
// webhook denies a privileged pod, and its audit reports the objects created before it
// came, rule by rule and object by object as ringfence test reports them, cross-object
// rules included (fed by the sync Config).
func TestGatekeeper(t *testing.T) {
	srv, client := startKube(t)
	dir := t.TempDir()
	ca := servingCert(t, dir)
	bin := ringfenceBinary(t)
	cfg := rest.CopyConfig(srv.Config("admin"))
	cfg.WarningHandler = rest.NoWarnings{}

	applyObjects(t, cfg, append(gatekeeperCRDs(t), manifestObjects(t, gatekeeperSystem)...))
	legacy := applyObjects(t, cfg, manifestObjects(t, gatekeeperLegacy))
	applyObjects(t, cfg, manifestObjects(t, webhookCluster)) // where the webhook test's pods go

	export := filepath.Join(dir, "export")
	if out, code := runRingfence(t, bin, "gatekeeper", "export", "-o", export, "--no-tests"); code != 0 {
		t.Fatalf("ringfence gatekeeper export: exit %d: %s", code, out)
	}
	gk, port := startGatekeeper(t, srv.Kubeconfig, dir)
	defer func() {
		if t.Failed() {
			t.Logf("gatekeeper:\n%s", tail(gk.Output(), 60))
		}
	}()

	// Templates, then their constraints once Gatekeeper has made each constraint kind,
	// then the sync Config.
	templates := readManifestDir(t, filepath.Join(export, "templates"))
	applyObjects(t, cfg, templates)
	constraints := readManifestDir(t, filepath.Join(export, "constraints"))
	applyEventually(t, cfg, constraints, 3*time.Minute)
	applyEventually(t, cfg, readManifestDir(t, filepath.Join(export, "sync")), 10*time.Second)
	t.Logf("installed %d templates, %d constraints and the sync Config", len(templates), len(constraints))

	const webhook = "validation.gatekeeper.sh"
	url := fmt.Sprintf("https://127.0.0.1:%d/v1/admit", port)
	vwhc := webhookConfiguration("gatekeeper-validating-webhook-configuration", webhook, url, ca)
	vwhc.Webhooks[0].NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: "admission.gatekeeper.sh/ignore", Operator: metav1.LabelSelectorOpDoesNotExist,
	}}}
	vwhc.Webhooks[0].Rules[0].Rule = admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*"}}
	if _, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(t.Context(), vwhc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	wcfg := srv.Config("admin")
	wcfg.WarningHandler = w
	wclient, err := kubernetes.NewForConfig(wcfg)
	if err != nil {
		t.Fatal(err)
	}
	waitForWebhook(t, wclient, w, webhook)
	_, err = createPod(t, wclient, w, webhookPod("root-shell", true, true), false)
	// Gatekeeper lists every constraint that denies, one per line, each named in brackets.
	denied := fmt.Sprintf("admission webhook %q denied the request: ", webhook)
	want := `[rf-pod-001] Pod shop/root-shell: container "app" sets securityContext.privileged to true`
	if err == nil || !strings.Contains(err.Error(), denied) || !slices.Contains(strings.Split(strings.TrimPrefix(err.Error()[strings.Index(err.Error(), denied):], denied), "\n"), want) {
		t.Errorf("privileged pod: got %v, want a denial by %s with the line %q", err, webhook, want)
	} else {
		t.Logf("privileged pod denied: %v", err)
	}
	if _, err := createPod(t, wclient, w, webhookPod("web", true, false), false); err != nil {
		t.Errorf("compliant pod: %v, want it admitted", err)
	}

	compareAudit(t, cfg, bin, legacy, constraints)
}

// readManifestDir reads every object of the .yaml files in dir (such as a directory of
// the export).
func readManifestDir(t *testing.T, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	var out []map[string]any
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, manifestObjects(t, strings.TrimPrefix(string(raw), "---\n"))...)
	}
	return out
}

// applyEventually creates objs whose kinds the API server may not serve yet (constraints,
// whose CRDs Gatekeeper makes from their templates), retrying the rest with a fresh view
// of the API until every one is created or limit passes.
func applyEventually(t *testing.T, cfg *rest.Config, objs []map[string]any, limit time.Duration) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pending := objs
	var last error
	deadline := time.Now().Add(limit)
	for len(pending) > 0 && time.Now().Before(deadline) {
		mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
		var still []map[string]any
		for _, o := range pending {
			if _, err := createObject(t.Context(), dyn, mapper, o); err != nil {
				last = err
				still = append(still, o)
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(time.Second)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d of %d objects not created after %s; the last error: %v", len(pending), len(objs), limit, last)
	}
}

// compareAudit waits for Gatekeeper's audit to report, in the constraints' status, the
// same violations on the legacy objects as ringfence test reports on them, and fails
// with the difference if it never does.
func compareAudit(t *testing.T, cfg *rest.Config, bin string, legacy, constraints []map[string]any) {
	t.Helper()
	exported := map[string]bool{}
	for _, c := range constraints {
		u := unstructured.Unstructured{Object: c}
		exported[u.GetAnnotations()["ringfence.dev/rule"]] = true
	}
	applied := map[string]bool{}
	for _, o := range legacy {
		u := unstructured.Unstructured{Object: o}
		applied[refKey(u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())] = true
	}
	out, code := runRingfence(t, bin, "test", writeManifests(t, legacy), "--output", "json")
	if code != 1 {
		t.Fatalf("ringfence test: exit %d, want 1\n%s", code, out)
	}
	// Gatekeeper's violations carry no field: compare without it.
	want := []finding{}
	for _, f := range findingsOf(t, out, nil) {
		if exported[f.Rule] {
			f.Field = ""
			want = append(want, f)
		}
	}

	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	var got []finding
	audited := eventually(3*time.Minute, func() bool {
		got, err = auditViolations(t.Context(), dyn, mapper, constraints, applied)
		return err == nil && gocmp.Equal(want, got)
	})
	if !audited {
		t.Fatalf("Gatekeeper's audit never matched ringfence test on the legacy objects (last error %v) (-ringfence test +gatekeeper audit):\n%s", err, gocmp.Diff(want, got))
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-12s %-40s %s\n", "RULE", "OBJECT", "GATEKEEPER = RINGFENCE TEST")
	counts := map[[2]string]int{}
	var keys [][2]string
	for _, e := range got {
		k := [2]string{e.Rule, e.Object}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	for _, k := range keys {
		fmt.Fprintf(&table, "%-12s %-40s %d\n", k[0], k[1], counts[k])
	}
	t.Logf("Gatekeeper's audit in the constraints' status.violations equals ringfence test on the %d legacy objects: %d violations, %d rule and object pairs\n%s", len(legacy), len(got), len(keys), table.String())
}

// auditViolations reads status.violations of every constraint and keeps those on the
// applied objects.
func auditViolations(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, constraints []map[string]any, applied map[string]bool) ([]finding, error) {
	out := []finding{}
	for _, c := range constraints {
		u := unstructured.Unstructured{Object: c}
		gvk := u.GroupVersionKind()
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return nil, err
		}
		live, err := dyn.Resource(mapping.Resource).Get(ctx, u.GetName(), metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if _, audited, _ := unstructured.NestedString(live.Object, "status", "auditTimestamp"); !audited {
			return nil, fmt.Errorf("%s %s not audited yet", gvk.Kind, u.GetName())
		}
		violations, _, err := unstructured.NestedSlice(live.Object, "status", "violations")
		if err != nil {
			return nil, err
		}
		rule := u.GetAnnotations()["ringfence.dev/rule"]
		for _, v := range violations {
			m, _ := v.(map[string]any)
			group, _ := m["group"].(string)
			version, _ := m["version"].(string)
			kind, _ := m["kind"].(string)
			ns, _ := m["namespace"].(string)
			name, _ := m["name"].(string)
			msg, _ := m["message"].(string)
			key := refKey(schema.GroupVersion{Group: group, Version: version}.String(), kind, ns, name)
			if applied[key] {
				out = append(out, finding{Rule: rule, Object: key, Message: msg})
			}
		}
	}
	sortFindings(out)
	return out, nil
}
