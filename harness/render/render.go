// Package render reads Helm charts and kustomizations as teams keep them: it renders them
// in-process with Helm's own chart loader and template engine and with Kustomize's build,
// and locates every object in the file that produced it (the template, or the resource
// file), with where it sits in the rendered output.
//
// A Renderer's Read is a load.Reader: plain manifests are read as load.Paths reads them,
// and a chart directory, a packaged chart named as a path, or a kustomization directory
// is rendered as one unit, its files not read again as plain manifests.
package render

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"

	"github.com/ringfence/ringfence/harness/inventory"
	"github.com/ringfence/ringfence/harness/load"
)

// Options are how charts are rendered, as helm template's flags of the same names.
// They apply to every chart among the paths.
type Options struct {
	// Values are values files, merged in order (helm template --values).
	Values []string
	// Set are key=value pairs set on the command line (helm template --set).
	Set []string
	// SetString are key=value pairs whose values stay strings (--set-string).
	SetString []string
	// ReleaseName is the release's name; "" is "release-name", as for helm template.
	ReleaseName string
	// Namespace is the release's namespace; "" is "default". Read also puts the
	// namespaced objects that name no namespace in it, as helm install would.
	Namespace string
	// KubeVersion is the Kubernetes version charts see in .Capabilities; "" is Helm's
	// default.
	KubeVersion string
	// APIVersions are API versions added to .Capabilities.APIVersions.
	APIVersions []string
}

// Renderer renders charts and kustomizations. It holds no state between calls and is
// safe for concurrent use.
type Renderer struct {
	opts Options
	// install says the objects of charts go into opts.Namespace when they name none.
	install     bool
	kubeVersion *common.KubeVersion
	values      *values.Options
}

// New checks opts (a malformed --set or --kube-version, an unreadable values file) and
// returns a Renderer.
func New(opts Options) (*Renderer, error) {
	if opts.ReleaseName == "" {
		opts.ReleaseName = "release-name"
	}
	install := opts.Namespace != ""
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	r := &Renderer{opts: opts, install: install, values: &values.Options{
		ValueFiles: opts.Values, Values: opts.Set, StringValues: opts.SetString,
	}}
	if opts.KubeVersion != "" {
		v, err := common.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("--kube-version %q: %w", opts.KubeVersion, err)
		}
		r.kubeVersion = v
	}
	if _, err := r.mergeValues(); err != nil {
		return nil, err
	}
	return r, nil
}

// mergeValues reads the values files and --set pairs into a fresh map: Helm changes the
// map it renders with, so each chart gets its own.
func (r *Renderer) mergeValues() (map[string]any, error) {
	// No getters: values files are local files; a URL is refused, not fetched.
	vals, err := r.values.MergeValues(getter.Providers{})
	if err != nil {
		return nil, fmt.Errorf("chart values: %w", err)
	}
	return vals, nil
}

// Read reads paths ("-" is stdin) as load.Paths does, except that chart and
// kustomization directories (named, or met while walking a directory) and packaged
// charts named as paths are rendered. A kustomization that another one in the walk uses
// (a base or a component) is read only through the one that uses it, and so are the
// plain files a kustomization names: nothing is read twice.
//
// With Options.Namespace set, the namespaced objects of charts that name no namespace
// are put in it, where helm install --namespace puts them: Render leaves them as helm
// template prints them.
func (r *Renderer) Read(ctx context.Context, paths []string, stdin io.Reader) load.Result {
	units, errs := load.Walk(paths, true)
	units = dropUsed(units)
	res := load.ReadUnits(ctx, units, stdin, r.Render)
	res.Errors = append(errs, res.Errors...)
	if r.install {
		install(res.Documents, r.opts.Namespace)
	}
	return res
}

// install sets metadata.namespace to ns on the namespaced objects rendered by Helm that
// have none: the well-known cluster-scoped kinds, and those of the cluster-scoped
// CustomResourceDefinitions among docs, are left alone.
func install(docs []load.Document, ns string) {
	clusterCRDs := map[string]bool{}
	for _, d := range docs {
		if d.Object["kind"] != "CustomResourceDefinition" {
			continue
		}
		if groupKind, cluster := inventory.CRDScope(d.Object); cluster {
			clusterCRDs[groupKind] = true
		}
	}
	for _, d := range docs {
		if d.Source.Rendered == nil || d.Source.Rendered.By != "helm" {
			continue
		}
		apiVersion, _ := d.Object["apiVersion"].(string)
		kind, _ := d.Object["kind"].(string)
		if inventory.WellKnownClusterScoped(apiVersion, kind) || clusterCRDs[inventory.Group(apiVersion)+"/"+kind] {
			continue
		}
		meta, ok := d.Object["metadata"].(map[string]any)
		if !ok {
			continue
		}
		if n, _ := meta["namespace"].(string); n == "" {
			meta["namespace"] = ns
		}
	}
}

// Render renders one unit: a chart, a packaged chart or a kustomization. Everything it
// cannot render becomes located errors; what it rendered is still returned.
func (r *Renderer) Render(ctx context.Context, u load.Unit) load.Result {
	switch u.Kind {
	case load.Chart, load.ChartArchive:
		return r.chart(ctx, u)
	case load.Kustomization:
		return kustomize(ctx, u)
	}
	return load.Result{Errors: []load.Error{{File: u.Path, Message: "not a chart or a kustomization"}}}
}

// discard is the logger Helm's actions get: what Helm would warn about on a terminal
// (a deprecated chart, CRDs in a dry run) is not ringfence's report.
var discard = slog.New(slog.DiscardHandler)

// dropUsed leaves out the kustomizations that another kustomization among units uses as
// a base or component, the plain files a kustomization names as a resource or patch,
// and the Kustomize components met in a walk: a component is not built on its own, only
// into the kustomizations that use it (named as a path, it is built, as asked).
func dropUsed(units []load.Unit) []load.Unit {
	used := map[string]bool{}
	for _, u := range units {
		if u.Kind != load.Kustomization {
			continue
		}
		addReferences(u.Path, used)
	}
	kept := units[:0:0]
	for _, u := range units {
		if u.Kind == load.Kustomization && u.Walked && isComponent(u.Path) {
			continue
		}
		if u.Kind == load.File || u.Kind == load.Kustomization {
			if abs, err := filepath.Abs(u.Path); err == nil && used[abs] {
				continue
			}
		}
		kept = append(kept, u)
	}
	return kept
}

// located names a chart's or kustomization's file for a report: dir joined with a path
// inside it, as the user named dir.
func located(dir, rel string) string {
	rel = filepath.FromSlash(strings.TrimPrefix(rel, "/"))
	return filepath.Join(dir, rel)
}
