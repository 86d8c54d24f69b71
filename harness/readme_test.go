package harness_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeListsEveryRule keeps the README's rule table in step with the rules'
// METADATA. On failure it prints the table to paste.
func TestReadmeListsEveryRule(t *testing.T) {
	eng := sharedEngine(t)
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const header = "| id | severity | title | inventory |"
	var got []string
	in := false
	for line := range strings.SplitSeq(string(raw), "\n") {
		switch {
		case line == header:
			in = true
		case in && strings.HasPrefix(line, "| RF-"):
			got = append(got, line)
		case in && !strings.HasPrefix(line, "|"):
			in = false
		}
	}
	var want []string
	for _, r := range eng.Rules() {
		inv := "no"
		switch {
		case r.Inventory:
			inv = "yes"
		case r.Model != "":
			inv = r.Model + " model; " + strings.Join(r.Runtimes, ", ") + " only"
		case len(r.Runtimes) > 0:
			inv = "no; " + strings.Join(r.Runtimes, ", ") + " only"
		}
		want = append(want, fmt.Sprintf("| %s | %s | %s | %s |", r.ID, r.Severity, r.Title, inv))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md rule table is out of date (-want +got):\n%s\nThe table should read:\n%s\n%s\n%s",
			diff, header, "| --- | --- | --- | --- |", strings.Join(want, "\n"))
	}
}
