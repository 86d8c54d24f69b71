// Package report writes evaluation reports and rule listings. Every format is one type
// behind the Format interface; JSON is the reference shape the others are derived from.
package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
)

// Format writes reports and rule listings in one output format.
type Format interface {
	Report(w io.Writer, r *harness.Report) error
	Rules(w io.Writer, rules []catalog.Rule) error
}

var formats = map[string]func() Format{
	"text":   func() Format { return Text{} },
	"json":   func() Format { return JSON{} },
	"junit":  func() Format { return JUnit{} },
	"github": func() Format { return GitHub{} },
	"table":  func() Format { return Table{} },
	"sarif":  func() Format { return SARIF{} },
}

// Names lists the output formats.
func Names() []string { return slices.Sorted(maps.Keys(formats)) }

// For returns the format called name.
func For(name string) (Format, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", name, strings.Join(Names(), ", "))
	}
	return f(), nil
}
