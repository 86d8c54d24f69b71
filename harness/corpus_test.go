package harness_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/ringfence/ringfence/harness/load"
)

// corpusDir holds real manifests from public projects, beside the checkout.
const corpusDir = "../../shared/corpus"

func corpus(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	return corpusDir
}

// TestCorpus runs every rule over real-world manifests: the engine must not fail, no
// rule may raise a runtime error, and every object read must be evaluated.
func TestCorpus(t *testing.T) {
	dir := corpus(t)
	eng := sharedEngine(t)
	ctx := context.Background()
	res := load.Paths(ctx, []string{dir}, nil)
	rep, err := eng.EvaluateFiles(ctx, []string{dir}, nil)
	if err != nil {
		t.Fatalf("evaluating the corpus: %v", err)
	}
	if rep.Summary.Objects != len(res.Documents) {
		t.Errorf("evaluated %d objects, the loader read %d", rep.Summary.Objects, len(res.Documents))
	}
	if len(rep.Errors) != len(res.Errors) {
		t.Errorf("%d errors after evaluation, %d from loading: rules raised runtime errors", len(rep.Errors), len(res.Errors))
	}
	for _, e := range rep.Errors {
		if strings.HasPrefix(e.Message, "evaluating") {
			t.Errorf("rule runtime error: %v", e)
		}
		if e.File == "" {
			t.Errorf("error without a file: %+v", e)
		}
	}
	t.Logf("corpus: %d objects, %d findings, %d input errors", rep.Summary.Objects, rep.Summary.Findings, rep.Summary.Errors)
}

// TestCorpusEveryDocumentAccounted splits every corpus file with the Kubernetes YAML
// reader, independently of ringfence's loader, and checks that each non-empty document is
// either evaluated or reported as a located error.
func TestCorpusEveryDocumentAccounted(t *testing.T) {
	dir := corpus(t)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !load.IsManifest(path) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		want, ok := countDocuments(data)
		if !ok {
			return nil // the reference reader cannot split this file; the loader tests cover odd separators
		}
		res := load.Bytes(path, data)
		seen := map[int]bool{}
		for _, d := range res.Documents {
			seen[d.Source.Document] = true
		}
		for _, e := range res.Errors {
			seen[e.Document] = true
			if e.Line < 1 {
				t.Errorf("%s: error without a line: %+v", path, e)
			}
		}
		if len(seen) != want {
			t.Errorf("%s: %d documents, %d accounted for (evaluated or reported)", path, want, len(seen))
		}
		for i := range want {
			if !seen[i] {
				t.Errorf("%s: document %d neither evaluated nor reported", path, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countDocuments counts documents that hold something other than blanks and comments.
func countDocuments(data []byte) (int, bool) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	n := 0
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		var content []string
		for l := range strings.SplitSeq(string(doc), "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") && t != "---" {
				content = append(content, t)
			}
		}
		// A document that is only a null holds nothing to evaluate, like an empty one.
		if len(content) > 0 && !(len(content) == 1 && (content[0] == "~" || content[0] == "null")) {
			n++
		}
	}
}
