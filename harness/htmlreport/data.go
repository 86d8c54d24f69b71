// Package htmlreport builds the security review of a manifest set or a cluster: a
// summary, the connectivity picture (namespaces, workloads, the connections their
// NetworkPolicies allow, with the policies on each side, and the segmentation invariants
// they break), the findings with their place, remediation and references, and each
// workload's effective permissions. Data is the review as JSON, for other tools to draw.
package htmlreport

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/netmap"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/rbac"
	"github.com/ringfence/ringfence/harness/segment"
)

// Data is the review.
type Data struct {
	Summary     Summary              `json:"summary"`
	Namespaces  []Namespace          `json:"namespaces"`
	Workloads   []Workload           `json:"workloads"`
	Connections []Connection         `json:"connections"`
	Findings    []Finding            `json:"findings"`
	Settings    netmap.Settings      `json:"settings"`
	Errors      []string             `json:"errors"`
	Rules       map[string]RuleBrief `json:"rules"`
	// Views are the drawings of the picture, from the most detailed.
	Views []View `json:"views"`
}

// Summary counts what the review holds.
type Summary struct {
	Objects        int            `json:"objects"`
	Namespaces     int            `json:"namespaces"`
	Workloads      int            `json:"workloads"`
	Connections    int            `json:"connections"`
	CrossNamespace int            `json:"crossNamespace"`
	Exposed        int            `json:"exposed"`
	Findings       int            `json:"findings"`
	Exempted       int            `json:"exempted"`
	BySeverity     map[string]int `json:"bySeverity"`
	ByArea         map[string]int `json:"byArea"`
	TopRules       []RuleCount    `json:"topRules"`
}

// RuleCount is how many findings a rule has.
type RuleCount struct {
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Findings int    `json:"findings"`
}

// RuleBrief is what the review shows of a rule beside its findings.
type RuleBrief struct {
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Area        string   `json:"area"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references"`
}

// Namespace is a namespace of the picture and its workloads' IDs.
type Namespace struct {
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	Workloads []int             `json:"workloads"` // indexes in Data.Workloads
}

// Workload is a node of the picture.
type Workload struct {
	ID        string `json:"id"` // namespace/name[Kind], as netmap names it
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	// Source is the file and line of the object, when it was read from a file.
	Source string `json:"source,omitempty"`
	// Exposed is true when the workload accepts connections from every address
	// outside the cluster.
	Exposed bool `json:"exposed"`
	// Isolated says, per direction, whether its pods admit only what policies allow: a
	// NetworkPolicy selects them, a Cilium rule puts them into default deny, or an admin
	// policy has rules for them (netmodel.Model.Isolated).
	IngressIsolated bool `json:"ingressIsolated"`
	EgressIsolated  bool `json:"egressIsolated"`
	// Findings are the indexes in Data.Findings of the findings about the object the
	// workload comes from.
	Findings []int `json:"findings"`
	// Permissions are the dangerous capabilities its service account holds.
	Permissions []Permission `json:"permissions"`
}

// Permission is a dangerous capability a workload's service account holds, with the
// grants that give it.
type Permission struct {
	Capability  string   `json:"capability"`
	Description string   `json:"description"`
	Through     []string `json:"through"`
}

// Connection is an allowed connection, as netmap shows it, with the segmentation
// invariants it breaks.
type Connection struct {
	netmap.Connection
	// From and To are the ends' indexes in Data.Workloads, -1 for an address block
	// outside the cluster. Workload IDs need not be unique: two files may hold two
	// Deployments of one name in one namespace.
	From   int      `json:"from"`
	To     int      `json:"to"`
	Breaks []string `json:"breaks"`
}

// Finding is a finding of the report, with its rule's area.
type Finding struct {
	harness.Finding
	Area string `json:"area"`
}

