package load

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sameAsReference checks that decodeYAML gives what the reference path (YAMLToJSON and a
// JSON decode with UseNumber) gives: the same values, or the same error.
func sameAsReference(t *testing.T, name, text string) {
	t.Helper()
	got, gotErr := decodeYAML([]byte(text))
	var dup errDuplicateKey
	if errors.As(gotErr, &dup) {
		return // the reference keeps a value at random (TestDecodeYAMLDuplicateKeys)
	}
	want, wantErr := decodeYAMLViaJSON([]byte(text))
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Errorf("%s: error %v, reference %v", name, gotErr, wantErr)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: values differ from the reference (-reference +fast):\n%s", name, diff)
	}
}

// TestDecodeYAMLTricky covers what YAML 1.1 and the JSON round trip do to scalars and keys.
func TestDecodeYAMLTricky(t *testing.T) {
	for _, text := range []string{
		"a: 1\nb: -0\nc: 0777\nd: 0x1F\ne: 1_000\nf: 9223372036854775807\ng: 9223372036854775808\nh: 18446744073709551616\n",
		"a: 1.0\nb: 1e3\nc: 1.5e-7\nd: 1e21\ne: 123456789012345678901234567890.5\nf: -0.0\ng: .5\n",
		"a: .inf\n", "a: -.Inf\n", "a: .nan\n",
		"a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: ~\ng: null\nh: Null\ni: ''\n",
		"1: a\n2.5: b\ntrue: c\nnull: d\n",
		"? [a, b]\n: c\n",
		"? {a: 1}\n: c\n",
		"a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
		"a: !!binary aGVsbG8=\n", "a: !!str 1\nb: !!int '3'\nc: !!float 2\n",
		"a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\n",
		"a: \"\\xff\"\n", "\"\\xfe\": 1\n", "a: \"<&>\"\n", "a: \"\\u2028\"\n",
		"- 1\n- [2, {x: y}]\n", "plain string\n", "null\n", "", "# only a comment\n",
		"a: [\n", "a: b: c\n", "{{ .Values.x }}: 1\n", "a:\n\t- tab\n",
	} {
		sameAsReference(t, strings.ReplaceAll(text, "\n", `\n`), text)
	}
}

// TestDecodeYAMLDuplicateKeys: keys that differ in YAML but become the same JSON key are
// an error that names the key, at any depth, where the reference would keep one of the
// values at random.
func TestDecodeYAMLDuplicateKeys(t *testing.T) {
	for _, text := range []string{"1: a\n'1': b\n", "a:\n  true: x\n  'true': y\n", "- {1: a, '1': b}\n"} {
		for range 20 {
			_, err := decodeYAML([]byte(text))
			var dup errDuplicateKey
			if !errors.As(err, &dup) {
				t.Fatalf("%q: error %v, want a duplicate key error", text, err)
			}
		}
	}
	if _, err := decodeYAML([]byte("1: a\n2: b\n'3': c\n")); err != nil {
		t.Errorf("distinct keys: %v", err)
	}
}

// TestDecodeYAMLCorpus runs every document of the repository's examples and fixtures and
// of the shared corpus of real manifests through both paths.
func TestDecodeYAMLCorpus(t *testing.T) {
	docs := 0
	for _, root := range []string{"../../examples", "../../fixtures", "../../../shared/corpus", "../../../shared/charts", "../../../shared/kustomize"} {
		if _, err := os.Stat(root); err != nil {
			t.Logf("%s: %v", root, err)
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !IsManifest(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, c := range split(strings.ReplaceAll(string(data), "\r\n", "\n")) {
				sameAsReference(t, path+"#"+string(rune('0'+i%10)), c.text)
				docs++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if docs < 100 {
		t.Errorf("only %d documents compared", docs)
	}
	t.Logf("%d documents compared", docs)
}

// FuzzDecodeYAML compares both paths on arbitrary input.
func FuzzDecodeYAML(f *testing.F) {
	for _, seed := range []string{"a: 1\n", "a: [1.5, yes, ~]\n", "1: {2: 3}\n", "a: .nan\n", "a: \"\\xff\"\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sameAsReference(t, "fuzz", in)
	})
}
