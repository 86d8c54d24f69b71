package e2e

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/workload"
)

// TestNetpolDryRun: the NetworkPolicies netpol generate writes for the corpus projects
// pass the real API server's validation and admission (server-side dry-run create).
func TestNetpolDryRun(t *testing.T) {
	projects := []string{
		"corpus/microservices-demo/kubernetes-manifests",
		"corpus/sock-shop/deploy/kubernetes/complete-demo.yaml",
		"corpus/voting-app",
		"examples",
	}
	bin := ringfenceBinary(t)
	_, client := startKube(t)
	created := map[string]bool{"default": true}
	total := 0
	for _, project := range projects {
		path := filepath.Join(shared, project)
		if project == "examples" {
			path = "../examples" // the bundled example shop
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: %v", project, err)
		}
		out := filepath.Join(t.TempDir(), "policies")
		if msg, code := runRingfence(t, bin, "netpol", "generate", path, "-o", out, "--report", filepath.Join(t.TempDir(), "report.json")); code != 0 {
			t.Fatalf("netpol generate %s exited %d:\n%s", project, code, msg)
		}
		res := load.Paths(t.Context(), []string{out}, nil)
		if len(res.Errors) > 0 || len(res.Documents) == 0 {
			t.Fatalf("%s: reading the generated policies: %v (%d documents)", project, res.Errors, len(res.Documents))
		}
		for _, d := range res.Documents {
			var np networkingv1.NetworkPolicy
			if err := workload.Decode(d.Object, &np); err != nil {
				t.Fatalf("%s: %v", d.Source.File, err)
			}
			if !created[np.Namespace] {
				ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: np.Namespace}}
				if _, err := client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
					t.Fatalf("creating namespace %s: %v", np.Namespace, err)
				}
				created[np.Namespace] = true
			}
			got, err := client.NetworkingV1().NetworkPolicies(np.Namespace).Create(t.Context(), &np, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if err != nil {
				t.Errorf("%s: the API server refuses %s/%s: %v", project, np.Namespace, np.Name, err)
				continue
			}
			if len(got.Spec.PolicyTypes) != len(np.Spec.PolicyTypes) {
				t.Errorf("%s: %s/%s: the server changed policyTypes %v to %v", project, np.Namespace, np.Name, np.Spec.PolicyTypes, got.Spec.PolicyTypes)
			}
			total++
		}
	}
	t.Logf("the API server accepted all %d generated policies of %d projects (dry-run create)", total, len(projects))
}
