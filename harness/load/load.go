// Package load reads Kubernetes manifests from files, directories and standard input.
//
// It splits multi-document YAML, expands List documents, and turns every document that
// cannot become an object into a located Error instead of failing the whole input: a
// broken document costs only itself.
package load

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// StdinName is the file name that stands for standard input, in paths and in sources.
const StdinName = "-"

// Source locates an object in its input: the file, the document's index among the
// file's non-empty documents (from 0), and the line where the object starts (from 1).
// An object rendered from a Helm chart or a kustomization is located in the file that
// produced it (the template, or the resource file), and Rendered says where it sits in
// the rendered output.
type Source struct {
	File     string    `json:"file"`
	Document int       `json:"document"`
	Line     int       `json:"line"`
	Rendered *Rendered `json:"rendered,omitempty"`
}

// Rendered locates an object in the output of a renderer: which one (Helm or Kustomize),
// the chart or kustomization it rendered (From, a path as the user named it), and the
// object's document index and line in the whole output, as helm template or kustomize
// build prints it.
type Rendered struct {
	By       string `json:"by"`
	From     string `json:"from"`
	Document int    `json:"document"`
	Line     int    `json:"line"`
}

// Document is one Kubernetes object read from the input, with where it came from.
type Document struct {
	Source Source
	Object map[string]any
}

// Error is input that could not be turned into an object, located like a Source.
type Error struct {
	File     string `json:"file"`
	Document int    `json:"document"`
	Line     int    `json:"line"`
	Message  string `json:"message"`
}

// Err locates msg at s: the error for the object read from there.
func (s Source) Err(msg string) Error {
	return Error{File: s.File, Document: s.Document, Line: s.Line, Message: msg}
}

func (e Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: document %d, line %d: %s", e.File, e.Document, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// Result is everything read from the input: the objects, and the located errors.
type Result struct {
	Documents []Document
	Errors    []Error
}

func (r *Result) append(o Result) {
	r.Documents = append(r.Documents, o.Documents...)
	r.Errors = append(r.Errors, o.Errors...)
}

// IsManifest reports whether a file found while walking a directory is read as a manifest.
func IsManifest(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// A Reader reads manifests from paths ("-" is stdin) into objects and located errors.
// Paths is the plain one; a renderer's reader also renders Helm charts and
// kustomizations.
type Reader func(ctx context.Context, paths []string, stdin io.Reader) Result

// Paths reads every path in order: files as given, directories recursively (only
// .yaml, .yml and .json files, in lexical order), and "-" from stdin. Files are parsed
// concurrently; the result keeps the order of the input. Charts and kustomizations are
// read as the plain files they hold: a Reader that renders them walks with roots.
func Paths(ctx context.Context, paths []string, stdin io.Reader) Result {
	units, errs := Walk(paths, false)
	res := ReadUnits(ctx, units, stdin, nil)
	res.Errors = append(errs, res.Errors...)
	return res
}

// UnitKind says how a unit of input is read.
type UnitKind uint8

const (
	// File is a manifest file, or "-" for standard input.
	File UnitKind = iota
	// Chart is a Helm chart directory: it holds a Chart.yaml.
	Chart
	// ChartArchive is a packaged Helm chart (.tgz), named as a path.
	ChartArchive
	// Kustomization is a directory that holds a kustomization file.
	Kustomization
)

func (k UnitKind) String() string {
	switch k {
	case Chart:
		return "chart"
	case ChartArchive:
		return "packaged chart"
	case Kustomization:
		return "kustomization"
	}
	return "file"
}

// Unit is one unit of input: a file read as manifests, or a root a renderer renders as
// a whole.
type Unit struct {
	Path string
	Kind UnitKind
	// Walked says the unit was met while walking a directory, not named as a path.
	Walked bool
}

// KustomizationFiles are the file names that make a directory a kustomization, in the
// order Kustomize looks for them.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// RootOf reports whether dir is rendered as a whole, and as what: a Helm chart (it holds
// Chart.yaml) or a kustomization. A directory with both is a chart, as Helm would read it.
func RootOf(dir string) (UnitKind, bool) {
	if isFile(filepath.Join(dir, "Chart.yaml")) {
		return Chart, true
	}
	if KustomizationFile(dir) != "" {
		return Kustomization, true
	}
	return File, false
}

// KustomizationFile is the kustomization file in dir, in the order Kustomize looks for
// them, or "" when dir holds none.
func KustomizationFile(dir string) string {
	for _, name := range KustomizationFiles {
		if p := filepath.Join(dir, name); isFile(p) {
			return p
		}
	}
	return ""
}

// IsChartArchive reports whether a named file is a packaged Helm chart.
func IsChartArchive(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".tgz") || strings.HasSuffix(n, ".tar.gz")
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// Walk turns paths into units, in order: "-" and named files as given, directories
// recursively (.yaml, .yml and .json files in lexical order). With roots, a directory
// that is a chart or a kustomization (a named one, or one met in the walk) is one unit
// whose files are not read again, and a named .tgz file is a packaged chart.
func Walk(paths []string, roots bool) ([]Unit, []Error) {
	var units []Unit
	var errs []Error
	for _, p := range paths {
		if p == StdinName {
			units = append(units, Unit{Path: p})
			continue
		}
		found, e := expand(p, roots)
		units = append(units, found...)
		errs = append(errs, e...)
	}
	return units, errs
}

// ReadUnits reads units concurrently, keeping their order: files are parsed, and the
// other units go to render (a nil render reads nothing from them).
func ReadUnits(ctx context.Context, units []Unit, stdin io.Reader, render func(context.Context, Unit) Result) Result {
	var res Result
	results := make([]Result, len(units))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(units), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				u := units[i]
				switch {
				case u.Kind == File:
					results[i] = readFile(u.Path, stdin)
				case render != nil:
					results[i] = render(ctx, u)
				}
			}
		}()
	}
	for i, u := range units {
		if ctx.Err() != nil {
			results[i] = Result{Errors: []Error{{File: u.Path, Message: ctx.Err().Error()}}}
			continue
		}
		work <- i
	}
	close(work)
	wg.Wait()
	for _, r := range results {
		res.append(r)
	}
	return res
}

// expand turns a path into the units it names.
func expand(path string, roots bool) ([]Unit, []Error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, []Error{{File: path, Message: describeFSError(err)}}
	}
	if !info.IsDir() {
		if roots && IsChartArchive(path) {
			return []Unit{{Path: path, Kind: ChartArchive}}, nil
		}
		return []Unit{{Path: path}}, nil
	}
	var units []Unit
	var errs []Error
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, Error{File: p, Message: describeFSError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() && roots {
			if kind, ok := RootOf(p); ok {
				units = append(units, Unit{Path: p, Kind: kind, Walked: p != path})
				return fs.SkipDir
			}
		}
		if d.Type().IsRegular() && IsManifest(d.Name()) {
			units = append(units, Unit{Path: p, Walked: true})
		}
		return nil
	})
	if err != nil {
		errs = append(errs, Error{File: path, Message: describeFSError(err)})
	}
	return units, errs
}

func describeFSError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return fmt.Sprintf("cannot read: %v", err)
}

func readFile(name string, stdin io.Reader) Result {
	var data []byte
	var err error
	if name == StdinName {
		if stdin == nil {
			return Result{Errors: []Error{{File: name, Message: "standard input is not available"}}}
		}
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return Result{Errors: []Error{{File: name, Message: describeFSError(err)}}}
	}
	return Bytes(name, data)
}
