// Package change tells what a change to a set of manifests does: the findings it adds
// and removes, and the connections it opens and closes in the connectivity model, with
// the policies that allow them and the segmentation invariants the opened ones break.
//
// Both sides are evaluated by one engine (Take), so that they are judged by the same
// rules, configuration and host-network treatment; Compare then matches their findings
// by baseline fingerprint (rule, object identity, field and message: nothing about
// files or lines, so moving, renaming and reformatting files changes nothing) and their
// connections by source and destination.
package change

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/baseline"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/netmap"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/segment"
)

// Snapshot is one side of a change: what the engine found, and who can reach whom.
type Snapshot struct {
	Label  string
	Report *harness.Report
	Model  *netmodel.Model
}

// Take evaluates in with eng and builds its connectivity model as eng sees it; label
// names the side in the report (a path, or a git revision). It consumes in.
func Take(ctx context.Context, eng *harness.Engine, label string, in *harness.Input) (*Snapshot, error) {
	// The model first: the evaluation lets the objects' data go. Objects the model
	// cannot decode are the rules' business, and reported by them.
	model, _ := eng.Model(in.Objects())
	rep, err := eng.EvaluateInput(ctx, in)
	if err != nil {
		return nil, err
	}
	return &Snapshot{Label: label, Report: rep, Model: model}, nil
}

// Report is what a change does. Its JSON form is the diff command's JSON report.
type Report struct {
	Base        string            `json:"base"`
	Head        string            `json:"head"`
	Summary     Summary           `json:"summary"`
	Settings    *harness.Settings `json:"settings,omitempty"`
	Findings    FindingChanges    `json:"findings"`
	Connections ConnectionChanges `json:"connections"`
	Errors      []Error           `json:"errors"`
	Rules       []catalog.Rule    `json:"-"`
	BaseReport  *harness.Report   `json:"-"`
	HeadReport  *harness.Report   `json:"-"`
}

// Summary counts the changes.
type Summary struct {
	FindingsAdded     int `json:"findingsAdded"`
	FindingsRemoved   int `json:"findingsRemoved"`
	ConnectionsOpened int `json:"connectionsOpened"`
	ConnectionsClosed int `json:"connectionsClosed"`
	// Invariants counts the segmentation invariants the opened connections were checked
	// against; InvariantsBroken the opened connections that break one.
	Invariants       int `json:"invariants"`
	InvariantsBroken int `json:"invariantsBroken"`
	// BaseFindings and HeadFindings count each side's findings.
	BaseFindings int `json:"baseFindings"`
	HeadFindings int `json:"headFindings"`
	Errors       int `json:"errors"`
}

// FindingChanges are the findings only the head has (added) and those only the base has
// (removed), each located in its own side's files and sorted as reports sort findings.
type FindingChanges struct {
	Added   []harness.Finding `json:"added"`
	Removed []harness.Finding `json:"removed"`
}

// ConnectionChanges are the connections the change opens and closes.
type ConnectionChanges struct {
	Opened []Connection `json:"opened"`
	Closed []Connection `json:"closed"`
}

// Connection is traffic from Source to Destination that one side allows on Ports and
// the other does not, with netmap's fields: for an opened connection, the ports the
// head newly allows, and the policies that allow it in the head; for a closed one, the
// ports only the base allowed, and the policies that allowed it there. Unchanged are the
// ports both sides allow (none when the connection as a whole is new or gone).
// Invariants are the segmentation invariants an opened connection breaks.
type Connection struct {
	netmap.Connection
	Unchanged  []netmodel.PortRange `json:"unchanged,omitempty"`
	Invariants []string             `json:"invariants,omitempty"`
}

// Error is input one side could not read or evaluate; Side is "base" or "head".
type Error struct {
	Side string `json:"side"`
	harness.InputError
}

func (e Error) Error() string { return e.Side + ": " + e.InputError.Error() }

