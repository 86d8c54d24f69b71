// Package live reads the objects ringfence's rules inspect from a running cluster: it
// discovers which of those kinds the API server serves, lists each one page by page, and
// keeps going when a kind cannot be read, reporting what it did not see.
package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/pager"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/workload"
)

// Options tune a collection.
type Options struct {
	// Namespace limits namespaced kinds to one namespace; "" lists every namespace.
	// Cluster-scoped kinds are listed either way: cross-object rules need them.
	Namespace string
	// PageSize is the number of objects asked for per list call (default 500).
	PageSize int64
	// Backoff governs retries of a list call that failed with a transient error
	// (429, 5xx, a timeout, a broken connection). The zero value retries 4 times,
	// from 200 ms doubling.
	Backoff wait.Backoff
	// Progress, when set, is called after each kind is listed.
	Progress func(Progress)
}

// Progress is how far a collection got.
type Progress struct {
	Kinds, KindsTotal int // kinds listed so far, of the served kinds to list
	Objects           int // objects read so far
}

// Warning is a kind that could not be read; the rest of the collection went on.
type Warning struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Message    string `json:"message"`
}

func (w Warning) String() string {
	where := ""
	if w.Namespace != "" {
		where = " in namespace " + w.Namespace
	}
	return fmt.Sprintf("%s %s%s: %s", w.APIVersion, w.Kind, where, w.Message)
}

// Listed is one kind read from the cluster.
type Listed struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Resource   string `json:"resource"`
	Objects    int    `json:"objects"`
}

// Result is what a collection read.
type Result struct {
	Objects []*unstructured.Unstructured
	Listed  []Listed
	// NotServed are the wanted kinds the API server does not serve (CRDs not
	// installed, versions removed); nothing of them can exist.
	NotServed []schema.GroupVersionKind
	Warnings  []Warning
	// ListTime is the time spent discovering and listing.
	ListTime time.Duration
}

// UnreachableError is returned when the API server stops answering: the collection
// cannot go on.
type UnreachableError struct {
	Host string
	What string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the API server at %s stopped answering while %s: %v", e.Host, e.What, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Collect lists every object of the wanted kinds the cluster behind cfg serves.
// Forbidden, vanished or persistently failing kinds become warnings; an API server that
// cannot be reached at all is an *UnreachableError.
func Collect(ctx context.Context, cfg *rest.Config, wanted []schema.GroupVersionKind, o Options) (*Result, error) {
	start := time.Now()
	c, err := newCollector(cfg, o)
	if err != nil {
		return nil, err
	}
	targets, err := c.discover(ctx, wanted)
	if err != nil {
		return nil, err
	}
	for i, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := c.list(ctx, t.gvk, t.res); err != nil {
			return nil, err
		}
		if o.Progress != nil {
			o.Progress(Progress{Kinds: i + 1, KindsTotal: len(targets), Objects: len(c.res.Objects)})
		}
	}
	c.res.ListTime = time.Since(start)
	return c.res, nil
}

func newCollector(cfg *rest.Config, o Options) (*collector, error) {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.Backoff.Steps == 0 {
		o.Backoff = wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 4}
	}
	// Listing every kind the rules read includes deprecated ones (v1 Endpoints); the
	// API server's deprecation warnings for them are not the user's concern here.
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	return &collector{cfg: cfg, dc: dc, dyn: dyn, o: o, res: &Result{}}, nil
}

// discover asks the API server what it serves and picks the kinds to list.
func (c *collector) discover(ctx context.Context, wanted []schema.GroupVersionKind) ([]target, error) {
	var (
		groups []*metav1.APIGroup
		lists  []*metav1.APIResourceList
	)
	err := c.retry(ctx, "discovering the served API resources", func() error {
		var derr error
		groups, lists, derr = c.dc.ServerGroupsAndResources()
		if derr != nil && discovery.IsGroupDiscoveryFailedError(derr) {
			c.discoveryWarnings(derr)
			return nil // the groups that answered are usable
		}
		return derr
	})
	if err != nil {
		return nil, err
	}
	return c.targets(wanted, groups, servedKinds(lists)), nil
}

type target struct {
	gvk schema.GroupVersionKind
	res metav1.APIResource
}

