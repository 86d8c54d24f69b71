package harness

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
)

// Profile is what an evaluation cost: the time of each phase of the run and, for every
// rule, the time its deny took on the objects it was dispatched to.
type Profile struct {
	// Phases are the steps of the run in order, with their wall-clock time.
	Phases []Phase
	// Rules are the rules' costs, costliest first.
	Rules []RuleCost
	// Workers is how many objects were evaluated at once.
	Workers int
}

// Phase is one step of a run.
type Phase struct {
	Name string
	Time time.Duration
}

// RuleCost is what one rule cost. Each rule is timed on its own, with the shared library
// facts it reads (pod specs, containers, the inventory's indexes) computed for it, so
// the figure is what the rule adds to a run that has no other rule.
type RuleCost struct {
	Rule string
	// Objects is how many objects the rule was dispatched to (those of its kinds).
	Objects int
	// Total is the time the rule's evaluations took, summed over the workers.
	Total time.Duration
	// Findings is how many violations it produced before exemptions.
	Findings int
}

// PerObject is the rule's mean time on an object it was dispatched to.
func (c RuleCost) PerObject() time.Duration {
	if c.Objects == 0 {
		return 0
	}
	return c.Total / time.Duration(c.Objects)
}

// phaseTimer records the phases of a run when profiling is on; a nil timer records nothing.
type phaseTimer struct {
	phases []Phase
	last   time.Time
}

func newPhaseTimer(on bool) *phaseTimer {
	if !on {
		return nil
	}
	return &phaseTimer{last: time.Now()}
}

// done ends the phase called name.
func (t *phaseTimer) done(name string) {
	if t == nil {
		return
	}
	now := time.Now()
	t.phases = append(t.phases, Phase{Name: name, Time: now.Sub(t.last)})
	t.last = now
}

// profileRules times every selected rule on its own over the prepared objects, against
// the same store the decision read: one prepared query per rule, each object evaluated
// by the rules its kind dispatches to.
func (e *Engine) profileRules(ctx context.Context, store storage.Store, items []prepared) ([]RuleCost, error) {
	type ruleQuery struct {
		id string
		pq rego.PreparedEvalQuery
	}
	byKind := map[string][]int{} // kind -> indexes into queries
	var queries []ruleQuery
	for _, r := range e.Rules() {
		path := r.Path()
		q := fmt.Sprintf("x := data.ringfence.rules[%q][%q].deny", path[0], path[1])
		body, err := ast.ParseBody(q)
		if err != nil {
			return nil, fmt.Errorf("profiling %s: %w", r.ID, err)
		}
		pq, err := rego.New(rego.Compiler(e.compiler), rego.Store(store), rego.ParsedQuery(body)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("profiling %s: %w", r.ID, err)
		}
		idx := len(queries)
		queries = append(queries, ruleQuery{id: r.ID, pq: pq})
		seen := map[string]bool{}
		for _, k := range r.Kinds {
			if !seen[k.Kind] {
				seen[k.Kind] = true
				byKind[k.Kind] = append(byKind[k.Kind], idx)
			}
		}
	}

	costs := make([]RuleCost, len(queries))
	for i, q := range queries {
		costs[i].Rule = q.id
	}
	var mu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(e.workers, max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]RuleCost, len(queries))
			for i := range work {
				for _, qi := range byKind[items[i].ref.Kind] {
					start := time.Now()
					rs, err := queries[qi].pq.Eval(ctx, rego.EvalParsedInput(items[i].value))
					local[qi].Total += time.Since(start)
					local[qi].Objects++
					if err == nil && len(rs) == 1 {
						found, _ := rs[0].Bindings["x"].([]any)
						local[qi].Findings += len(found)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for qi := range local {
				costs[qi].Objects += local[qi].Objects
				costs[qi].Total += local[qi].Total
				costs[qi].Findings += local[qi].Findings
			}
		}()
	}
feed:
	for i := range items {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(costs, func(a, b RuleCost) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Rule, b.Rule))
	})
	return costs, nil
}
