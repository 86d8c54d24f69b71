package report

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/ringfence/ringfence/harness"
)

// Profile writes what an evaluation cost, for people writing rules: the phases of the
// run, then every rule's time per object it was dispatched to and in total, costliest
// first.
func Profile(w io.Writer, p *harness.Profile) error {
	bw := bufio.NewWriter(w)
	var run time.Duration
	for _, ph := range p.Phases {
		run += ph.Time
	}
	fmt.Fprintf(bw, "%-24s %12s\n", "PHASE", "TIME")
	for _, ph := range p.Phases {
		fmt.Fprintf(bw, "%-24s %12s\n", ph.Name, round(ph.Time))
	}
	fmt.Fprintf(bw, "%-24s %12s\n", "total", round(run))
	var sum time.Duration
	for _, r := range p.Rules {
		sum += r.Total
	}
	fmt.Fprintf(bw, "\nEach rule timed on its own, %d worker(s); times are summed over the workers.\n", p.Workers)
	fmt.Fprintf(bw, "%-12s %8s %12s %12s %7s %9s\n", "RULE", "OBJECTS", "PER OBJECT", "TOTAL", "SHARE", "FINDINGS")
	for _, r := range p.Rules {
		share := 0.0
		if sum > 0 {
			share = 100 * float64(r.Total) / float64(sum)
		}
		fmt.Fprintf(bw, "%-12s %8d %12s %12s %6.1f%% %9d\n", r.Rule, r.Objects, round(r.PerObject()), round(r.Total), share, r.Findings)
	}
	fmt.Fprintf(bw, "%-12s %8s %12s %12s\n", "all rules", "", "", round(sum))
	return bw.Flush()
}

// round keeps three significant figures or so: 1.23s, 45.6ms, 789µs, 12.3µs.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= 100*time.Microsecond:
		return d.Round(time.Microsecond)
	default:
		return d.Round(100 * time.Nanosecond)
	}
}
