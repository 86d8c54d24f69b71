package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ringfence/ringfence/harness/load"
)

// corpusDir is the development corpus beside the checkout (see its README).
const corpusDir = "../../../shared/corpus"

// plantFile, plantAt and plant make one container of the corpus privileged: the
// Deployment example-app of kube-prometheus, whose only container sets no
// securityContext at all, so it already has every finding a container without one gets
// (privilege escalation, root, seccomp, capabilities, read-only root file system);
// privileged: true adds RF-POD-001 and nothing else.
const (
	plantFile = "kube-prometheus/examples/example-app/example-app.yaml"
	plantAt   = "        image: quay.io/fabxc/prometheus_demo_service\n"
	plant     = plantAt + "        securityContext:\n          privileged: true\n"
)

// TestBaselineCorpus writes a baseline of the corpus, reformats every file (documents
// reindented and in reverse order, in another directory), and checks that nothing is
// new; then makes one container privileged and checks that exactly that is new.
func TestBaselineCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	work := t.TempDir()
	before, after := filepath.Join(work, "before"), filepath.Join(work, "after", "renamed")
	skipped := copyReadable(t, corpusDir, before)
	t.Logf("left out %d corpus files with documents ringfence cannot read (they make every run exit 2)", len(skipped))
	if _, err := os.Stat(filepath.Join(before, plantFile)); err != nil {
		t.Fatalf("the corpus no longer has %s: %v", plantFile, err)
	}

	base := filepath.Join(work, "ringfence-baseline.json")
	first := ringfence(t, "", "test", "--output", "json", "--fail-on", "low", "--write-baseline", base, before)
	all := decodeReport(t, first.stdout)
	if first.code != 1 || all.Summary.Errors != 0 || all.Summary.Findings == 0 {
		t.Fatalf("writing the baseline: exit code %d (want 1), summary %+v\n%s", first.code, all.Summary, first.stderr)
	}
	entries := len(readBaseline(t, base).Entries)
	t.Logf("%d findings on %d objects, %d fingerprints", all.Summary.Findings, all.Summary.Objects, entries)

	reformatted := reformatTree(t, before, after, nil)
	t.Logf("reformatted %d files", reformatted)
	got := ringfence(t, "", "test", "--output", "json", "--fail-on", "low", "--baseline", base, after)
	r := decodeReport(t, got.stdout)
	if got.code != 0 || r.Summary.Findings != 0 || r.Summary.Baselined != all.Summary.Findings || r.Summary.Objects != all.Summary.Objects ||
		r.Baseline == nil || len(r.Baseline.Stale) != 0 {
		t.Fatalf("reformatted corpus against the baseline: exit code %d (want 0), summary %+v (want no finding, %d baselined), baseline %+v\nfindings: %+v",
			got.code, r.Summary, all.Summary.Findings, r.Baseline, r.Findings)
	}

	reformatTree(t, before, after, func(rel string, data []byte) []byte {
		if filepath.ToSlash(rel) != plantFile {
			return data
		}
		if bytes.Count(data, []byte(plantAt)) != 1 {
			t.Fatalf("%s: want one line %q to plant privileged: true after", plantFile, plantAt)
		}
		return bytes.Replace(data, []byte(plantAt), []byte(plant), 1)
	})
	got = ringfence(t, "", "test", "--output", "json", "--fail-on", "low", "--baseline", base, after)
	r = decodeReport(t, got.stdout)
	if got.code != 1 || r.Summary.Findings != 1 || len(r.Findings) != 1 || r.Summary.Baselined != all.Summary.Findings || len(r.Baseline.Stale) != 0 {
		t.Fatalf("with one privileged container: exit code %d (want 1), summary %+v (want 1 finding, %d baselined), stale %+v\nfindings: %+v",
			got.code, r.Summary, all.Summary.Findings, r.Baseline.Stale, r.Findings)
	}
	f := r.Findings[0]
	if f.Rule != "RF-POD-001" || f.Object.Kind != "Deployment" || f.Object.Name != "example-app" ||
		f.Field != "spec.template.spec.containers[0].securityContext.privileged" ||
		f.Source.File != filepath.Join(after, plantFile) {
		t.Errorf("the new finding is %+v, want RF-POD-001 on the planted container", f)
	}
}

// copyReadable copies the manifests of src to dst, leaving out the files with a document
// ringfence cannot read; it returns those.
func copyReadable(t *testing.T, src, dst string) []string {
	t.Helper()
	var skipped []string
	eachFile(t, src, func(path, rel string, data []byte) error {
		if !load.IsManifest(path) {
			return nil
		}
		if len(load.Bytes(path, data).Errors) > 0 {
			skipped = append(skipped, rel)
			return nil
		}
		return writeFile(filepath.Join(dst, rel), data)
	})
	return skipped
}

// reformatTree writes every file of src to dst reformatted, after edit (when not nil):
// YAML documents reindented by 4 and in reverse order, JSON indented with tabs. A file
// that does not parse is copied as it is. It returns how many files changed.
func reformatTree(t *testing.T, src, dst string, edit func(rel string, data []byte) []byte) int {
	t.Helper()
	changed := 0
	eachFile(t, src, func(path, rel string, data []byte) error {
		if edit != nil {
			data = edit(rel, data)
		}
		out := reformat(path, data)
		if !bytes.Equal(out, data) {
			changed++
		}
		return writeFile(filepath.Join(dst, rel), out)
	})
	return changed
}

// eachFile calls fn with every regular file under src: its path, its path relative to
// src, and its contents. An error from the walk or from fn fails the test.
func eachFile(t *testing.T, src string, fn func(path, rel string, data []byte) error) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return fn(path, rel, data)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reformat returns data reformatted, or data itself when it does not parse.
func reformat(name string, data []byte) []byte {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		var buf bytes.Buffer
		if json.Indent(&buf, data, "", "\t") != nil {
			return data
		}
		return buf.Bytes()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return data
		}
		docs = append(docs, &doc)
	}
	slices.Reverse(docs)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(4)
	for _, doc := range docs {
		if enc.Encode(doc) != nil {
			return data
		}
	}
	if enc.Close() != nil {
		return data
	}
	return buf.Bytes()
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}