// targets picks, for each wanted group and kind the server serves, the one version to
// list: the group's preferred version when it is wanted, else the newest wanted version
// served. The API server serves the same objects under every version of a kind, so
// listing two would read each object twice.
func (c *collector) targets(wanted []schema.GroupVersionKind, groups []*metav1.APIGroup, served map[schema.GroupVersionKind]metav1.APIResource) []target {
	preferred := map[string]string{}
	for _, g := range groups {
		if g != nil {
			preferred[g.Name] = g.PreferredVersion.Version
		}
	}
	byKind := map[schema.GroupKind][]string{}
	var order []schema.GroupKind
	for _, gvk := range dedupe(wanted) {
		if _, ok := served[gvk]; !ok {
			c.res.NotServed = append(c.res.NotServed, gvk)
			continue
		}
		gk := gvk.GroupKind()
		if _, seen := byKind[gk]; !seen {
			order = append(order, gk)
		}
		byKind[gk] = append(byKind[gk], gvk.Version)
	}
	var out []target
	for _, gk := range order {
		versions := byKind[gk]
		v := preferred[gk.Group]
		if !slices.Contains(versions, v) {
			slices.SortFunc(versions, func(a, b string) int { return -version.CompareKubeAwareVersionStrings(a, b) })
			v = versions[0]
		}
		gvk := gk.WithVersion(v)
		out = append(out, target{gvk, served[gvk]})
	}
	return out
}

type collector struct {
	cfg *rest.Config
	dc  discovery.DiscoveryInterface
	dyn dynamic.Interface
	o   Options
	res *Result
}

func (c *collector) list(ctx context.Context, gvk schema.GroupVersionKind, r metav1.APIResource) error {
	gvr := gvk.GroupVersion().WithResource(r.Name)
	ns := ""
	if r.Namespaced {
		ns = c.o.Namespace
	}
	apiVersion := gvk.GroupVersion().String()
	page := func(opts metav1.ListOptions) (runtime.Object, error) {
		var out runtime.Object
		what := fmt.Sprintf("listing %s %s", apiVersion, gvk.Kind)
		err := c.retry(ctx, what, func() error {
			var lerr error
			out, lerr = c.dyn.Resource(gvr).Namespace(ns).List(ctx, opts)
			return lerr
		})
		return out, err
	}
	p := pager.New(pager.SimplePageFunc(page))
	p.PageSize = c.o.PageSize
	var objs []*unstructured.Unstructured
	err := p.EachListItem(ctx, metav1.ListOptions{}, func(obj runtime.Object) error {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("unexpected list item %T", obj)
		}
		// Lists leave apiVersion and kind to the list; put them back on the item.
		u.SetAPIVersion(apiVersion)
		u.SetKind(gvk.Kind)
		unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
		objs = append(objs, u)
		return nil
	})
	if err != nil {
		var unreachable *UnreachableError
		if errors.As(err, &unreachable) || ctx.Err() != nil {
			return err
		}
		c.res.Warnings = append(c.res.Warnings, Warning{
			APIVersion: apiVersion, Kind: gvk.Kind, Namespace: ns, Message: describe(err),
		})
		return nil
	}
	c.res.Objects = append(c.res.Objects, objs...)
	c.res.Listed = append(c.res.Listed, Listed{APIVersion: apiVersion, Kind: gvk.Kind, Resource: r.Name, Objects: len(objs)})
	return nil
}

// retry runs fn until it succeeds, fails for good, or the backoff is spent. Errors the
// API server answered with are returned as they are (the caller warns); a server that
// does not answer at all becomes an *UnreachableError.
func (c *collector) retry(ctx context.Context, what string, fn func() error) error {
	b := c.o.Backoff
	var err error
	for {
		err = fn()
		if err == nil || !transient(err) || b.Steps <= 0 {
			break
		}
		t := time.NewTimer(b.Step())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if unreachable(err) {
		return &UnreachableError{Host: c.cfg.Host, What: what, Err: err}
	}
	return err
}

// transient reports errors worth another try: throttling, server errors, timeouts and
// broken connections.
func transient(err error) bool {
	switch {
	case apierrors.IsTooManyRequests(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsInternalError(err), apierrors.IsServiceUnavailable(err), apierrors.IsUnexpectedServerError(err):
		return true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return status.Status().Code >= 500
	}
	return unreachable(err)
}

// unreachable reports an error that is not an answer from the API server: the
// connection failed or timed out.
func unreachable(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return false
	}
	// client-go reports transport failures as *url.Error, which is a net.Error.
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// describe turns a list error into the warning's words.
func describe(err error) string {
	switch {
	case apierrors.IsForbidden(err):
		return "not listed: forbidden for this user (" + apiMessage(err) + ")"
	case apierrors.IsNotFound(err):
		return "not listed: the resource disappeared during the audit"
	case apierrors.IsMethodNotSupported(err):
		return "not listed: the resource cannot be listed"
	case transient(err):
		return "not listed: the API server kept failing: " + err.Error()
	}
	return "not listed: " + err.Error()
}

func apiMessage(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return status.Status().Message
	}
	return err.Error()
}

func (c *collector) discoveryWarnings(err error) {
	var failed *discovery.ErrGroupDiscoveryFailed
	if !errors.As(err, &failed) {
		return
	}
	gvs := make([]schema.GroupVersion, 0, len(failed.Groups))
	for gv := range failed.Groups {
		gvs = append(gvs, gv)
	}
	sort.Slice(gvs, func(i, j int) bool { return gvs[i].String() < gvs[j].String() })
	for _, gv := range gvs {
		c.res.Warnings = append(c.res.Warnings, Warning{
			APIVersion: gv.String(), Kind: "*",
			Message: "API group not discovered: " + failed.Groups[gv].Error(),
		})
	}
}

// servedKinds indexes the discovered resources by group, version and kind, leaving out
// subresources and resources that cannot be listed.
func servedKinds(lists []*metav1.APIResourceList) map[schema.GroupVersionKind]metav1.APIResource {
	out := map[schema.GroupVersionKind]metav1.APIResource{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			out[gv.WithKind(r.Kind)] = r
		}
	}
	return out
}

