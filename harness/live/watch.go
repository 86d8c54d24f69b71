package live

import (
	"context"
	"errors"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/ringfence/ringfence/harness"
)

// Watcher keeps every object an engine's rules read in informer caches, so a controller
// can re-evaluate the cluster whenever it changes without listing it again. Kinds the
// user may not list are probed once and left out, with a warning, as in Run.
type Watcher struct {
	eng      *harness.Engine
	o        AuditOptions
	listers  []cache.GenericLister
	warnings []Warning
	changed  chan struct{}
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// Watch starts informers for the kinds eng's rules read that the cluster serves and
// waits until their caches hold the whole cluster. Stop it when done; cancelling ctx
// stops it too.
func Watch(ctx context.Context, eng *harness.Engine, cfg *rest.Config, o AuditOptions) (*Watcher, error) {
	wanted, err := wantedKinds(eng)
	if err != nil {
		return nil, err
	}
	c, err := newCollector(cfg, o.Options)
	if err != nil {
		return nil, err
	}
	targets, err := c.discover(ctx, wanted)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{eng: eng, o: o, changed: make(chan struct{}, 1), cancel: cancel}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(c.dyn, 0, o.Namespace, nil)
	for _, t := range targets {
		ns := ""
		if t.res.Namespaced {
			ns = o.Namespace
		}
		// Probe with one page of one object: an informer on a kind the user may not list
		// would retry forever and never sync.
		gvr := t.gvk.GroupVersion().WithResource(t.res.Name)
		perr := c.retry(ctx, fmt.Sprintf("listing %s %s", t.gvk.GroupVersion(), t.gvk.Kind), func() error {
			_, err := c.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
			return err
		})
		if perr != nil {
			var unreachable *UnreachableError
			if errors.As(perr, &unreachable) || ctx.Err() != nil {
				cancel()
				return nil, perr
			}
			c.res.Warnings = append(c.res.Warnings, Warning{
				APIVersion: t.gvk.GroupVersion().String(), Kind: t.gvk.Kind, Namespace: ns, Message: describe(perr),
			})
			continue
		}
		inf := factory.ForResource(gvr)
		gvk := t.gvk
		if err := inf.Informer().SetTransform(func(obj any) (any, error) {
			if u, ok := obj.(*unstructured.Unstructured); ok {
				if u.GetKind() == "" {
					u.SetGroupVersionKind(gvk)
				}
				unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
			}
			return obj, nil
		}); err != nil {
			cancel()
			return nil, fmt.Errorf("informer for %s: %w", gvk, err)
		}
		if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { w.signal() },
			UpdateFunc: func(any, any) { w.signal() },
			DeleteFunc: func(any) { w.signal() },
		}); err != nil {
			cancel()
			return nil, fmt.Errorf("informer for %s: %w", gvk, err)
		}
		w.listers = append(w.listers, inf.Lister())
	}
	w.warnings = c.res.Warnings
	factory.Start(ctx.Done())
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-ctx.Done()
		factory.Shutdown()
	}()
	for gvr, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			w.Stop()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("the cache of %s did not sync", gvr)
		}
	}
	return w, nil
}

func (w *Watcher) signal() {
	select {
	case w.changed <- struct{}{}:
	default: // a change is already pending
	}
}

// Changed receives after the cached objects changed; changes coalesce until the next
// receive.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

// Objects returns the objects the caches hold now (without the objects controllers make
// from workload templates, unless AuditOptions.IncludeOwned).
func (w *Watcher) Objects() ([]harness.Object, error) {
	var out []harness.Object
	for _, l := range w.listers {
		objs, err := FromLister(l)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			u := &unstructured.Unstructured{Object: o.Data}
			if w.o.IncludeOwned || !OwnedByController(u) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// Evaluate evaluates the cached objects as Run evaluates a fresh listing.
func (w *Watcher) Evaluate(ctx context.Context) (*harness.Report, error) {
	objs, err := w.Objects()
	if err != nil {
		return nil, err
	}
	rep, err := w.eng.Evaluate(ctx, objs)
	if err != nil {
		return nil, err
	}
	finish(rep, w.o.Namespace, w.warnings)
	return rep, nil
}

// Warnings are the kinds that could not be watched.
func (w *Watcher) Warnings() []Warning { return w.warnings }

// Stop stops the informers and waits for them.
func (w *Watcher) Stop() {
	w.cancel()
	w.wg.Wait()
}

// FromLister returns the objects an informer's lister holds (typed or unstructured), for
// Engine.Evaluate; it copies nothing, and evaluation does not modify them.
func FromLister(l cache.GenericLister) ([]harness.Object, error) {
	objs, err := l.List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("listing the cache: %w", err)
	}
	out := make([]harness.Object, 0, len(objs))
	for _, o := range objs {
		h, err := harness.FromRuntimeObject(o, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
