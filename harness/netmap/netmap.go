// Package netmap turns the connectivity model (harness/netmodel) of a set of manifests
// into the reachability map people read: every allowed connection with its ports and the
// policies that allow it, the workloads exposed to everything, the paths that cross
// namespaces, as text, JSON, Graphviz dot or Mermaid.
package netmap

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netmodel"
)

// Map is the reachability map of a scanned set.
type Map struct {
	Summary     Summary      `json:"summary"`
	Settings    Settings     `json:"settings"`
	Connections []Connection `json:"connections"`
	Exposed     []string     `json:"exposed"`
	// Groups are the workloads that stand for Pods grouped under their controller,
	// which the input does not hold (see netmodel.FromObjects), sorted.
	Groups []Group      `json:"groups,omitempty"`
	Errors []load.Error `json:"errors"`
}

// Settings are the choices the map was computed under.
type Settings struct {
	// HostNetwork is how host-network pods were treated: unprotected (outside
	// NetworkPolicy) or pod (as any pod); see netmodel.HostNetwork.
	HostNetwork netmodel.HostNetwork `json:"hostNetwork"`
}

// Group is a workload that stands for Pods of a controller the input does not hold:
// namespace/name[Kind] (namespace/name{what differs}[Kind] when its Pods split), and
// the Pods' names.
type Group struct {
	Workload string   `json:"workload"`
	Pods     []string `json:"pods"`
}

// Summary counts what the map holds.
type Summary struct {
	Workloads int `json:"workloads"`
	Policies  int `json:"policies"`
	// AdminPolicies counts the AdminNetworkPolicies and the BaselineAdminNetworkPolicy.
	AdminPolicies int `json:"adminPolicies,omitempty"`
	// CiliumPolicies counts the CiliumNetworkPolicies and
	// CiliumClusterwideNetworkPolicies Cilium accepts.
	CiliumPolicies int `json:"ciliumPolicies,omitempty"`
	Connections    int `json:"connections"`
	CrossNamespace int `json:"crossNamespace"`
	Exposed        int `json:"exposed"`
	Errors         int `json:"errors"`
	// Inferred is true when the workloads were inferred from the policies' selectors
	// (Options.Infer, or a set with policies and no workloads).
	Inferred bool `json:"inferred,omitempty"`
	// GroupedPods counts the Pods that Groups stand for; OwnedLeftOut the Pods,
	// ReplicaSets and Jobs left out because their controller is in the input (its pod
	// template stands for them).
	GroupedPods  int `json:"groupedPods,omitempty"`
	OwnedLeftOut int `json:"ownedLeftOut,omitempty"`
	// HostNetworkWorkloads counts the workloads that run on the host network, whose
	// treatment Settings.HostNetwork says.
	HostNetworkWorkloads int `json:"hostNetworkWorkloads,omitempty"`
}

// Connection is one allowed connection. Source and Destination are workloads
// (namespace/name[Kind]) or outside addresses (a CIDR, with "except" exceptions; the
// whole outside world is "0.0.0.0/0,::/0"), or outside destinations a Cilium policy
// names without addresses ("fqdn:" and a DNS name or pattern, "entity:kube-apiserver").
// A side whose Isolated flag is false is not selected by any policy of that direction
// and allows everything (but what Cilium deny rules deny). L7 says a Cilium rule that
// allows the connection narrows it to the requests its L7 rules (HTTP, Kafka, DNS) allow.
type Connection struct {
	Source          string               `json:"source"`
	Destination     string               `json:"destination"`
	Ports           []netmodel.PortRange `json:"ports"`
	CrossNamespace  bool                 `json:"crossNamespace,omitempty"`
	EgressIsolated  bool                 `json:"egressIsolated"`
	EgressPolicies  []string             `json:"egressPolicies"`
	IngressIsolated bool                 `json:"ingressIsolated"`
	IngressPolicies []string             `json:"ingressPolicies"`
	L7              bool                 `json:"l7,omitempty"`
}

// ConnectionOf is a connection of the model as the map shows it.
func ConnectionOf(c netmodel.Connection) Connection {
	return Connection{
		Source: c.Source.String(), Destination: c.Destination.String(), Ports: c.Ports,
		CrossNamespace: c.Source.Workload != nil && c.Destination.Workload != nil &&
			c.Source.Workload.Namespace != c.Destination.Workload.Namespace,
		EgressIsolated: c.EgressIsolated, EgressPolicies: nonNil(c.EgressPolicies),
		IngressIsolated: c.IngressIsolated, IngressPolicies: nonNil(c.IngressPolicies), L7: c.L7,
	}
}

// Options select what the map shows.
type Options struct {
	// Namespace, when set, keeps only connections with an end in it.
	Namespace string
	// Infer adds the pods the policies describe (netmodel.Infer), as groups of kind
	// Inferred. A set with NetworkPolicies and no workloads is always mapped this way.
	Infer bool
	// HostNetwork is how host-network pods are treated; "" is
	// netmodel.HostNetworkUnprotected.
	HostNetwork netmodel.HostNetwork
	// Read reads the paths FromFiles is given; nil is load.Paths.
	Read load.Reader
}

