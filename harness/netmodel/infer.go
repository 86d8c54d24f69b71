package netmodel

import (
	"maps"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// InferredKind is the kind of the workloads Infer adds.
const InferredKind = "Inferred"

// OtherPods names the inferred workload that stands for pods no selector names.
const OtherPods = "other-pods"

// OtherNamespace is the inferred namespace that stands for namespaces no selector names.
const OtherNamespace = "other-namespace"

// Infer returns the namespaces and pods a set of policies describes, for mapping policies
// without their workloads (a policy repository, a recipe): per policy, a group of pods
// with the labels its podSelector matches, and per peer the pods its podSelector matches
// in the namespaces its namespaceSelector matches (the known ones, or an inferred
// namespace with the labels it asks for); then in every namespace, and in one other
// namespace, a group of other pods that no selector names, to show what stays shut.
// Only matchLabels selectors describe pods; a selector with matchExpressions adds nothing.
// Inferred pods declare no container ports, so named ports do not resolve for them.
// Groups that a known workload already matches exactly are not added.
func Infer(namespaces []Namespace, workloads []*Workload, policies []*networkingv1.NetworkPolicy) ([]Namespace, []*Workload) {
	return infer(namespaces, workloads, policies, nil)
}

// infer is Infer that also reads the subjects and pod and namespace peers of admin
// policies (their namespace selectors always name namespaces; a namespaces subject or
// peer stands for every pod of them).
func infer(namespaces []Namespace, workloads []*Workload, policies []*networkingv1.NetworkPolicy, admin []*AdminPolicy) ([]Namespace, []*Workload) {
	known := map[string]labels.Set{}
	for _, ns := range namespaces {
		set := labels.Set{NamespaceNameLabel: ns.Name}
		maps.Copy(set, ns.Labels)
		known[ns.Name] = set
	}
	for _, w := range workloads {
		if known[w.Namespace] == nil {
			known[w.Namespace] = labels.Set{NamespaceNameLabel: w.Namespace}
		}
	}
	for _, p := range policies {
		if ns := policyNamespace(p); known[ns] == nil {
			known[ns] = labels.Set{NamespaceNameLabel: ns}
		}
	}
	var newNS []Namespace
	addNS := func(name string, l map[string]string) {
		if known[name] != nil {
			return
		}
		set := labels.Set{NamespaceNameLabel: name}
		maps.Copy(set, l)
		known[name] = set
		newNS = append(newNS, Namespace{Name: name, Labels: l})
	}
	seen := map[string]bool{}
	for _, w := range workloads {
		seen[w.Namespace+"/"+labels.Set(w.Labels).String()] = true
	}
	var out []*Workload
	addPods := func(ns string, l map[string]string) {
		name := OtherPods
		if len(l) > 0 {
			name = "{" + labels.Set(l).String() + "}"
		}
		key := ns + "/" + labels.Set(l).String()
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, &Workload{Namespace: ns, Name: name, Kind: InferredKind, Labels: l, Object: -1})
	}
	namespacesFor := func(sel *metav1.LabelSelector, policyNS string) []string {
		if sel == nil {
			return []string{policyNS}
		}
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			return nil
		}
		var names []string
		for name, set := range known {
			if s.Matches(set) {
				names = append(names, name)
			}
		}
		if len(names) == 0 && len(sel.MatchExpressions) == 0 && len(sel.MatchLabels) > 0 {
			name := "{" + labels.Set(sel.MatchLabels).String() + "}"
			if n, ok := sel.MatchLabels[NamespaceNameLabel]; ok {
				name = n
			}
			addNS(name, sel.MatchLabels)
			names = append(names, name)
		}
		slices.Sort(names)
		return names
	}
	podsFor := func(sel *metav1.LabelSelector) (map[string]string, bool) {
		if sel == nil || len(sel.MatchExpressions) > 0 {
			return nil, sel == nil
		}
		return sel.MatchLabels, true
	}
	peer := func(pe networkingv1.NetworkPolicyPeer, policyNS string) {
		if pe.IPBlock != nil || (pe.PodSelector == nil && pe.NamespaceSelector == nil) {
			return
		}
		l, ok := podsFor(pe.PodSelector)
		if !ok {
			return
		}
		for _, ns := range namespacesFor(pe.NamespaceSelector, policyNS) {
			addPods(ns, l)
		}
	}
	for _, p := range policies {
		ns := policyNamespace(p)
		if l, ok := podsFor(&p.Spec.PodSelector); ok && len(l) > 0 {
			addPods(ns, l)
		}
		for _, r := range p.Spec.Ingress {
			for _, pe := range r.From {
				peer(pe, ns)
			}
		}
		for _, r := range p.Spec.Egress {
			for _, pe := range r.To {
				peer(pe, ns)
			}
		}
	}
	for _, p := range admin {
		for _, d := range p.described {
			l, ok := podsFor(d.pod)
			if !ok {
				continue
			}
			for _, ns := range namespacesFor(d.ns, "") {
				addPods(ns, l)
			}
		}
	}
	if len(policies) > 0 || len(admin) > 0 {
		addNS(OtherNamespace, nil)
	}
	for _, ns := range slices.Sorted(maps.Keys(known)) {
		addPods(ns, nil)
	}
	slices.SortFunc(out, func(a, b *Workload) int { return strings.Compare(a.ID(), b.ID()) })
	return newNS, out
}

func policyNamespace(p *networkingv1.NetworkPolicy) string {
	if p.Namespace == "" {
		return DefaultNamespace
	}
	return p.Namespace
}
