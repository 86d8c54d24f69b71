package pss_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/config"
)

// levelVersion is a Pod Security Standards level and version as the labels spell them.
type levelVersion struct{ level, version string }

func (lv levelVersion) String() string { return lv.level + ":" + lv.version }

// checkSet is a set of upstream check IDs, printed sorted.
type checkSet map[string]bool

func (s checkSet) String() string { return "[" + strings.Join(slices.Sorted(maps.Keys(s)), " ") + "]" }

func (s checkSet) equal(o checkSet) bool { return maps.Equal(s, o) }

// upstream is Pod Security Admission's evaluator, with every check's result labelled with
// the check's ID: the registry, the versions and the overrides stay upstream's own.
type upstream struct{ eval policy.Evaluator }

const idSeparator = "\x00"

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	var labelled []policy.Check
	for _, c := range policy.DefaultChecks() {
		versions := make([]policy.VersionedCheck, len(c.Versions))
		for i, v := range c.Versions {
			fn, id := v.CheckPod, string(c.ID)
			v.CheckPod = func(meta *metav1.ObjectMeta, spec *corev1.PodSpec) policy.CheckResult {
				r := fn(meta, spec)
				if !r.Allowed {
					r.ForbiddenReason = id + idSeparator + r.ForbiddenReason
				}
				return r
			}
			versions[i] = v
		}
		c.Versions = versions
		labelled = append(labelled, c)
	}
	eval, err := policy.NewEvaluator(labelled, nil)
	if err != nil {
		t.Fatalf("upstream evaluator: %v", err)
	}
	return &upstream{eval: eval}
}

// failing returns the checks a pod fails at lv, and upstream's aggregate verdict.
func (u *upstream) failing(t testing.TB, lv levelVersion, pod *corev1.Pod) (checkSet, bool) {
	t.Helper()
	level, err := api.ParseLevel(lv.level)
	if err != nil {
		t.Fatalf("level %q: %v", lv.level, err)
	}
	version, err := api.ParseVersion(lv.version)
	if err != nil {
		t.Fatalf("version %q: %v", lv.version, err)
	}
	results := u.eval.EvaluatePod(api.LevelVersion{Level: level, Version: version}, &pod.ObjectMeta, &pod.Spec)
	out := checkSet{}
	for _, r := range results {
		if !r.Allowed {
			id, _, _ := strings.Cut(r.ForbiddenReason, idSeparator)
			out[id] = true
		}
	}
	return out, policy.AggregateCheckResults(results).Allowed
}

// defaulted returns the pod as the API server stores it, in the two ways that matter to
// the checks: a volume with no source becomes an emptyDir, and on the host network every
// regular and init container port without a hostPort gets its containerPort as hostPort.
// ringfence applies the same defaulting to raw manifests (policies/lib/pss.rego).
func defaulted(pod *corev1.Pod) *corev1.Pod {
	p := pod.DeepCopy()
	for i := range p.Spec.Volumes {
		if p.Spec.Volumes[i].VolumeSource == (corev1.VolumeSource{}) {
			p.Spec.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	if p.Spec.HostNetwork {
		for _, containers := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
			for i := range containers {
				for j := range containers[i].Ports {
					if containers[i].Ports[j].HostPort == 0 {
						containers[i].Ports[j].HostPort = containers[i].Ports[j].ContainerPort
					}
				}
			}
		}
	}
	return p
}

// ringfence evaluates ringfence's Pod Security Standards rules, one engine per level and
// version, set through the configuration's podSecurity block.
type ringfence struct {
	base    *harness.Engine // the rules of the standard, compiled once
	engines map[levelVersion]*harness.Engine
	checkOf map[string]string // rule id -> upstream check ID
	ruleIDs []string
}

// newRingfence uses the embedded policies, or policies from fsys when it is not nil.
func newRingfence(t testing.TB, fsys fs.FS) *ringfence {
	t.Helper()
	var opts []harness.Option
	if fsys != nil {
		opts = append(opts, harness.WithPolicies(fsys))
	}
	e, err := harness.New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	r := &ringfence{engines: map[levelVersion]*harness.Engine{}, checkOf: map[string]string{}}
	for _, rule := range e.Rules() {
		if rule.PodSecurity != nil {
			r.checkOf[rule.ID] = rule.PodSecurity.Check
			r.ruleIDs = append(r.ruleIDs, rule.ID)
		}
	}
	if r.base, err = harness.New(context.Background(), append(opts, harness.WithRules(r.ruleIDs...))...); err != nil {
		t.Fatalf("engine: %v", err)
	}
	return r
}

func (r *ringfence) engine(t testing.TB, lv levelVersion) *harness.Engine {
	t.Helper()
	if e, ok := r.engines[lv]; ok {
		return e
	}
	// Every level and version reuses the rules compiled once in newRingfence.
	e, err := r.base.Reconfigured(config.Config{PodSecurity: &config.PodSecurity{Level: lv.level, Version: lv.version}})
	if err != nil {
		t.Fatalf("engine for %s: %v", lv, err)
	}
	r.engines[lv] = e
	return e
}

// failing evaluates objects at lv and returns, by object name, the upstream checks whose
// rules found something. Every object must evaluate without errors.
func (r *ringfence) failing(t testing.TB, lv levelVersion, objs []harness.Object) map[string]checkSet {
	t.Helper()
	rep, err := r.engine(t, lv).Evaluate(context.Background(), objs)
	if err != nil {
		t.Fatalf("evaluate at %s: %v", lv, err)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("evaluate at %s: %d input errors, the first: %v", lv, len(rep.Errors), rep.Errors[0])
	}
	out := map[string]checkSet{}
	for _, f := range rep.Findings {
		check, ok := r.checkOf[f.Rule]
		if !ok {
			t.Fatalf("finding of rule %s, which has no podSecurity check", f.Rule)
		}
		if out[f.Object.Name] == nil {
			out[f.Object.Name] = checkSet{}
		}
		out[f.Object.Name][check] = true
	}
	return out
}

// object converts a typed object for the harness, as a manifest would arrive.
func object(t testing.TB, obj runtime.Object) harness.Object {
	t.Helper()
	o, err := harness.FromRuntimeObject(obj, nil)
	if err != nil {
		t.Fatalf("converting %T: %v", obj, err)
	}
	return o
}

// versions returns "latest" and v1.0 to v1.<maxMinor>.
func versions(maxMinor int) []string {
	out := []string{"latest"}
	for m := 0; m <= maxMinor; m++ {
		out = append(out, fmt.Sprintf("v1.%d", m))
	}
	return out
}
