package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/load"
)

// kustomize builds a kustomization as kustomize build does with its default flags
// (load restrictions on, no plugins, no Helm inflation), after refusing remote resources:
// ringfence renders without the network. To locate objects it asks Kustomize to record
// their origins (buildMetadata: [originAnnotations]), and takes the records out again
// when the kustomization did not ask for them, so that the objects are those kustomize
// build prints.
func kustomize(ctx context.Context, u load.Unit) load.Result {
	kfile := kustomizationFile(u.Path)
	fail := func(file string, format string, args ...any) load.Result {
		msg := fmt.Sprintf("kustomization %s: ", u.Path) + fmt.Sprintf(format, args...)
		// Kustomize names files by absolute path: name them as from here.
		if wd, err := os.Getwd(); err == nil {
			msg = strings.ReplaceAll(msg, wd+string(filepath.Separator), "")
		}
		return load.Result{Errors: []load.Error{{File: file, Message: msg}}}
	}
	if err := ctx.Err(); err != nil {
		return fail(kfile, "%v", err)
	}
	if errs := remoteResources(u.Path); len(errs) > 0 {
		for i := range errs {
			errs[i].Message = fmt.Sprintf("kustomization %s: %s", u.Path, errs[i].Message)
		}
		return load.Result{Errors: errs}
	}
	abs, err := filepath.Abs(kfile)
	if err != nil {
		return fail(kfile, "%v", err)
	}
	fsys := &tracingFS{FileSystem: filesys.MakeFsOnDisk(), kustomization: abs}
	opts := krusty.MakeDefaultOptions()
	// As kustomize build without --reorder: the kustomization's sortOptions, else the
	// legacy order (namespaces first, webhooks last).
	opts.Reorder = krusty.ReorderOptionUnspecified
	m, err := krusty.MakeKustomizer(opts).Run(fsys, u.Path)
	if err != nil {
		return fail(kfile, "%v", err)
	}
	res := m.Resources()
	ms := make([]marker, len(res))
	files := map[string]load.Result{}
	for i, r := range res {
		ms[i] = origin(u.Path, r, files)
	}
	if !fsys.hadOrigins {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return fail(kfile, "%v", err)
		}
	}
	out, err := m.AsYaml()
	if err != nil {
		return fail(kfile, "%v", err)
	}
	return fromStream(u.Path, "kustomize", string(out), func(text string) []marker {
		// kustomize build separates its objects with "---" lines, in the order of res.
		n, k := 0, 0
		for l := range strings.SplitSeq(text, "\n") {
			n++
			if l == "---" && k+1 < len(ms) {
				k++
				ms[k].line = n
			}
		}
		return ms
	})
}

// kustomizationFile is the kustomization file in dir, as Kustomize looks for it, or
// the first name it looks for, to name in an error, when dir has none.
func kustomizationFile(dir string) string {
	if f := load.KustomizationFile(dir); f != "" {
		return f
	}
	return filepath.Join(dir, load.KustomizationFiles[0])
}

// origin locates a built object in the file Kustomize recorded as its origin (relative
// to dir): the resource file, found there by kind and name, or the kustomization whose
// generator made it. files caches the parsed resource files.
func origin(dir string, r *resource.Resource, files map[string]load.Result) marker {
	m := marker{file: kustomizationFile(dir), exact: true}
	o, err := r.GetOrigin()
	if err != nil || o == nil {
		return m
	}
	if o.ConfiguredIn != "" {
		m.file = located(dir, o.ConfiguredIn)
		return m
	}
	if o.Path == "" {
		return m
	}
	m.file = located(dir, o.Path)
	parsed, ok := files[m.file]
	if !ok {
		data, err := os.ReadFile(m.file)
		if err == nil {
			parsed = load.Bytes(m.file, data)
		}
		files[m.file] = parsed
	}
	// The object's name may have gained a prefix or suffix: the file's object of the
	// same kind whose name the built name contains, the longest such name.
	best := -1
	for i, d := range parsed.Documents {
		if d.Object["kind"] != r.GetKind() {
			continue
		}
		name := objectName(d.Object)
		if strings.Contains(r.GetName(), name) && (best < 0 || len(name) > len(objectName(parsed.Documents[best].Object))) {
			best = i
		}
	}
	if best >= 0 {
		m.document, m.fileLine = parsed.Documents[best].Source.Document, parsed.Documents[best].Source.Line
	}
	return m
}

