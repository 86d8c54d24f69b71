package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// JSON writes the report as ringfence's JSON report, indented, one document.
type JSON struct{}

// Report writes r.
func (JSON) Report(w io.Writer, r *harness.Report) error { return WriteJSON(w, r) }

// Rules writes the rules with all of their metadata.
func (JSON) Rules(w io.Writer, rules []catalog.Rule) error {
	if rules == nil {
		rules = []catalog.Rule{}
	}
	return WriteJSON(w, map[string]any{"rules": rules})
}

// WriteJSON writes v as indented JSON, with <, > and & as they are, as every JSON
// report of ringfence is written.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
