package render

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/action"
	ci "helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"

	"github.com/ringfence/ringfence/harness/load"
)

// chart renders a chart directory or a packaged chart as helm template does with the
// renderer's options: dependencies must be vendored in charts/, hooks are rendered,
// CRDs in crds/ are not (helm template leaves them out without --include-crds), and
// nothing talks to a cluster.
func (r *Renderer) chart(ctx context.Context, u load.Unit) load.Result {
	fail := func(file string, line int, format string, args ...any) load.Result {
		msg := fmt.Sprintf("chart %s: ", u.Path) + fmt.Sprintf(format, args...)
		return load.Result{Errors: []load.Error{{File: file, Line: line, Message: msg}}}
	}
	chrt, err := loader.Load(u.Path)
	if err != nil {
		return fail(u.Path, 0, "cannot load: %v", err)
	}
	switch chrt.Metadata.Type {
	case "", "application":
	default:
		return fail(u.Path, 0, "%s charts are not installable, so not rendered", chrt.Metadata.Type)
	}
	ac, err := ci.NewAccessor(chrt)
	if err != nil {
		return fail(u.Path, 0, "%v", err)
	}
	if req := ac.MetaDependencies(); len(req) > 0 {
		if err := action.CheckDependencies(chrt, req); err != nil {
			// Fetching them would need the network: helm dependency build vendors them.
			return fail(u.Path, 0, "dependencies not vendored (run helm dependency build in the chart): %v", err)
		}
	}
	vals, err := r.mergeValues()
	if err != nil {
		return fail(u.Path, 0, "%v", err)
	}

	cfg := action.NewConfiguration()
	cfg.SetLogger(discard.Handler())
	inst := action.NewInstall(cfg)
	inst.DryRunStrategy = action.DryRunClient
	inst.Replace = true
	inst.ReleaseName = r.opts.ReleaseName
	inst.Namespace = r.opts.Namespace
	inst.KubeVersion = r.kubeVersion
	inst.APIVersions = r.opts.APIVersions
	rel, err := inst.RunWithContext(ctx, chrt, vals)
	if err != nil {
		file, line := templateOf(u.Path, chrt.Name(), err.Error())
		return fail(file, line, "%v", err)
	}
	v1, ok := rel.(*release.Release)
	if !ok {
		return fail(u.Path, 0, "helm returned a release of type %T", rel)
	}
	return fromStream(u.Path, "helm", helmOutput(v1), helmSources(u.Path, chrt.Name()))
}

// helmOutput is what helm template prints for rel: the manifests, then the hooks.
func helmOutput(rel *release.Release) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(rel.Manifest))
	b.WriteString("\n")
	for _, h := range rel.Hooks {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	return b.String()
}

// helmSources locates the objects of helm template's output: each document follows a
// "# Source: CHART/templates/x.yaml" line naming its template, whose chart-name prefix
// stands for the chart's directory.
func helmSources(dir, name string) func(text string) []marker {
	return func(text string) []marker {
		var ms []marker
		n := 0
		for l := range strings.SplitSeq(text, "\n") {
			n++
			if rest, ok := strings.CutPrefix(l, "# Source: "); ok {
				ms = append(ms, marker{line: n, file: located(dir, strings.TrimPrefix(strings.TrimSpace(rest), name+"/"))})
			}
		}
		return ms
	}
}

// Helm names the template in its errors: "template: CHART/templates/x.yaml:12:3: ...",
// "parse error at (CHART/templates/x.yaml:5): ...", "YAML parse error on CHART/templates/x.yaml: ...".
var helmErrorFile = regexp.MustCompile(`([\w.\-]+(?:/[\w.\-]+)*/templates/[\w.\-/]+?)(?::(\d+))?(?::\d+)?[:)]`)

// templateOf finds the template and line an error of Helm's names, or the chart.
func templateOf(dir, name, msg string) (string, int) {
	m := helmErrorFile.FindStringSubmatch(msg)
	if m == nil {
		return dir, 0
	}
	line, _ := strconv.Atoi(m[2])
	return located(dir, strings.TrimPrefix(m[1], name+"/")), line
}

// marker is where the output of one source file starts in a rendered stream.
type marker struct {
	line int // the line of the rendered stream the marker is on
	file string
	// exact says the object's place in its file is known: document and fileLine (0
	// when the file has no such object, as for a generated one).
	exact              bool
	document, fileLine int
}

// fromStream parses a rendered stream (named by dir, the chart or kustomization) and
// locates each object and error in the source file the markers give: the marker before
// it in the stream. Objects of one source file are numbered among themselves, and lines
// count through that file's parts of the stream, each part running from its marker to
// the next, unless the marker knows the object's place in its file.
func fromStream(dir, by, text string, markers func(string) []marker) load.Result {
	res := load.Bytes(dir, []byte(text))
	ms := markers(text)
	offset := make([]int, len(ms)) // lines of the same file's earlier parts
	taken := map[string]int{}
	for i, m := range ms {
		offset[i] = taken[m.file]
		if i+1 < len(ms) {
			taken[m.file] += ms[i+1].line - m.line
		}
	}
	find := func(line int) int {
		return sort.Search(len(ms), func(i int) bool { return ms[i].line > line }) - 1
	}
	docs := map[string]int{}
	for i := range res.Documents {
		s := &res.Documents[i].Source
		rendered := &load.Rendered{By: by, From: dir, Document: s.Document, Line: s.Line}
		k := find(s.Line)
		if k < 0 {
			s.Rendered = rendered
			continue
		}
		m := ms[k]
		*s = load.Source{File: m.file, Document: docs[m.file], Line: offset[k] + s.Line - m.line, Rendered: rendered}
		if m.exact {
			s.Document, s.Line = m.document, m.fileLine
		}
		docs[m.file]++
	}
	for i := range res.Errors {
		e := &res.Errors[i]
		if k := find(e.Line); k >= 0 {
			e.Message = fmt.Sprintf("rendered from %s (document %d, line %d of its output): %s", dir, e.Document, e.Line, e.Message)
			e.File, e.Document, e.Line = ms[k].file, 0, offset[k]+e.Line-ms[k].line
		} else {
			e.Message = fmt.Sprintf("rendered from %s: %s", dir, e.Message)
		}
	}
	return res
}
