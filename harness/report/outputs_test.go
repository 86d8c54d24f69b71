package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOutputs(t *testing.T) {
	tests := []struct {
		name    string
		specs   []string
		want    []Output[Format]
		wantErr string
	}{
		{"the default", []string{"text"}, []Output[Format]{{Format: "text"}}, ""},
		{"a format and files", []string{"json", "junit=out/r.xml", "table=t.txt"},
			[]Output[Format]{{Format: "json"}, {Format: "junit", File: "out/r.xml"}, {Format: "table", File: "t.txt"}}, ""},
		{"only files", []string{"github=a=b.txt"}, []Output[Format]{{Format: "github", File: "a=b.txt"}}, ""},
		{"an unknown format", []string{"xml"}, nil, `unknown output format "xml"`},
		{"an unknown format for a file", []string{"text", "xml=r.xml"}, nil, `unknown output format "xml"`},
		{"two for standard output", []string{"text", "json"}, nil, "text already goes to standard output"},
		{"no file", []string{"json="}, nil, "a file name after ="},
		{"a file twice", []string{"json=r", "junit=./r"}, nil, `r is already written by --output "json=r"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOutputs(tt.specs, For)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b Output[Format]) bool { return a.Format == b.Format && a.File == b.File })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutputsWrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.txt")
	if err := os.WriteFile(file, []byte("an old, longer report that must go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outs, err := ParseOutputs([]string{"text=" + file, "table"}, For)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	o, err := Open(outs, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Write(Of(sample())); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Errorf("Close after Write: %v", err)
	}
	var text, table bytes.Buffer
	_ = Text{}.Report(&text, sample())
	_ = Table{}.Report(&table, sample())
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(text.String(), string(got)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(table.String(), stdout.String()); diff != "" {
		t.Errorf("standard output (-want +got):\n%s", diff)
	}

	bad, err := ParseOutputs([]string{"json=" + filepath.Join(dir, "missing", "r.json")}, For)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad, &stdout); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing", "r.json")) {
		t.Errorf("Open of a file in a missing directory: %v, want an error naming it", err)
	}
}
