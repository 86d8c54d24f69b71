package harness

import (
	"cmp"
	"slices"

	"github.com/ringfence/ringfence/harness/catalog"
)

// Kinds lists the apiVersion/kind pairs an evaluation with this engine reads: the kinds
// the selected rules inspect and the kinds their cross-object lookups read. When a
// selected rule reads a harness model (the connectivity model or the effective
// permissions), the model may read anything the rules as a whole inspect, so every
// rule's kinds are included (of the rules that run in the engine's runtime, see
// ForRuntime). A live audit lists exactly these.
func (e *Engine) Kinds() []catalog.Kind {
	rules := e.Rules()
	if e.segmentation != nil || e.permissions {
		rules = nil
		for _, r := range e.rules {
			if e.runtime == "" || r.RunsIn(e.runtime) {
				rules = append(rules, r)
			}
		}
	}
	var out []catalog.Kind
	for _, r := range rules {
		out = append(out, r.Kinds...)
		out = append(out, r.Sync...)
	}
	slices.SortFunc(out, func(a, b catalog.Kind) int {
		return cmp.Or(cmp.Compare(a.APIVersion, b.APIVersion), cmp.Compare(a.Kind, b.Kind))
	})
	return slices.Compact(out)
}
