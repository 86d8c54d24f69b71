package load

import (
	"strings"
	"testing"
)

// FuzzBytes feeds arbitrary input to the loader: it must not panic, and every document it
// counts must come back as an object or as an error located inside the input.
func FuzzBytes(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nkind: [\n",
		"---\n...\n--- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod}, 3]}\n",
		"\ufeffapiVersion: v1\r\nkind: PodList\r\nitems:\r\n- metadata: {name: x}\r\n",
		"%YAML 1.1\n---\n- a\n---\nname: {{ .Values.x }}\n",
		`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "List", "items": []}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		res := Bytes("f.yaml", []byte(in))
		lines := strings.Count(in, "\n") + 1
		seen := map[int]bool{}
		for _, d := range res.Documents {
			seen[d.Source.Document] = true
			if d.Source.Line < 1 || d.Source.Line > lines {
				t.Errorf("document line %d outside the input's %d lines", d.Source.Line, lines)
			}
			if _, ok := d.Object["kind"].(string); !ok {
				t.Errorf("object without kind: %v", d.Object)
			}
		}
		for _, e := range res.Errors {
			seen[e.Document] = true
			if e.Line < 1 || e.Line > lines {
				t.Errorf("error line %d outside the input's %d lines: %v", e.Line, lines, e)
			}
		}
		for i := range len(seen) {
			if !seen[i] {
				t.Errorf("document %d is missing among %d", i, len(seen))
			}
		}
	})
}