// Build assembles the review of objects from the engine's report on them (made with
// Engine.Evaluate, which leaves the objects' data in place) and the connectivity model the
// engine builds of the same objects, with its segmentation invariants checked on every
// connection. Objects that cannot be decoded are in the report's errors.
func Build(e *harness.Engine, objs []harness.Object, rep *harness.Report) *Data {
	raw := make([]map[string]any, len(objs))
	for i, o := range objs {
		raw[i] = o.Data
	}
	rules := e.Rules()
	model, _ := e.Model(objs)
	conns := model.Connections("")
	m := netmap.BuildFrom(model, conns, netmap.Options{})
	d := &Data{
		Connections: []Connection{},
		Settings:    m.Settings,
		Findings:    []Finding{},
		Errors:      []string{},
		Rules:       map[string]RuleBrief{},
	}
	broken := map[int][]string{}
	if inv := e.Invariants(); len(inv) > 0 {
		index := map[endsKey]int{}
		for i, c := range conns {
			index[endsOf(c)] = i
		}
		for _, v := range segment.CheckConnections(model, conns, inv) {
			i := index[endsOf(v.Connection)]
			if !slices.Contains(broken[i], v.Invariant) {
				broken[i] = append(broken[i], v.Invariant)
			}
		}
	}
	byID := map[string]catalog.Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	for _, e := range rep.Errors {
		d.Errors = append(d.Errors, e.Error())
	}
	// Findings, and the rules they come from.
	d.Summary = Summary{Objects: len(objs), BySeverity: map[string]int{}, ByArea: map[string]int{}, Exempted: rep.Exempted}
	counts := map[string]int{}
	for _, f := range rep.Findings {
		r := byID[f.Rule]
		d.Findings = append(d.Findings, Finding{Finding: f, Area: r.Area})
		d.Summary.BySeverity[f.Severity]++
		d.Summary.ByArea[r.Area]++
		counts[f.Rule]++
		if _, ok := d.Rules[f.Rule]; !ok {
			d.Rules[f.Rule] = RuleBrief{Title: r.Title, Severity: r.Severity, Area: r.Area, Remediation: r.Remediation, References: r.References}
		}
	}
	d.Summary.Findings = len(d.Findings)
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		d.Summary.TopRules = append(d.Summary.TopRules, RuleCount{Rule: id, Title: byID[id].Title, Severity: byID[id].Severity, Findings: counts[id]})
	}
	slices.SortStableFunc(d.Summary.TopRules, func(a, b RuleCount) int { return cmp.Compare(b.Findings, a.Findings) })
	d.Summary.TopRules = d.Summary.TopRules[:min(len(d.Summary.TopRules), 10)]

	// The picture: every namespace of the model, and its workloads.
	findingsOf := map[string][]int{}
	for i, f := range d.Findings {
		k := objectKey(f.Source, f.Object.Namespace, f.Object.Kind, f.Object.Name)
		findingsOf[k] = append(findingsOf[k], i)
	}
	exposed := map[string]bool{}
	for _, id := range m.Exposed {
		exposed[id] = true
	}
	permissions := permissionsOf(raw)
	workloads := slices.Clone(model.Workloads())
	slices.SortStableFunc(workloads, func(a, b *netmodel.Workload) int { return strings.Compare(a.ID(), b.ID()) })
	index := make(map[*netmodel.Workload]int, len(workloads))
	byNS := map[string]*Namespace{}
	d.Workloads = make([]Workload, 0, len(workloads))
	for i, w := range workloads {
		index[w] = i
		ns := byNS[w.Namespace]
		if ns == nil {
			ns = &Namespace{Name: w.Namespace, Labels: model.NamespaceLabels(w.Namespace), Workloads: []int{}}
			byNS[w.Namespace] = ns
		}
		ns.Workloads = append(ns.Workloads, i)
		var src *harness.Source
		if w.Object >= 0 && w.Object < len(objs) {
			src = objs[w.Object].Source
		}
		node := Workload{
			ID: w.ID(), Namespace: w.Namespace, Name: w.Name, Kind: w.Kind, Source: place(src), Exposed: exposed[w.ID()],
			IngressIsolated: model.Isolated(w, false), EgressIsolated: model.Isolated(w, true),
			Findings: orEmpty(findingsOf[objectKey(src, w.Namespace, w.Kind, w.Name)]), Permissions: orEmpty(permissions[w.Object]),
		}
		d.Workloads = append(d.Workloads, node)
	}
	for _, name := range slices.Sorted(maps.Keys(byNS)) {
		d.Namespaces = append(d.Namespaces, *byNS[name])
	}
	end := func(p netmodel.Peer) int {
		if p.Workload == nil {
			return -1
		}
		return index[p.Workload]
	}
	for i, c := range conns {
		d.Connections = append(d.Connections, Connection{Connection: m.Connections[i], From: end(c.Source), To: end(c.Destination), Breaks: orEmpty(broken[i])})
	}
	if d.Namespaces == nil {
		d.Namespaces = []Namespace{}
	}
	d.Summary.Namespaces, d.Summary.Workloads = len(d.Namespaces), len(d.Workloads)
	d.Summary.Connections, d.Summary.CrossNamespace, d.Summary.Exposed = m.Summary.Connections, m.Summary.CrossNamespace, m.Summary.Exposed
	d.Views = newGraph(d).views()
	return d
}

// objectKey names an object by its place in the input, when known, and its namespace, kind
// and name: two files may hold objects of one name.
// endsKey identifies a connection by its ends: workloads by object (two files may hold
// workloads of one ID), outside addresses by name.
type endsKey struct {
	src, dst         *netmodel.Workload
	srcName, dstName string
}

func endsOf(c netmodel.Connection) endsKey {
	return endsKey{c.Source.Workload, c.Destination.Workload, c.Source.String(), c.Destination.String()}
}

func objectKey(src *harness.Source, ns, kind, name string) string {
	k := ns + "/" + kind + "/" + name
	if src != nil {
		k = fmt.Sprintf("%s#%d/%s", src.File, src.Document, k)
	}
	return k
}

// place is a source's file and line.
func place(src *harness.Source) string {
	switch {
	case src == nil:
		return ""
	case src.Line > 0:
		return fmt.Sprintf("%s:%d", src.File, src.Line)
	}
	return src.File
}

// permissionsOf resolves the RBAC of the objects and returns, by object index, the
// dangerous capabilities of each workload's service account, when its pods mount a
// token.
func permissionsOf(objs []map[string]any) map[int][]Permission {
	policy, _ := rbac.New(objs, rbac.Options{})
	caps := rbac.Capabilities()
	out := map[int][]Permission{}
	for _, wp := range policy.Workloads() {
		if !policy.TokenMounted(wp) {
			continue
		}
		ns, sa := policy.ServiceAccountOf(wp)
		for _, h := range policy.Holdings(rbac.ServiceAccount(ns, sa), caps) {
			out[wp.Object] = append(out[wp.Object], Permission{Capability: h.Capability.Name, Description: h.Capability.Does, Through: h.Reasons()})
		}
	}
	return out
}

// orEmpty is x, or an empty slice for nil, which JSON writes as [] rather than null.
func orEmpty[T any](x []T) []T {
	if x == nil {
		return []T{}
	}
	return x
}