func objectName(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	return name
}

// tracingFS is the disk, except that the top kustomization asks Kustomize to record
// each object's origin.
type tracingFS struct {
	filesys.FileSystem
	kustomization string
	hadOrigins    bool
}

func (f *tracingFS) ReadFile(path string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(path)
	if err != nil || filepath.Clean(path) != f.kustomization {
		return data, err
	}
	var k map[string]any
	if yaml.Unmarshal(data, &k) != nil || k == nil {
		return data, nil // Kustomize reports what is wrong with it
	}
	var meta []any
	switch v := k["buildMetadata"].(type) {
	case nil:
	case []any:
		meta = v
	default:
		return data, nil
	}
	f.hadOrigins = slices.Contains(meta, any(types.OriginAnnotations))
	if f.hadOrigins {
		return data, nil
	}
	meta = append(meta, types.OriginAnnotations)
	k["buildMetadata"] = meta
	out, err := yaml.Marshal(k)
	if err != nil {
		return data, nil
	}
	return out, nil
}

// kustomizationOf reads the kustomization in dir, with deprecated fields moved to
// their current places, or nil when there is none or it cannot be read.
func kustomizationOf(dir string) *types.Kustomization {
	data, err := os.ReadFile(kustomizationFile(dir))
	if err != nil {
		return nil
	}
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		return nil
	}
	k.FixKustomization()
	return &k
}

// isComponent reports whether the kustomization in dir is a Kustomize component
// (kind: Component).
func isComponent(dir string) bool {
	k := kustomizationOf(dir)
	return k != nil && k.Kind == types.ComponentKind
}

// walkKustomizations calls each with the kustomization in dir and then, once each, with
// every kustomization it uses through local resources and components, up to 32 deep.
func walkKustomizations(dir string, each func(dir string, k *types.Kustomization)) {
	seen := map[string]bool{}
	var visit func(dir string, depth int)
	visit = func(dir string, depth int) {
		abs, err := filepath.Abs(dir)
		if err != nil || seen[abs] || depth > 32 {
			return
		}
		seen[abs] = true
		k := kustomizationOf(dir)
		if k == nil {
			return
		}
		each(dir, k)
		for _, e := range slices.Concat(k.Resources, k.Components) {
			p := filepath.Join(dir, e)
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				visit(p, depth+1)
			}
		}
	}
	visit(dir, 0)
}

// addReferences adds to used the absolute paths of the local files and directories the
// kustomization in dir uses: resources, components and patch files, and, through them,
// what the kustomizations among them use.
func addReferences(dir string, used map[string]bool) {
	walkKustomizations(dir, func(dir string, k *types.Kustomization) {
		entries := slices.Concat(k.Resources, k.Components)
		for _, p := range k.Patches {
			if p.Path != "" {
				entries = append(entries, p.Path)
			}
		}
		for _, e := range entries {
			p, err := filepath.Abs(filepath.Join(dir, e))
			if err != nil {
				continue
			}
			if _, err := os.Stat(p); err == nil {
				used[p] = true
			}
		}
	})
}

// remoteResources are errors for the resources and components of the kustomization in
// dir, and of the kustomizations it uses, that are not on disk and name a remote
// location (a URL, a git repository): fetching them would need the network.
func remoteResources(dir string) []load.Error {
	var errs []load.Error
	walkKustomizations(dir, func(dir string, k *types.Kustomization) {
		for _, e := range slices.Concat(k.Resources, k.Components) {
			if _, err := os.Stat(filepath.Join(dir, e)); errors.Is(err, os.ErrNotExist) && isRemote(e) {
				errs = append(errs, load.Error{File: kustomizationFile(dir), Message: fmt.Sprintf(
					"%q is a remote resource: ringfence renders without network access; vendor it into the repository and name its local path", e)})
			}
		}
	})
	return errs
}

// isRemote reports whether a kustomization entry names a remote location as Kustomize
// reads them: a URL, an scp-like git address, or a host name followed by a path
// (github.com/org/repo/path?ref=v1).
func isRemote(entry string) bool {
	if strings.Contains(entry, "://") || strings.HasPrefix(entry, "git@") || strings.HasPrefix(entry, "git::") ||
		strings.Contains(entry, "?ref=") || strings.Contains(entry, "?version=") {
		return true
	}
	host, rest, ok := strings.Cut(entry, "/")
	return ok && rest != "" && strings.Contains(host, ".") && host != "." && host != ".."
}