func dedupe(gvks []schema.GroupVersionKind) []schema.GroupVersionKind {
	out := slices.Clone(gvks)
	slices.SortFunc(out, func(a, b schema.GroupVersionKind) int {
		return strings.Compare(a.String(), b.String())
	})
	return slices.Compact(out)
}

// OwnedByController reports whether u is a Pod, ReplicaSet or Job that a workload's
// controller made from the owner's template (the ReplicaSets of a Deployment, their Pods,
// the Jobs of a CronJob; see workload.MadeByController): checking the owner covers it,
// and checking both would report every problem twice. Objects that other controllers own
// (operators' Services, say) are not skipped.
func OwnedByController(u *unstructured.Unstructured) bool {
	_, ok := workload.MadeByController(u.GetKind(), u.GetOwnerReferences())
	return ok
}

// AuditOptions tune an audit.
type AuditOptions struct {
	Options
	// IncludeOwned also evaluates the Pods, ReplicaSets and Jobs that workload
	// controllers made (see OwnedByController).
	IncludeOwned bool
}

// Audit is the outcome of an audit: the report, and what the collection read.
type Audit struct {
	Report *harness.Report
	*Result
	// Evaluated is the number of objects evaluated; EvalTime the time it took.
	Evaluated int
	EvalTime  time.Duration
	// Inputs are the objects evaluated, with their data left in the engine (for
	// htmlreport.Build).
	Inputs []harness.Object
}

// Run audits the cluster behind cfg with eng: it lists every kind eng's rules read,
// evaluates the objects as harness.Engine.Evaluate does for manifests, and adds a
// warning to the report for each kind it could not read. With a namespace, only the
// findings on that namespace's objects and on the Namespace itself are kept.
func Run(ctx context.Context, eng *harness.Engine, cfg *rest.Config, o AuditOptions) (*Audit, error) {
	wanted, err := wantedKinds(eng)
	if err != nil {
		return nil, err
	}
	res, err := Collect(ctx, cfg, wanted, o.Options)
	if err != nil {
		return nil, err
	}
	objs := make([]harness.Object, 0, len(res.Objects))
	for _, u := range res.Objects {
		if !o.IncludeOwned && OwnedByController(u) {
			continue
		}
		objs = append(objs, harness.FromUnstructured(u))
	}
	start := time.Now()
	rep, err := eng.Evaluate(ctx, objs)
	if err != nil {
		return nil, err
	}
	a := &Audit{Report: rep, Result: res, Evaluated: len(objs), EvalTime: time.Since(start), Inputs: objs}
	finish(rep, o.Namespace, res.Warnings)
	return a, nil
}

// finish keeps a namespace's findings only, when there is one, and adds the warnings.
func finish(rep *harness.Report, ns string, warnings []Warning) {
	if ns != "" {
		rep.Keep(func(r harness.ObjectRef) bool {
			return r.Namespace == ns || (r.Kind == "Namespace" && r.Namespace == "" && r.Name == ns)
		})
	}
	for _, w := range warnings {
		rep.Warnings = append(rep.Warnings, w.String())
	}
}

// wantedKinds is what eng's rules read, as group, version and kind.
func wantedKinds(eng *harness.Engine) ([]schema.GroupVersionKind, error) {
	var wanted []schema.GroupVersionKind
	for _, k := range eng.Kinds() {
		gv, err := schema.ParseGroupVersion(k.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("rule kind %s %s: %w", k.APIVersion, k.Kind, err)
		}
		wanted = append(wanted, gv.WithKind(k.Kind))
	}
	return wanted, nil
}
