package main

import (
	"github.com/spf13/pflag"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/render"
)

// renderFlags are how the commands that read manifests render the Helm charts among
// their paths, with helm template's flags; kustomizations need none.
type renderFlags struct {
	opts render.Options
}

// register adds the flags. namespace says whether --namespace names the release's
// namespace too, as for helm template: not where --namespace already filters.
func (rf *renderFlags) register(f *pflag.FlagSet, namespace bool) {
	f.StringArrayVar(&rf.opts.Values, "values", nil, "Helm charts: a values file, merged over the chart's values.yaml (repeatable; later files win)")
	f.StringArrayVar(&rf.opts.Set, "set", nil, "Helm charts: set a value, key=value as for helm template --set (repeatable)")
	f.StringArrayVar(&rf.opts.SetString, "set-string", nil, "Helm charts: set a value that stays a string, key=value (repeatable)")
	f.StringVar(&rf.opts.ReleaseName, "release-name", "", `Helm charts: the release name (default "release-name", as for helm template)`)
	f.StringVar(&rf.opts.Namespace, "release-namespace", "", `Helm charts: the release namespace (default "default")`)
	if namespace {
		f.StringVar(&rf.opts.Namespace, "namespace", "", "Helm charts: the release namespace, as --release-namespace")
	}
	f.StringVar(&rf.opts.KubeVersion, "kube-version", "", "Helm charts: the Kubernetes version .Capabilities.KubeVersion gives, such as 1.33.0")
	f.StringSliceVar(&rf.opts.APIVersions, "api-versions", nil, "Helm charts: API versions added to .Capabilities.APIVersions (repeatable, or comma-separated)")
}

// reader is the reader of the paths: plain manifests, and the charts and kustomizations
// among them rendered. A bad flag (an unreadable values file, a malformed --set) is a
// usage error.
func (rf *renderFlags) reader() (load.Reader, error) {
	r, err := render.New(rf.opts)
	if err != nil {
		return nil, err
	}
	return r.Read, nil
}
