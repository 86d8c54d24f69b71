package load

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// got is what a test compares: the objects by kind/name with their sources, and errors.
type got struct {
	Objects []string
	Errors  []Error
}

func summarize(r Result) got {
	g := got{}
	for _, d := range r.Documents {
		meta, _ := d.Object["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		g.Objects = append(g.Objects, d.Object["kind"].(string)+"/"+name+" "+d.Source.File+
			" doc="+strconv.Itoa(d.Source.Document)+" line="+strconv.Itoa(d.Source.Line))
	}
	g.Errors = r.Errors
	return g
}

func TestBytes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want got
	}{
		{
			name: "multi-document with leading separator, empty and comment-only documents",
			in: "---\n# just a comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n---\n\n" +
				"# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
			want: got{Objects: []string{"Service/a f.yaml doc=0 line=4", "ConfigMap/b f.yaml doc=1 line=12"}},
		},
		{
			name: "CRLF line endings and a byte order mark",
			in:   "\ufeffapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: crlf\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: two}\r\n",
			want: got{Objects: []string{"Pod/crlf f.yaml doc=0 line=1", "Pod/two f.yaml doc=1 line=6"}},
		},
		{
			name: "a broken document costs only itself",
			in: "apiVersion: v1\nkind: Pod\nmetadata: {name: ok1}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n" +
				" labels: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok2}\n",
			want: got{
				Objects: []string{"Pod/ok1 f.yaml doc=0 line=1", "Pod/ok2 f.yaml doc=2 line=11"},
				// The YAML parser places this error at the enclosing mapping, a line early.
				Errors: []Error{{File: "f.yaml", Document: 1, Line: 8, Message: "invalid YAML: did not find expected key"}},
			},
		},
		{
			name: "documents without apiVersion or kind, and documents that are not objects",
			in:   "kind: Pod\nmetadata: {name: x}\n---\napiVersion: v1\nmetadata: {name: y}\n---\n- a\n- b\n---\njust text\n---\n~\n---\napiVersion: 1\nkind: Pod\n",
			want: got{Errors: []Error{
				{File: "f.yaml", Document: 0, Line: 1, Message: "document has no apiVersion"},
				{File: "f.yaml", Document: 1, Line: 4, Message: "document has no kind"},
				{File: "f.yaml", Document: 2, Line: 7, Message: "document is a list, not a Kubernetes object"},
				{File: "f.yaml", Document: 3, Line: 10, Message: "document is a string, not a Kubernetes object"},
				{File: "f.yaml", Document: 4, Line: 14, Message: "apiVersion must be a non-empty string"},
			}},
		},
		{
			name: "kind: List expands to its items, each located at its own line",
			in: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n" +
				"  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n  - 42\n",
			want: got{
				Objects: []string{"Service/s f.yaml doc=0 line=4", "Deployment/d f.yaml doc=0 line=7"},
				Errors:  []Error{{File: "f.yaml", Document: 0, Line: 10, Message: "List item 2 is a number, not a Kubernetes object"}},
			},
		},
		{
			name: "typed lists give their items apiVersion and kind",
			in:   `{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p1"}}, {"metadata": {"name": "p2"}}]}`,
			want: got{Objects: []string{"Pod/p1 f.yaml doc=0 line=1", "Pod/p2 f.yaml doc=0 line=1"}},
		},
		{
			name: "a kind that ends in List but has no items is an ordinary object",
			in:   "apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: al}\nspec: {}\n",
			want: got{Objects: []string{"AllowList/al f.yaml doc=0 line=1"}},
		},
		{
			name: "document end markers, directives and content on the separator line",
			in:   "%YAML 1.1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n...\n--- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n",
			want: got{Objects: []string{"Pod/a f.yaml doc=0 line=3", "Pod/b f.yaml doc=1 line=7"}},
		},
		{
			name: "an unquoted template expression is reported at its line",
			in:   "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: {{ .Values.labels }}\n",
			want: got{Errors: []Error{{File: "f.yaml", Document: 0, Line: 5, Message: "invalid YAML: a mapping is used as a key (an unrendered template expression such as {{ ... }}?)"}}},
		},
		{
			name: "a Helm template is reported, not evaluated",
			in:   "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n  {{- if .Values.x }}\n",
			want: got{Errors: []Error{{File: "f.yaml", Document: 0, Line: 5, Message: "invalid YAML: could not find expected ':'"}}},
		},
		{
			name: "a separator inside a block scalar still ends the document, as YAML says",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: |\n    line\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
			want: got{Objects: []string{"ConfigMap/c f.yaml doc=0 line=1", "Pod/p f.yaml doc=1 line=8"}},
		},
		{
			name: "empty file",
			in:   "",
			want: got{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize(Bytes("f.yaml", []byte(tt.in)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pod := func(name string) string { return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\n" }
	write("b.yaml", pod("b"))
	write("a/x.yml", pod("x"))
	write("a/y.json", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "y"}}`)
	write("a/notes.txt", pod("ignored"))
	write("with space.YAML", pod("spaced"))
	write("explicit.txt", pod("explicit"))

	res := Paths(context.Background(), []string{dir, filepath.Join(dir, "explicit.txt"), "-", filepath.Join(dir, "missing.yaml")},
		strings.NewReader(pod("stdin")))
	var names []string
	for _, d := range res.Documents {
		names = append(names, d.Object["metadata"].(map[string]any)["name"].(string)+"@"+filepath.Base(d.Source.File))
	}
	want := []string{"x@x.yml", "y@y.json", "b@b.yaml", "spaced@with space.YAML", "explicit@explicit.txt", "stdin@-"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "no such file") || res.Errors[0].File != filepath.Join(dir, "missing.yaml") {
		t.Errorf("errors = %+v, want one naming the missing file", res.Errors)
	}
}

func TestPathsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("apiVersion: v1\nkind: Pod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Paths(ctx, []string{dir}, nil)
	if len(res.Documents) != 0 || len(res.Errors) != 1 {
		t.Errorf("canceled load = %+v, want one error and no documents", res)
	}
}
