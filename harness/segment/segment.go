// Package segment checks segmentation invariants against the connectivity model: rules
// such as "namespaces labelled env=prod accept nothing from env=dev", "only namespace
// ingress-nginx reaches workloads labelled tier=web" or "nothing reaches the metadata
// endpoint", given as the invariants parameter of RF-NET-030.
//
//	invariants:
//	  - name: prod-from-dev
//	    from: {namespaceSelector: {matchLabels: {env: dev}}}
//	    to: {namespaceSelector: {matchLabels: {env: prod}}}
//	  - name: web-only-from-ingress
//	    to: {podSelector: {matchLabels: {tier: web}}}
//	    onlyFrom: {namespaces: [ingress-nginx]}
//	  - name: no-metadata
//	    to: {cidr: 169.254.169.254/32}
//
// An invariant with from (or without it: every source) forbids every connection from a
// matching source to a matching destination; one with onlyFrom forbids connections to a
// matching destination from any source that does not match. A selector matches workloads
// by namespace name, namespace labels and pod labels (all that are given must match), or
// outside addresses by cidr; an empty selector matches every workload and no outside
// address.
package segment

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// Invariant is one segmentation rule.
type Invariant struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	From        *Selector `json:"from,omitempty"`
	To          *Selector `json:"to,omitempty"`
	OnlyFrom    *Selector `json:"onlyFrom,omitempty"`

	from, to, onlyFrom *Matcher
}

