package netgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// unstableKeys are pod labels controllers set per revision, per pod or per run: a
// selector on them stops matching at the next rollout, or matches one pod.
var unstableKeys = map[string]bool{
	"pod-template-hash": true, "controller-revision-hash": true, "pod-template-generation": true,
	"statefulset.kubernetes.io/pod-name": true, "apps.kubernetes.io/pod-index": true,
	"job-name": true, "controller-uid": true, "batch.kubernetes.io/job-name": true,
	"batch.kubernetes.io/controller-uid": true, "batch.kubernetes.io/job-completion-index": true,
}

// preferredKeys are tried first, in this order: the labels selectors conventionally use.
var preferredKeys = []string{
	"app.kubernetes.io/name", "app", "app.kubernetes.io/component", "component",
	"app.kubernetes.io/instance", "name", "k8s-app", "tier", "role",
}

// maxSelectorKeys bounds the search for the smallest selector: subsets of up to this
// many keys are tried before every stable label is used.
const maxSelectorKeys = 3

// selectors picks for every workload the smallest set of its stable pod labels that
// selects exactly its pods among the workloads of its namespace. Workloads that no such
// set tells apart share the selector of all their stable labels, and a note says so:
// their policies allow each of them what any of them needs.
func selectors(workloads []*netmodel.Workload, res *Result) map[*netmodel.Workload]map[string]string {
	// Per namespace, the workloads that carry each label key=value: a selector picks
	// the workloads in the intersection of its pairs' lists.
	type pairKey struct{ ns, key, value string }
	carrying := map[pairKey][]*netmodel.Workload{}
	for _, w := range workloads {
		for k, v := range w.Labels {
			carrying[pairKey{w.Namespace, k, v}] = append(carrying[pairKey{w.Namespace, k, v}], w)
		}
	}
	// selected returns the workloads of w's namespace a selector of w's labels picks.
	selected := func(w *netmodel.Workload, keys []string) []*netmodel.Workload {
		var smallest []*netmodel.Workload
		for i, k := range keys {
			if l := carrying[pairKey{w.Namespace, k, w.Labels[k]}]; i == 0 || len(l) < len(smallest) {
				smallest = l
			}
		}
		var out []*netmodel.Workload
		for _, o := range smallest {
			if matches(pick(w.Labels, keys), o.Labels) {
				out = append(out, o)
			}
		}
		return out
	}
	out := map[*netmodel.Workload]map[string]string{}
	noted := map[string]bool{}
	for _, w := range workloads {
		keys := stableKeys(w.Labels)
		if len(keys) == 0 {
			continue // no selector can pick it alone: build reports its connections
		}
		var found []string
		for size := 1; size <= min(maxSelectorKeys, len(keys)) && found == nil; size++ {
			subsets(keys, size, func(sub []string) bool {
				if len(selected(w, sub)) == 1 {
					found = slices.Clone(sub)
					return false
				}
				return true
			})
		}
		if found == nil {
			found = keys
			var same []string
			for _, o := range selected(w, keys) {
				if o != w {
					same = append(same, o.ID())
				}
			}
			if note := fmt.Sprintf("%s: no pod labels tell it apart from %s; their policies select them all", w.ID(), strings.Join(same, ", ")); len(same) > 0 && !noted[note] {
				noted[note] = true
				res.Notes = append(res.Notes, note)
			}
		}
		out[w] = pick(w.Labels, found)
	}
	return out
}

// pick is the labels of keys.
func pick(l map[string]string, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[k] = l[k]
	}
	return out
}

// stableKeys are a workload's label keys fit for a selector, preferred ones first.
func stableKeys(l map[string]string) []string {
	var keys []string
	for k := range l {
		if !unstableKeys[k] {
			keys = append(keys, k)
		}
	}
	rank := func(k string) int {
		if i := slices.Index(preferredKeys, k); i >= 0 {
			return i
		}
		return len(preferredKeys)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}

// subsets calls f with every subset of keys of the given size, in order, until f
// returns false.
func subsets(keys []string, size int, f func([]string) bool) {
	sub := make([]string, 0, size)
	var walk func(start int) bool
	walk = func(start int) bool {
		if len(sub) == size {
			return f(sub)
		}
		for i := start; i <= len(keys)-(size-len(sub)); i++ {
			sub = append(sub, keys[i])
			if !walk(i + 1) {
				return false
			}
			sub = sub[:len(sub)-1]
		}
		return true
	}
	walk(0)
}

func matches(sel, l map[string]string) bool {
	for k, v := range sel {
		if got, ok := l[k]; !ok || got != v {
			return false
		}
	}
	return true
}