// Compare tells what changes from base to head. invariants are the segmentation
// invariants opened connections are checked against (the engine's, Engine.Invariants).
func Compare(base, head *Snapshot, invariants []segment.Invariant) *Report {
	r := &Report{
		Base: base.Label, Head: head.Label, Settings: head.Report.Settings,
		Rules: head.Report.Rules, BaseReport: base.Report, HeadReport: head.Report,
		Findings: FindingChanges{
			// Each side's findings that the other side's findings, taken as a baseline,
			// do not account for.
			Added:   orEmpty(baseline.Check(baseline.Build("", base.Report.Findings), head.Report.Findings).New),
			Removed: orEmpty(baseline.Check(baseline.Build("", head.Report.Findings), base.Report.Findings).New),
		},
		Errors: []Error{},
	}
	r.Connections = compareConnections(base.Model, head.Model, invariants)
	for _, side := range []*Snapshot{base, head} {
		name := "base"
		if side == head {
			name = "head"
		}
		for _, e := range side.Report.Errors {
			r.Errors = append(r.Errors, Error{Side: name, InputError: e})
		}
	}
	r.Summary = Summary{
		FindingsAdded: len(r.Findings.Added), FindingsRemoved: len(r.Findings.Removed),
		ConnectionsOpened: len(r.Connections.Opened), ConnectionsClosed: len(r.Connections.Closed),
		BaseFindings: len(base.Report.Findings), HeadFindings: len(head.Report.Findings),
		Errors: len(r.Errors), Invariants: len(invariants),
	}
	for _, c := range r.Connections.Opened {
		if len(c.Invariants) > 0 {
			r.Summary.InvariantsBroken++
		}
	}
	return r
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// connKey identifies a connection across the two models: its ends by name.
type connKey struct{ src, dst string }

func keyOf(c netmodel.Connection) connKey {
	return connKey{c.Source.String(), c.Destination.String()}
}

// compareConnections matches the connections of the two models by their ends and
// returns the ports each side allows that the other does not. Opened connections are
// checked against the invariants in the head model, on their new ports only.
func compareConnections(base, head *netmodel.Model, invariants []segment.Invariant) ConnectionChanges {
	out := ConnectionChanges{Opened: []Connection{}, Closed: []Connection{}}
	baseConns, headConns := base.Connections(""), head.Connections("")
	baseBy := make(map[connKey]netmodel.Connection, len(baseConns))
	for _, c := range baseConns {
		baseBy[keyOf(c)] = c
	}
	headBy := make(map[connKey]netmodel.Connection, len(headConns))
	var opened []netmodel.Connection
	for _, c := range headConns {
		k := keyOf(c)
		headBy[k] = c
		old := baseBy[k] // zero when new: no ports
		if ports := netmodel.SubtractPorts(c.Ports, old.Ports); len(ports) > 0 {
			delta := c
			delta.Ports = ports
			opened = append(opened, delta)
			out.Opened = append(out.Opened, changed(delta, netmodel.IntersectPorts(c.Ports, old.Ports)))
		}
	}
	for _, c := range baseConns {
		now := headBy[keyOf(c)]
		if ports := netmodel.SubtractPorts(c.Ports, now.Ports); len(ports) > 0 {
			delta := c
			delta.Ports = ports
			out.Closed = append(out.Closed, changed(delta, netmodel.IntersectPorts(c.Ports, now.Ports)))
		}
	}
	index := make(map[connKey]int, len(opened))
	for i, c := range opened {
		index[keyOf(c)] = i
	}
	for _, v := range segment.CheckConnections(head, opened, invariants) {
		c := &out.Opened[index[keyOf(v.Connection)]]
		if !slices.Contains(c.Invariants, v.Invariant) {
			c.Invariants = append(c.Invariants, v.Invariant)
		}
	}
	sortConnections(out.Opened)
	sortConnections(out.Closed)
	return out
}

func changed(c netmodel.Connection, unchanged []netmodel.PortRange) Connection {
	return Connection{Connection: netmap.ConnectionOf(c), Unchanged: unchanged}
}

// sortConnections puts the connections that break invariants first, then orders by
// source and destination.
func sortConnections(cs []Connection) {
	slices.SortFunc(cs, func(a, b Connection) int {
		return cmp.Or(-cmp.Compare(len(a.Invariants), len(b.Invariants)),
			strings.Compare(a.Source, b.Source), strings.Compare(a.Destination, b.Destination))
	})
}

// Fails reports whether the change should fail a check: it adds a finding at or above
// failOn ("none" for never), or opens a connection that breaks a segmentation
// invariant.
func (r *Report) Fails(failOn string) bool {
	if r.Summary.InvariantsBroken > 0 {
		return true
	}
	if failOn == "none" {
		return false
	}
	for _, f := range r.Findings.Added {
		if catalog.Rank(f.Severity) <= catalog.Rank(failOn) {
			return true
		}
	}
	return false
}