// Selector picks the ends of connections an invariant is about.
type Selector struct {
	Namespaces        []string              `json:"namespaces,omitempty"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	PodSelector       *metav1.LabelSelector `json:"podSelector,omitempty"`
	CIDR              string                `json:"cidr,omitempty"`
}

// Matcher is a compiled Selector.
type Matcher struct {
	namespaces []string
	ns, pod    labels.Selector
	cidr       netip.Prefix
	outside    bool
}

// Parse reads the invariants parameter (a JSON-shaped value, as configuration files and
// fixtures give it) and checks every invariant.
func Parse(value any) ([]Invariant, error) {
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("invariants: %w", err)
	}
	var out []Invariant
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("invariants: %w", err)
	}
	seen := map[string]bool{}
	for i := range out {
		inv := &out[i]
		if err := inv.compile(); err != nil {
			name := inv.Name
			if name == "" {
				name = fmt.Sprint(i)
			}
			return nil, fmt.Errorf("invariant %s: %w", name, err)
		}
		if seen[inv.Name] {
			return nil, fmt.Errorf("invariant %s: the name is used twice", inv.Name)
		}
		seen[inv.Name] = true
	}
	return out, nil
}

func (inv *Invariant) compile() error {
	var err error
	switch {
	case inv.Name == "":
		return errors.New("needs a name")
	case inv.From != nil && inv.OnlyFrom != nil:
		return errors.New("from and onlyFrom exclude each other")
	case inv.OnlyFrom != nil && inv.To == nil:
		return errors.New("onlyFrom needs to")
	case inv.To == nil && inv.From == nil:
		return errors.New("needs to or from")
	}
	if inv.from, err = CompileSelector(inv.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if inv.to, err = CompileSelector(inv.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if inv.onlyFrom, err = CompileSelector(inv.OnlyFrom); err != nil {
		return fmt.Errorf("onlyFrom: %w", err)
	}
	return nil
}

// CompileSelector compiles a selector; a nil selector compiles to a nil Matcher, which
// matches every end.
func CompileSelector(s *Selector) (*Matcher, error) {
	if s == nil {
		return nil, nil
	}
	m := &Matcher{namespaces: s.Namespaces, ns: labels.Everything(), pod: labels.Everything()}
	if s.CIDR != "" {
		if len(s.Namespaces) > 0 || s.NamespaceSelector != nil || s.PodSelector != nil {
			return nil, errors.New("cidr selects outside addresses and cannot be combined with namespaces or selectors")
		}
		p, err := netip.ParsePrefix(s.CIDR)
		if err != nil {
			if a, aerr := netip.ParseAddr(s.CIDR); aerr == nil {
				p, err = netip.PrefixFrom(a, a.BitLen()), nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("cidr %q: %w", s.CIDR, err)
		}
		m.cidr, m.outside = p.Masked(), true
		return m, nil
	}
	var err error
	if s.NamespaceSelector != nil {
		if m.ns, err = metav1.LabelSelectorAsSelector(s.NamespaceSelector); err != nil {
			return nil, fmt.Errorf("namespaceSelector: %w", err)
		}
	}
	if s.PodSelector != nil {
		if m.pod, err = metav1.LabelSelectorAsSelector(s.PodSelector); err != nil {
			return nil, fmt.Errorf("podSelector: %w", err)
		}
	}
	return m, nil
}

// Matches reports whether an end of a connection is selected; a nil Matcher selects
// every end.
func (m *Matcher) Matches(model *netmodel.Model, p netmodel.Peer) bool {
	if m == nil {
		return true
	}
	if m.outside {
		return p.Workload == nil && p.Reaches(m.cidr)
	}
	w := p.Workload
	if w == nil {
		return false
	}
	if len(m.namespaces) > 0 && !slices.Contains(m.namespaces, w.Namespace) {
		return false
	}
	return m.ns.Matches(model.NamespaceLabels(w.Namespace)) && m.pod.Matches(labels.Set(w.Labels))
}

// Violation is an allowed connection an invariant forbids. Workload is the end the
// finding belongs to: the destination, or the source when the destination is outside.
type Violation struct {
	Invariant  string
	Workload   *netmodel.Workload
	Connection netmodel.Connection
}

// Message says which invariant the connection breaks and what allows it.
func (v Violation) Message() string {
	c := v.Connection
	side := func(dir string, isolated bool, policies []string) string {
		if !isolated {
			return dir + " not isolated"
		}
		return dir + " allowed by " + strings.Join(policies, ", ")
	}
	return fmt.Sprintf("%s: segmentation invariant %q is broken in the scanned set: %s can reach %s on %s (%s; %s)",
		describe(v.Workload), v.Invariant, c.Source, c.Destination, netmodel.FormatPorts(c.Ports),
		side("egress", c.EgressIsolated, c.EgressPolicies), side("ingress", c.IngressIsolated, c.IngressPolicies))
}

func describe(w *netmodel.Workload) string {
	if w.Pods != nil {
		// Pods grouped under a controller that is not in the scanned set.
		pods := "pods"
		if len(w.Pods) == 1 {
			pods = "pod"
		}
		return fmt.Sprintf("%s %s/%s (%d %s in the scanned set)", w.Kind, w.Namespace, w.Name, len(w.Pods), pods)
	}
	return fmt.Sprintf("%s %s/%s", w.Kind, w.Namespace, w.Name)
}

// LabelKeys returns the pod label keys the invariants' podSelectors read, for
// netmodel.WithLabelKeys: Pods that these selectors tell apart must not be grouped.
func LabelKeys(invariants []Invariant) []string {
	var out []string
	for _, inv := range invariants {
		for _, s := range []*Selector{inv.From, inv.To, inv.OnlyFrom} {
			if s == nil || s.PodSelector == nil {
				continue
			}
			for k := range s.PodSelector.MatchLabels {
				out = append(out, k)
			}
			for _, e := range s.PodSelector.MatchExpressions {
				out = append(out, e.Key)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Check returns every allowed connection of the model that an invariant forbids, in the
// model's connection order, invariant by invariant.
func Check(model *netmodel.Model, invariants []Invariant) []Violation {
	if len(invariants) == 0 {
		return nil
	}
	return CheckConnections(model, model.Connections(""), invariants)
}

// CheckConnections returns the connections of conns, made by model, that an invariant
// forbids, in their order, invariant by invariant: Check on a part of the model's
// connections, such as those a change opens.
func CheckConnections(model *netmodel.Model, conns []netmodel.Connection, invariants []Invariant) []Violation {
	var out []Violation
	for _, inv := range invariants {
		for _, c := range conns {
			if !inv.to.Matches(model, c.Destination) {
				continue
			}
			if inv.onlyFrom != nil {
				if inv.onlyFrom.Matches(model, c.Source) {
					continue
				}
			} else if !inv.from.Matches(model, c.Source) {
				continue
			}
			w := c.Destination.Workload
			if w == nil {
				w = c.Source.Workload
			}
			out = append(out, Violation{Invariant: inv.Name, Workload: w, Connection: c})
		}
	}
	return out
}
