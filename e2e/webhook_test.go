package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/internal/testkeys"
)

// webhookCluster is what the admission tests set up before the webhook: a namespace
// isolated by a default-deny NetworkPolicy, and the service account the pods run as. The
// namespace has no Pod Security labels: the API server's own Pod Security admission,
// which runs before webhooks, would otherwise deny the privileged pod first.
const webhookCluster = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
automountServiceAccountToken: false
`

// webhookPod is a pod for the namespace above: hardened, with its image pinned by digest
// or not (RF-POD-007, medium), or privileged (RF-POD-001, critical).
func webhookPod(name string, pinned, privileged bool) *corev1.Pod {
	image := "registry.k8s.io/pause:3.10"
	if pinned {
		image += "@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
	}
	yes, no, uid := true, false, int64(10001)
	escalation := &no
	if privileged {
		escalation = nil // the API server refuses privileged with allowPrivilegeEscalation false
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: corev1.PodSpec{
			ServiceAccountName:           "web",
			AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name: "app", Image: image, ImagePullPolicy: corev1.PullAlways,
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{"cpu": resource.MustParse("10m"), "memory": resource.MustParse("16Mi")},
					Limits:   corev1.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("32Mi")},
				},
				SecurityContext: &corev1.SecurityContext{
					Privileged:               &privileged,
					AllowPrivilegeEscalation: escalation,
					ReadOnlyRootFilesystem:   &yes,
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

// warnings collects the admission warnings the API server returns, as kubectl prints them.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// mustYAML decodes one YAML document strictly.
func mustYAML(t *testing.T, doc string, into any) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
		t.Fatal(err)
	}
}

// tlsClient trusts only ca.
func tlsClient(t *testing.T, ca []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no CA certificate in PEM")
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// webhookConfiguration points the API server at url for pods in namespace shop, trusting ca.
func webhookConfiguration(name, webhook, url string, ca []byte) *admissionregistrationv1.ValidatingWebhookConfiguration {
	fail, none, timeout := admissionregistrationv1.Fail, admissionregistrationv1.SideEffectClassNone, int32(10)
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    webhook,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			TimeoutSeconds:          &timeout,
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"shop"},
			}}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{""}, APIVersions: []string{"v1"},
					Resources: []string{"pods", "pods/ephemeralcontainers"},
				},
			}},
		}},
	}
}

// createPod creates pod (dry run or not) and returns the error and the warnings the
// client was shown.
func createPod(t *testing.T, client *kubernetes.Clientset, w *warnings, pod *corev1.Pod, dryRun bool) ([]string, error) {
	t.Helper()
	w.take()
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err := client.CoreV1().Pods(pod.Namespace).Create(t.Context(), pod, opts)
	return w.take(), err
}

// waitForWebhook dry-runs the privileged pod until the API server calls the webhook,
// which it does once its configuration cache has the new webhook.
func waitForWebhook(t *testing.T, client *kubernetes.Clientset, w *warnings, webhook string) {
	t.Helper()
	var err error
	if !eventually(30*time.Second, func() bool {
		_, err = createPod(t, client, w, webhookPod("probe", true, true), true)
		return err != nil && strings.Contains(err.Error(), webhook)
	}) {
		t.Fatalf("the API server never called webhook %s: the last dry run gave %v", webhook, err)
	}
}

// TestOPAWebhook: a stock opa run serving the signed bundle over TLS, with the inventory
// that ringfence inventory writes, is the API server's validating admission webhook: a
// privileged pod is denied with the rule's message, a compliant pod is admitted, and one
// with a medium finding is admitted with a warning the client shows.
func TestOPAWebhook(t *testing.T) {
	srv, client := startKube(t)
	dir := t.TempDir()
	ca := servingCert(t, dir)
	keys, err := testkeys.For("RS256")
	if err != nil {
		t.Fatal(err)
	}
	bin := ringfenceBinary(t)
	bundleFile := filepath.Join(dir, "ringfence.tar.gz")
	if out, code := runRingfence(t, bin, "bundle", "build", "-o", bundleFile, "--revision", "webhook",
		"--signing-key", writeFile(t, dir, "private.pem", keys.Private), "--key-id", "ringfence"); code != 0 {
		t.Fatalf("ringfence bundle build: exit %d: %s", code, out)
	}
	clusterFile := writeFile(t, dir, "cluster.yaml", []byte(webhookCluster))
	inventory, code := runRingfence(t, bin, "inventory", clusterFile)
	if code != 0 {
		t.Fatalf("ringfence inventory: exit %d: %s", code, inventory)
	}
	applyObjects(t, srv.Config("admin"), manifestObjects(t, webhookCluster))

	addr := freeAddr(t)
	opa := start(t, 10*time.Minute, tool(t, "opa"), "run", "--server", "--addr", addr, "--log-level", "error",
		"--tls-cert-file", filepath.Join(dir, "tls.crt"), "--tls-private-key-file", filepath.Join(dir, "tls.key"),
		"--set", "default_decision=/ringfence/admission/review",
		"--verification-key", writeFile(t, dir, "public.pem", keys.Public), "--verification-key-id", "ringfence",
		"--bundle", bundleFile)
	https := tlsClient(t, ca)
	base := "https://" + addr
	if err := waitHTTPWith(t, opa, https, base+"/health?bundles=true", opaStartLimit); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, base+"/v1/data/inventory", strings.NewReader(inventory))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := https.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT /v1/data/inventory: %s: %s", resp.Status, body)
	}

	const webhook = "validate.ringfence.dev"
	if _, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(t.Context(),
		webhookConfiguration("ringfence", webhook, base+"/", ca), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	cfg := srv.Config("admin")
	cfg.WarningHandler = w
	client, err = kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitForWebhook(t, client, w, webhook)
	checkWebhookDecisions(t, client, w, webhook)
	if t.Failed() {
		t.Logf("opa:\n%s\nkube-apiserver:\n%s", opa.Output(), tail(srv.Log("kube-apiserver"), 40))
	}
}

// checkWebhookDecisions creates the three pods through a webhook that serves ringfence's
// rules and checks what the client sees.
func checkWebhookDecisions(t *testing.T, client *kubernetes.Clientset, w *warnings, webhook string) {
	t.Helper()
	_, err := createPod(t, client, w, webhookPod("root-shell", true, true), false)
	want := fmt.Sprintf(`admission webhook %q denied the request: RF-POD-001 (critical): Pod shop/root-shell: container "app" sets securityContext.privileged to true`, webhook)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("privileged pod: got %v, want the denial %q", err, want)
	} else {
		t.Logf("privileged pod denied: %v", err)
	}
	if got, err := createPod(t, client, w, webhookPod("web", true, false), false); err != nil || len(got) != 0 {
		t.Errorf("compliant pod: got %v and warnings %q, want it admitted without warnings", err, got)
	}
	got, err := createPod(t, client, w, webhookPod("cache", false, false), false)
	wantWarning := `RF-POD-007 (medium): Pod shop/cache: container "app" image "registry.k8s.io/pause:3.10" is not pinned by digest`
	if err != nil || len(got) != 1 || got[0] != wantWarning {
		t.Errorf("pod with a medium finding: got %v and warnings %q, want it admitted with the warning %q", err, got, wantWarning)
	} else {
		t.Logf("pod with a medium finding admitted with warning: %s", got[0])
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
