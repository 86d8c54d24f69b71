package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// review is what the tests read of ringfence report --output json.
type review struct {
	Summary struct {
		Workloads   int `json:"workloads"`
		Connections int `json:"connections"`
		Findings    int `json:"findings"`
	} `json:"summary"`
	Connections []struct {
		Source      string `json:"source"`
		Destination string `json:"destination"`
	} `json:"connections"`
	Errors []string `json:"errors"`
	Views  []struct {
		Name string `json:"name"`
	} `json:"views"`
}

// TestReportCommand writes the example shop's review as HTML and as JSON: the JSON holds
// the connections netmap -o json lists, the page is one file that fetches nothing, and a
// document that cannot be read is named (file, document, line) while the rest is still
// reviewed, with exit code 2.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "review.html")
	if r := ringfence(t, "", "report", "../../examples", "-o", page); r.code != 0 || !strings.Contains(r.stderr, "wrote "+page) {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<div class="view" id="view-0"`, `id="review-data"`, "Content-Security-Policy"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the page has no %s", want)
		}
	}
	if strings.Contains(string(html), `src="`) || strings.Contains(string(html), `<link`) {
		t.Error("the page loads something")
	}

	r := ringfence(t, "", "report", "../../examples", "--output", "json")
	if r.code != 0 {
		t.Fatalf("report --output json: exit %d\n%s", r.code, r.stderr)
	}
	var got review
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	m := ringfence(t, "", "netmap", "../../examples", "-o", "json")
	var want review
	if err := json.Unmarshal([]byte(m.stdout), &want); err != nil {
		t.Fatalf("netmap: %v\n%s", err, m.stdout)
	}
	if len(got.Connections) != len(want.Connections) || got.Summary.Connections != len(want.Connections) {
		t.Errorf("the review has %d connections, netmap %d", len(got.Connections), len(want.Connections))
	}
	for i, c := range got.Connections {
		if w := want.Connections[i]; c.Source != w.Source || c.Destination != w.Destination {
			t.Errorf("connection %d: %s -> %s, netmap %s -> %s", i, c.Source, c.Destination, w.Source, w.Destination)
		}
	}
	if len(got.Views) < 3 || got.Views[0].Name != "workloads" || got.Views[1].Name != "namespaces" {
		t.Errorf("views: %+v", got.Views)
	}

	// A broken document beside the shop.
	bad := filepath.Join(dir, "in")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../examples/shop/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("the example shop: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "frontend.yaml" {
			data = append(data, "\n---\nkind: [unclosed\n"...)
		}
		if err := os.WriteFile(filepath.Join(bad, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r = ringfence(t, "", "report", bad, "--output", "json", "-o", filepath.Join(dir, "bad.json"))
	if r.code != 2 || !strings.Contains(r.stderr, "frontend.yaml: document ") || !strings.Contains(r.stderr, "line ") {
		t.Errorf("a broken document: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "bad.json"))
	if err != nil {
		t.Fatal(err)
	}
	var partial review
	if err := json.Unmarshal(data, &partial); err != nil {
		t.Fatal(err)
	}
	if len(partial.Errors) != 1 || partial.Summary.Workloads == 0 || partial.Summary.Findings == 0 {
		t.Errorf("with a broken document: %d errors, %d workloads, %d findings", len(partial.Errors), partial.Summary.Workloads, partial.Summary.Findings)
	}

	if r := ringfence(t, "", "report", "../../examples", "--output", "pdf"); r.code != 2 || !strings.Contains(r.stderr, "want html or json") {
		t.Errorf("--output pdf: exit %d\n%s", r.code, r.stderr)
	}
}