// FromFiles reads manifests (files, directories, "-" for stdin) and maps them. Input
// that cannot be read or decoded is reported in Errors; everything else is mapped.
func FromFiles(ctx context.Context, paths []string, stdin io.Reader, opts Options) (*Map, error) {
	hostNetwork, err := netmodel.ParseHostNetwork(string(opts.HostNetwork))
	if err != nil {
		return nil, err
	}
	read := opts.Read
	if read == nil {
		read = load.Paths
	}
	res := read(ctx, paths, stdin)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	objs := make([]map[string]any, len(res.Documents))
	for i, d := range res.Documents {
		objs[i] = d.Object
	}
	model, errs := netmodel.FromObjects(objs, netmodel.WithHostNetwork(hostNetwork))
	inferred := opts.Infer || (len(model.Workloads()) == 0 && model.PolicyCount("")+model.AdminPolicyCount() > 0)
	if inferred {
		model, errs = netmodel.FromObjectsInferring(objs, netmodel.WithHostNetwork(hostNetwork))
	}
	m := Build(model, opts)
	m.Summary.Inferred = inferred
	m.Errors = append(m.Errors, res.Errors...)
	for _, err := range errs {
		src := res.Documents[err.Index].Source
		m.Errors = append(m.Errors, src.Err(err.Error()))
	}
	slices.SortFunc(m.Errors, func(a, b load.Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Document, b.Document), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Message, b.Message))
	})
	m.Summary.Errors = len(m.Errors)
	return m, nil
}

// Build maps a model. The model's own settings (netmodel.Model.HostNetwork) hold; the
// options only filter.
func Build(model *netmodel.Model, opts Options) *Map {
	return BuildFrom(model, model.Connections(opts.Namespace), opts)
}

// BuildFrom is Build for a caller that has the model's connections already: conns must
// be model.Connections(opts.Namespace). The map's connections are conns, in order.
func BuildFrom(model *netmodel.Model, conns []netmodel.Connection, opts Options) *Map {
	m := &Map{Connections: []Connection{}, Exposed: []string{}, Errors: []load.Error{}}
	m.Settings.HostNetwork = model.HostNetwork()
	for _, w := range model.Workloads() {
		if opts.Namespace != "" && w.Namespace != opts.Namespace {
			continue
		}
		m.Summary.Workloads++
		if w.HostNetwork {
			m.Summary.HostNetworkWorkloads++
		}
	}
	m.Summary.OwnedLeftOut = model.OwnedLeftOut()
	m.Summary.Policies = model.PolicyCount(opts.Namespace)
	m.Summary.AdminPolicies = model.AdminPolicyCount()
	m.Summary.CiliumPolicies = len(model.CiliumPolicies())
	grouped := map[*netmodel.Workload]bool{}
	for _, c := range conns {
		conn := ConnectionOf(c)
		if conn.CrossNamespace {
			m.Summary.CrossNamespace++
		}
		if c.Source.Workload == nil && c.Source.CIDR == netmodel.World && !model.AdminIngress(c.Destination.Workload) {
			m.Exposed = append(m.Exposed, conn.Destination)
		}
		m.Connections = append(m.Connections, conn)
		for _, end := range []*netmodel.Workload{c.Source.Workload, c.Destination.Workload} {
			if end != nil && end.Pods != nil {
				grouped[end] = true
			}
		}
	}
	// The groups of the namespace, and those of other namespaces the connections reach.
	for _, w := range model.Workloads() {
		if w.Pods != nil && (grouped[w] || opts.Namespace == "" || w.Namespace == opts.Namespace) {
			m.Groups = append(m.Groups, Group{Workload: w.ID(), Pods: w.Pods})
			m.Summary.GroupedPods += len(w.Pods)
		}
	}
	slices.SortFunc(m.Groups, func(a, b Group) int { return cmp.Compare(a.Workload, b.Workload) })
	slices.Sort(m.Exposed)
	m.Summary.Connections = len(m.Connections)
	m.Summary.Exposed = len(m.Exposed)
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Formats are the output formats of Write.
var Formats = []string{"text", "json", "dot", "mermaid"}

// Write renders the map in one of Formats.
func Write(w io.Writer, m *Map, format string) error {
	switch format {
	case "text":
		return writeText(w, m)
	case "json":
		return writeJSON(w, m)
	case "dot":
		return writeDot(w, m)
	case "mermaid":
		return writeMermaid(w, m)
	}
	return fmt.Errorf("output format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// FormatPorts renders port ranges for people: "all ports", or per protocol
// "TCP 80,8000-8100".
func FormatPorts(ports []netmodel.PortRange) string { return netmodel.FormatPorts(ports) }
