package harness_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
)

// The cluster the admission tests review requests against: a namespace that enforces the
// restricted Pod Security level, isolated by a default-deny NetworkPolicy.
const admissionCluster = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`

// hardenedPod has no finding with the cluster above; pinned says whether its image is
// pinned by digest (RF-POD-007, medium, when it is not).
func hardenedPod(name string, pinned bool, annotations map[string]any) map[string]any {
	image := "registry.k8s.io/pause:3.10"
	if pinned {
		image += "@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
	}
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": "shop", "annotations": annotations},
		"spec": map[string]any{
			"automountServiceAccountToken": false,
			"serviceAccountName":           "web",
			"securityContext":              map[string]any{"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
			"containers": []any{map[string]any{
				"name": "app", "image": image, "imagePullPolicy": "Always",
				"resources": map[string]any{
					"requests": map[string]any{"cpu": "10m", "memory": "16Mi"},
					"limits":   map[string]any{"cpu": "100m", "memory": "32Mi"},
				},
				"securityContext": map[string]any{
					"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
					"capabilities": map[string]any{"drop": []any{"ALL"}},
				},
			}},
		},
	}
}

func privilegedPod() map[string]any {
	p := hardenedPod("root-shell", true, nil)
	c := p["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	c["securityContext"].(map[string]any)["privileged"] = true
	return p
}

// admissionDecider evaluates data.ringfence.admission.review as an OPA server serving the
// bundle would, with the cluster's inventory pushed to data.inventory.
func admissionDecider(t *testing.T, cfg *config.Config, cluster string) func(admissionv1.AdmissionReview) admissionv1.AdmissionReview {
	t.Helper()
	ctx := context.Background()
	compiler := compiledPolicies(t)
	rules, err := catalog.FromCompiler(compiler)
	if err != nil {
		t.Fatal(err)
	}
	var cfgData map[string]any
	if cfg != nil {
		if err := cfg.Validate(harness.RuleInfos(rules)); err != nil {
			t.Fatal(err)
		}
		if cfgData, err = cfg.Data(); err != nil {
			t.Fatal(err)
		}
	}
	var objs []harness.Object
	for _, doc := range strings.Split(cluster, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, harness.FromMap(m))
	}
	inv, err := harness.Inventory(objs)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"ringfence": harness.PolicyData(rules, rules, cfgData), "inventory": inv}
	data, err = roundTrip(data)
	if err != nil {
		t.Fatal(err)
	}
	pq, err := rego.New(rego.Compiler(compiler), rego.Store(inmem.NewFromObject(data)),
		rego.Query("data.ringfence.admission.review")).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return func(in admissionv1.AdmissionReview) admissionv1.AdmissionReview {
		t.Helper()
		input, err := roundTrip(in)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(ctx, rego.EvalInput(input))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("review is undefined for %+v", in.Request)
		}
		raw, err := json.Marshal(rs[0].Expressions[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		var out admissionv1.AdmissionReview
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out); err != nil {
			t.Fatalf("the decision is not an AdmissionReview: %v\n%s", err, raw)
		}
		return out
	}
}

func roundTrip(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

func admissionReview(op admissionv1.Operation, resource, subResource string, obj, old map[string]any) admissionv1.AdmissionReview {
	raw := func(m map[string]any) runtime.RawExtension {
		if m == nil {
			return runtime.RawExtension{}
		}
		b, _ := json.Marshal(m)
		return runtime.RawExtension{Raw: b}
	}
	return admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:         "705ab4f5-6393-11e8-b7cc-42010a800002",
			Kind:        metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
			Resource:    metav1.GroupVersionResource{Version: "v1", Resource: resource},
			SubResource: subResource,
			Namespace:   "shop",
			Operation:   op,
			Object:      raw(obj),
			OldObject:   raw(old),
		},
	}
}

// TestAdmissionReview: the admission entry point answers AdmissionReviews with the
// request's uid, denies at the configured severity with rule ids in the message, returns
// lower findings as warnings, honours exemptions, and leaves DELETE and subresources
// other than pods/ephemeralcontainers alone.
func TestAdmissionReview(t *testing.T) {
	t.Parallel()
	decide := admissionDecider(t, nil, admissionCluster)
	privileged := privilegedPod()
	deleting := privilegedPod()
	deleting["metadata"].(map[string]any)["deletionTimestamp"] = "2026-12-05T08:00:00Z"
	const (
		privilegedMsg = `RF-POD-001 (critical): Pod shop/root-shell: container "app" sets securityContext.privileged to true`
		rejectedMsg   = `RF-POD-035 (high): Pod shop/root-shell: namespace shop enforces Pod Security level restricted:latest and the pod spec fails privileged: Pod Security Admission rejects its pods`
		unpinnedMsg   = `RF-POD-007 (medium): Pod shop/cache: container "app" image "registry.k8s.io/pause:3.10" is not pinned by digest`
	)
	type want struct {
		allowed  bool
		message  string // the denial's message, "" when allowed
		warnings []string
	}
	for _, c := range []struct {
		name string
		in   admissionv1.AdmissionReview
		want want
	}{
		{"compliant pod", admissionReview(admissionv1.Create, "pods", "", hardenedPod("web", true, nil), nil), want{allowed: true}},
		{"privileged pod", admissionReview(admissionv1.Create, "pods", "", privileged, nil), want{
			message: privilegedMsg + "; " + rejectedMsg,
		}},
		{"medium finding warns", admissionReview(admissionv1.Create, "pods", "", hardenedPod("cache", false, nil), nil), want{allowed: true, warnings: []string{unpinnedMsg}}},
		{"update judged like create", admissionReview(admissionv1.Update, "pods", "", privileged, hardenedPod("root-shell", true, nil)), want{
			message: privilegedMsg + "; " + rejectedMsg,
		}},
		{"exempt by annotation", admissionReview(admissionv1.Create, "pods", "", hardenedPod("cache", false, map[string]any{"ringfence.dev/exempt": "RF-POD-007"}), nil), want{allowed: true}},
		{"delete", admissionReview(admissionv1.Delete, "pods", "", nil, privileged), want{allowed: true}},
		{"status subresource", admissionReview(admissionv1.Update, "pods", "status", privileged, privileged), want{allowed: true}},
		{"ephemeral containers", admissionReview(admissionv1.Update, "pods", "ephemeralcontainers", privileged, hardenedPod("root-shell", true, nil)), want{
			message: privilegedMsg + "; " + rejectedMsg,
		}},
		{"finalizers removed while deleting", admissionReview(admissionv1.Update, "pods", "", deleting, deleting), want{allowed: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := decide(c.in)
			if out.APIVersion != "admission.k8s.io/v1" || out.Kind != "AdmissionReview" || out.Response == nil {
				t.Fatalf("not an admission.k8s.io/v1 AdmissionReview with a response: %+v", out)
			}
			r := out.Response
			if r.UID != c.in.Request.UID {
				t.Errorf("uid %q, want the request's %q", r.UID, c.in.Request.UID)
			}
			got := want{allowed: r.Allowed, warnings: r.Warnings}
			if r.Result != nil {
				got.message = r.Result.Message
				if r.Result.Code != 403 || r.Result.Reason != metav1.StatusReasonForbidden {
					t.Errorf("status %d %s, want 403 Forbidden", r.Result.Code, r.Result.Reason)
				}
			}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAdmissionThresholds: admission.failOn and warnOn move the lines between denial,
// warning and silence.
func TestAdmissionThresholds(t *testing.T) {
	t.Parallel()
	in := admissionReview(admissionv1.Create, "pods", "", hardenedPod("cache", false, nil), nil)
	strict := admissionDecider(t, &config.Config{Admission: &config.Admission{FailOn: "medium"}}, admissionCluster)(in).Response
	if strict.Allowed || strict.Result == nil || !strings.HasPrefix(strict.Result.Message, "RF-POD-007 (medium): ") || len(strict.Warnings) != 0 {
		t.Errorf("failOn medium: want RF-POD-007 denied, got %+v", strict)
	}
	quiet := admissionDecider(t, &config.Config{Admission: &config.Admission{WarnOn: "high"}}, admissionCluster)(in).Response
	if !quiet.Allowed || quiet.Result != nil || len(quiet.Warnings) != 0 {
		t.Errorf("warnOn high: want the medium finding left out, got %+v", quiet)
	}
	if err := (config.Config{Admission: &config.Admission{FailOn: "medium", WarnOn: "high"}}).Validate(nil); err == nil || !strings.Contains(err.Error(), "warnOn") {
		t.Errorf("warnOn above failOn: want an error, got %v", err)
	}
	if err := (config.Config{Admission: &config.Admission{FailOn: "severe"}}).Validate(nil); err == nil || !strings.Contains(err.Error(), `admission.failOn "severe"`) {
		t.Errorf("unknown severity: want an error, got %v", err)
	}
}

// TestAdmissionReadsInventory: cross-object rules judge the request against data.inventory:
// without the namespace's default-deny NetworkPolicy there, the compliant pod is not
// isolated (RF-NET-001, high) and is denied.
func TestAdmissionReadsInventory(t *testing.T) {
	t.Parallel()
	r := admissionDecider(t, nil, "")(admissionReview(admissionv1.Create, "pods", "", hardenedPod("web", true, nil), nil)).Response
	if r.Allowed || r.Result == nil || !strings.HasPrefix(r.Result.Message, "RF-NET-001 (high): ") {
		t.Errorf("with an empty inventory: want RF-NET-001 denied, got %+v", r)
	}
}
