package netmodel

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	anpv1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)
// follow the API's precedence, for each direction on the side of the subject pod
// (https://network-policy-api.sigs.k8s.io/api-overview/#precedence):
//
//  1. the AdminNetworkPolicies that select the pod, in ascending priority (lower number
//     first; the API leaves equal priorities undefined, the model orders them by name),
//     rules in order: the first rule whose peers and ports match decides. Allow allows
//     (NetworkPolicies are skipped), Deny denies, Pass goes on to step 2;
//  2. the NetworkPolicies, as without admin policies, when some select the pod for that
//     direction;
//  3. otherwise the BaselineAdminNetworkPolicy's rules, first match (Allow or Deny);
//  4. otherwise the traffic is allowed.
//
// Peers: namespaces (a namespace selector), pods (namespaceSelector and podSelector),
// and for egress networks (CIDRs, which pods with known addresses are matched against
// too). Host-network pods are neither subjects nor pod peers, unless
// WithHostNetwork(HostNetworkPod) treats them as any pod. Not modelled: nodes peers (the
// model has no nodes; they match nothing), domainNames (match nothing), and the v0.1.1
// legacy peers with sameLabels or notSameLabels (they match nothing, with an
// error). Legacy peers that only name a namespaceSelector are read as the current shape.
// Ports: portNumber, portRange (protocol defaulting to TCP), and namedPort, which names
// a container port of the destination pod whatever its protocol. Only one
// BaselineAdminNetworkPolicy takes effect, the one named default (the API server
// accepts no other name).

// AdminGroup is the API group of AdminNetworkPolicy and BaselineAdminNetworkPolicy.
const AdminGroup = "policy.networking.k8s.io"

// Action is what an admin rule does with the traffic it matches.
type Action string

// The actions of admin rules (Baseline rules only Allow and Deny).
const (
	ActionAllow Action = "Allow"
	ActionDeny  Action = "Deny"
	ActionPass  Action = "Pass"
)

// AdminPolicy is an AdminNetworkPolicy or a BaselineAdminNetworkPolicy, compiled.
type AdminPolicy struct {
	Name     string
	Baseline bool
	Priority int32
	// subject: pods matching pod in namespaces matching ns.
	subjectNS, subjectPod labels.Selector
	keys                  []string // the pod label keys its selectors read
	ingress, egress       []adminRule
	described             []described // its subject and peers, for Infer
}

// described is a namespace selector and a pod selector (nil: every pod) that name pods.
type described struct {
	ns, pod *metav1.LabelSelector
}

// ID names the policy as AdminNetworkPolicy/name or BaselineAdminNetworkPolicy/name.
func (p *AdminPolicy) ID() string {
	if p.Baseline {
		return "BaselineAdminNetworkPolicy/" + p.Name
	}
	return "AdminNetworkPolicy/" + p.Name
}

func (p *AdminPolicy) rules(egress bool) []adminRule {
	if egress {
		return p.egress
	}
	return p.ingress
}

// selects reports whether the policy's subject holds pods with these labels in a
// namespace with nsLabels.
func (p *AdminPolicy) selects(nsLabels, podLabels labels.Set) bool {
	return p.subjectNS.Matches(nsLabels) && p.subjectPod.Matches(podLabels)
}

// adminRule is one ingress or egress rule. nil ports: every port.
type adminRule struct {
	index  int
	name   string
	action Action
	peers  []adminPeer
	ports  []portSpec
}

// adminPeer is one entry of from or to: pods (pod in namespaces matching ns) or networks.
// A peer with neither matches nothing.
type adminPeer struct {
	ns, pod  labels.Selector
	networks []netip.Prefix
}

// peerSpec is the fields of an ingress or egress peer the model reads.
type peerSpec struct {
	namespaces *metav1.LabelSelector
	pods       *anpv1.NamespacedPod
	nodes      *metav1.LabelSelector
	networks   []anpv1.CIDR
	domains    int
}

// CompileAdmin compiles an AdminNetworkPolicy or BaselineAdminNetworkPolicy object of any
// policy.networking.k8s.io/v1alpha1 shape. Errors name what the model cannot read or the
// API server would reject; the policy is still returned with the offending parts
// matching nothing.
func CompileAdmin(obj map[string]any) (*AdminPolicy, []error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, []error{err}
	}
	var plain map[string]any
	if err := json.Unmarshal(raw, &plain); err != nil {
		return nil, []error{err}
	}
	kind, _ := plain["kind"].(string)
	var legacy []string
	upgradeLegacyPeers(plain, &legacy)
	if raw, err = json.Marshal(plain); err != nil {
		return nil, []error{err}
	}
	p := &AdminPolicy{Baseline: kind == "BaselineAdminNetworkPolicy"}
	var (
		subject anpv1.AdminNetworkPolicySubject
		ingress []ruleSpec
		egress  []ruleSpec
	)
	if p.Baseline {
		var b anpv1.BaselineAdminNetworkPolicy
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, []error{fmt.Errorf("BaselineAdminNetworkPolicy: %w", err)}
		}
		p.Name, subject = b.Name, b.Spec.Subject
		for _, r := range b.Spec.Ingress {
			ingress = append(ingress, ruleSpec{r.Name, Action(r.Action), ingressPeers(r.From), r.Ports})
		}
		for _, r := range b.Spec.Egress {
			var peers []peerSpec
			for _, pe := range r.To {
				peers = append(peers, peerSpec{namespaces: pe.Namespaces, pods: pe.Pods, nodes: pe.Nodes, networks: pe.Networks})
			}
			egress = append(egress, ruleSpec{r.Name, Action(r.Action), peers, r.Ports})
		}
	} else {
		var a anpv1.AdminNetworkPolicy
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, []error{fmt.Errorf("AdminNetworkPolicy: %w", err)}
		}
		p.Name, subject, p.Priority = a.Name, a.Spec.Subject, a.Spec.Priority
		for _, r := range a.Spec.Ingress {
			ingress = append(ingress, ruleSpec{r.Name, Action(r.Action), ingressPeers(r.From), r.Ports})
		}
		for _, r := range a.Spec.Egress {
			var peers []peerSpec
			for _, pe := range r.To {
				peers = append(peers, peerSpec{namespaces: pe.Namespaces, pods: pe.Pods, nodes: pe.Nodes, networks: pe.Networks, domains: len(pe.DomainNames)})
			}
			egress = append(egress, ruleSpec{r.Name, Action(r.Action), peers, r.Ports})
		}
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", p.ID(), fmt.Sprintf(format, args...)))
	}
	for _, l := range legacy {
		fail("%s: peers relating namespaces with sameLabels or notSameLabels are not modelled (they match nothing)", l)
	}
	p.subjectNS, p.subjectPod = labels.Nothing(), labels.Everything()
	switch {
	case subject.Namespaces != nil && subject.Pods != nil, subject.Namespaces == nil && subject.Pods == nil:
		fail("subject: exactly one of namespaces and pods must be set")
	case subject.Namespaces != nil:
		p.subjectNS = selectorOrNothing(subject.Namespaces, func(err error) { fail("subject.namespaces: %v", err) })
		p.described = append(p.described, described{ns: subject.Namespaces})
	default:
		p.described = append(p.described, described{ns: &subject.Pods.NamespaceSelector, pod: &subject.Pods.PodSelector})
		p.subjectNS = selectorOrNothing(&subject.Pods.NamespaceSelector, func(err error) { fail("subject.pods.namespaceSelector: %v", err) })
		p.subjectPod = selectorOrNothing(&subject.Pods.PodSelector, func(err error) { fail("subject.pods.podSelector: %v", err) })
		p.keys = append(p.keys, selectorKeys(&subject.Pods.PodSelector)...)
	}
	compile := func(dir string, specs []ruleSpec) []adminRule {
		var out []adminRule
		for i, rs := range specs {
			for _, pe := range rs.peers {
				switch {
				case pe.namespaces != nil:
					p.described = append(p.described, described{ns: pe.namespaces})
				case pe.pods != nil:
					p.described = append(p.described, described{ns: &pe.pods.NamespaceSelector, pod: &pe.pods.PodSelector})
				}
			}
			quiet := func(j int) bool { return slices.Contains(legacy, fmt.Sprintf("%s[%d] peer %d", dir, i, j)) }
			r, keys := compileAdminRule(i, rs, p.Baseline, quiet, func(f string, a ...any) { fail("%s[%d]: "+f, append([]any{dir, i}, a...)...) })
			p.keys = append(p.keys, keys...)
			out = append(out, r)
		}
		return out
	}
	p.ingress = compile("ingress", ingress)
	p.egress = compile("egress", egress)
	return p, errs
}

type ruleSpec struct {
	name   string
	action Action
	peers  []peerSpec
	ports  *[]anpv1.AdminNetworkPolicyPort
}

func ingressPeers(from []anpv1.AdminNetworkPolicyIngressPeer) []peerSpec {
	var out []peerSpec
	for _, pe := range from {
		out = append(out, peerSpec{namespaces: pe.Namespaces, pods: pe.Pods})
	}
	return out
}

func selectorOrNothing(s *metav1.LabelSelector, fail func(error)) labels.Selector {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		fail(err)
		return labels.Nothing()
	}
	return sel
}

// quiet says which peers were already reported (legacy related peers).
func compileAdminRule(index int, rs ruleSpec, baseline bool, quiet func(int) bool, fail func(string, ...any)) (adminRule, []string) {
	r := adminRule{index: index, name: rs.name, action: rs.action}
	var keys []string
	switch {
	case rs.action == ActionAllow, rs.action == ActionDeny, rs.action == ActionPass && !baseline:
	default:
		fail("action %q is not valid; the rule matches nothing", rs.action)
		r.peers = []adminPeer{}
		return r, nil
	}
	r.peers = []adminPeer{}
	for j, pe := range rs.peers {
		switch {
		case pe.namespaces != nil:
			ns := selectorOrNothing(pe.namespaces, func(err error) { fail("peer %d: namespaces: %v", j, err) })
			r.peers = append(r.peers, adminPeer{ns: ns, pod: labels.Everything()})
		case pe.pods != nil:
			ns := selectorOrNothing(&pe.pods.NamespaceSelector, func(err error) { fail("peer %d: pods.namespaceSelector: %v", j, err) })
			pod := selectorOrNothing(&pe.pods.PodSelector, func(err error) { fail("peer %d: pods.podSelector: %v", j, err) })
			keys = append(keys, selectorKeys(&pe.pods.PodSelector)...)
			r.peers = append(r.peers, adminPeer{ns: ns, pod: pod})
		case len(pe.networks) > 0:
			c := adminPeer{}
			for _, n := range pe.networks {
				pfx, err := netip.ParsePrefix(string(n))
				if err != nil {
					fail("peer %d: network %q: %v", j, n, err)
					continue
				}
				c.networks = append(c.networks, pfx.Masked())
			}
			r.peers = append(r.peers, c)
		case pe.nodes != nil, pe.domains > 0:
			// Not modelled: the model has no nodes and resolves no names.
		case quiet(j):
		default:
			fail("peer %d: selects nothing (no namespaces, pods, nodes or networks)", j)
		}
	}
	if rs.ports == nil {
		return r, keys
	}
	r.ports = []portSpec{}
	for j, pp := range *rs.ports {
		proto := func(p corev1.Protocol) corev1.Protocol {
			if p == "" {
				return corev1.ProtocolTCP
			}
			return p
		}
		switch {
		case pp.PortNumber != nil:
			r.ports = append(r.ports, portSpec{protocol: proto(pp.PortNumber.Protocol), from: pp.PortNumber.Port, to: pp.PortNumber.Port})
		case pp.NamedPort != nil:
			r.ports = append(r.ports, portSpec{anyProtocol: true, name: *pp.NamedPort})
		case pp.PortRange != nil:
			if pp.PortRange.End < pp.PortRange.Start {
				fail("ports[%d]: portRange end %d below start %d", j, pp.PortRange.End, pp.PortRange.Start)
				continue
			}
			r.ports = append(r.ports, portSpec{protocol: proto(pp.PortRange.Protocol), from: pp.PortRange.Start, to: pp.PortRange.End})
		default:
			fail("ports[%d]: none of portNumber, namedPort and portRange is set", j)
		}
	}
	return r, keys
}

// upgradeLegacyPeers rewrites the peers of the v0.1.1-and-earlier shape in place:
// namespaces {namespaceSelector: S} becomes namespaces S, pods {namespaces:
// {namespaceSelector: S}, podSelector: P} becomes pods {namespaceSelector: S,
// podSelector: P}. Peers relating namespaces (sameLabels, notSameLabels) become empty
// peers, which match nothing, and are listed in related.
func upgradeLegacyPeers(obj map[string]any, related *[]string) {
	spec, _ := obj["spec"].(map[string]any)
	for dir, field := range map[string]string{"ingress": "from", "egress": "to"} {
		rules, _ := spec[dir].([]any)
		for i, r := range rules {
			rule, _ := r.(map[string]any)
			peers, _ := rule[field].([]any)
			for j, pe := range peers {
				peer, _ := pe.(map[string]any)
				if peer == nil {
					continue
				}
				if ns, ok := peer["namespaces"].(map[string]any); ok && isLegacy(ns) {
					if relates(ns) {
						peers[j] = map[string]any{}
						*related = append(*related, fmt.Sprintf("%s[%d] peer %d", dir, i, j))
						continue
					}
					peer["namespaces"] = orEmpty(ns["namespaceSelector"])
				}
				if pods, ok := peer["pods"].(map[string]any); ok {
					if ns, ok := pods["namespaces"].(map[string]any); ok {
						if relates(ns) {
							peers[j] = map[string]any{}
							*related = append(*related, fmt.Sprintf("%s[%d] peer %d", dir, i, j))
							continue
						}
						peer["pods"] = map[string]any{"namespaceSelector": orEmpty(ns["namespaceSelector"]), "podSelector": orEmpty(pods["podSelector"])}
					}
				}
			}
		}
	}
}

func isLegacy(ns map[string]any) bool {
	for _, k := range []string{"namespaceSelector", "sameLabels", "notSameLabels"} {
		if _, ok := ns[k]; ok {
			return true
		}
	}
	return false
}

func relates(ns map[string]any) bool {
	for _, k := range []string{"sameLabels", "notSameLabels"} {
		if l, ok := ns[k].([]any); ok && len(l) > 0 {
			return true
		}
	}
	return false
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// sortAdmin orders AdminNetworkPolicies by priority, then name.
func sortAdmin(ps []*AdminPolicy) {
	slices.SortStableFunc(ps, func(a, b *AdminPolicy) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(a.Name, b.Name))
	})
}

// adminOf is what the admin tiers say about one workload: the AdminNetworkPolicies
// selecting it with rules in each direction (sorted), and whether the baseline does.
type adminOf struct {
	ingress, egress         []*AdminPolicy
	baseIngress, baseEgress bool
}

func (a *adminOf) policies(egress bool) ([]*AdminPolicy, bool) {
	if a == nil {
		return nil, false
	}
	if egress {
		return a.egress, a.baseEgress
	}
	return a.ingress, a.baseIngress
}

// hasAdmin reports whether an admin tier has a say on w's side for this direction.
func (m *Model) hasAdmin(w *Workload, egress bool) bool {
	if w == nil {
		return false
	}
	anps, base := m.admin[w].policies(egress)
	return len(anps) > 0 || base
}

// AdminPolicies returns the AdminNetworkPolicies in the order they take effect, and the
// BaselineAdminNetworkPolicy (nil when none).
func (m *Model) AdminPolicies() ([]*AdminPolicy, *AdminPolicy) { return m.anps, m.baseline }

// matchesAdminPeer reports whether other is selected by the peer.
func (m *Model) matchesAdminPeer(pe adminPeer, other Endpoint) bool {
	if pe.networks != nil {
		contains := func(a netip.Addr) bool {
			return slices.ContainsFunc(pe.networks, func(p netip.Prefix) bool { return p.Contains(a) })
		}
		if other.IP.IsValid() {
			return contains(other.IP)
		}
		return other.Workload != nil && slices.ContainsFunc(other.Workload.IPs, contains)
	}
	w := other.Workload
	if pe.ns == nil || w == nil || m.unprotected(w) {
		return false
	}
	return pe.ns.Matches(m.namespaces[w.Namespace]) && pe.pod.Matches(labels.Set(w.Labels))
}

func (m *Model) adminPeersMatch(r adminRule, other Endpoint) bool {
	return slices.ContainsFunc(r.peers, func(pe adminPeer) bool { return m.matchesAdminPeer(pe, other) })
}

// adminPortMatch reports whether an admin rule's ports admit port/proto (name: the
// destination's container port name, "" when unknown).
func adminPortMatch(r adminRule, port int32, proto corev1.Protocol, name string) bool {
	return r.ports == nil || slices.ContainsFunc(r.ports, func(s portSpec) bool { return s.matches(port, proto, name) })
}

// decide is the verdict on one side of one connection (see Check), through the tiers.
func (m *Model) decide(w *Workload, egress bool, nps []*Policy, rules func(*Policy) []rule, other Endpoint, port int32, proto corev1.Protocol, name string) Direction {
	anps, base := m.admin[w].policies(egress)
tiers:
	for _, p := range anps {
		for _, r := range p.rules(egress) {
			if !adminPortMatch(r, port, proto, name) || !m.adminPeersMatch(r, other) {
				continue
			}
			switch r.action {
			case ActionAllow:
				return Direction{Isolated: true, Allowed: true, Policies: []string{p.ID()}}
			case ActionDeny:
				return Direction{Isolated: true}
			}
			break tiers // Pass
		}
	}
	if len(nps) > 0 || !base || m.ciliumOf[w].isolates(egress) {
		return m.npDecide(w, egress, nps, rules, other, port, proto, name)
	}
	if m.ciliumDenied(w, egress, other, port, proto, name) {
		return Direction{Isolated: true}
	}
	for _, r := range m.baseline.rules(egress) {
		if adminPortMatch(r, port, proto, name) && m.adminPeersMatch(r, other) {
			if r.action == ActionAllow {
				return Direction{Isolated: true, Allowed: true, Policies: []string{m.baseline.ID()}}
			}
			return Direction{Isolated: true}
		}
	}
	return Direction{Allowed: true}
}

// adminSide is side (in graph.go) through the admin tiers: the ports one side allows,
// and the policies whose Allow rules (or NetworkPolicy rules) allow some of them.
func (m *Model) adminSide(w *Workload, egress bool, other Endpoint, dst *Workload) sideResult {
	nps, rules := m.ingressOf[w], ingressRules
	if egress {
		nps, rules = m.egressOf[w], egressRules
	}
	if !m.tiered(w, egress) {
		return m.side(nps, rules, other, dst)
	}
	if !m.hasAdmin(w, egress) {
		return m.npSide(w, egress, other, dst) // Cilium policies only
	}
	anps, base := m.admin[w].policies(egress)
	res := sideResult{}
	var allowed, passed []PortRange
	remaining := allPorts
	addPolicy := func(id string) {
		if !slices.Contains(res.policies, id) {
			res.policies = append(res.policies, id)
		}
	}
tiers:
	for _, p := range anps {
		for _, r := range p.rules(egress) {
			if !m.adminPeersMatch(r, other) {
				continue
			}
			rp := intersect(normalise(resolvePorts(r.ports, dst)), remaining)
			if len(rp) == 0 {
				continue
			}
			res.isolated = true
			remaining = subtract(remaining, rp)
			switch r.action {
			case ActionAllow:
				allowed = append(allowed, rp...)
				addPolicy(p.ID())
			case ActionPass:
				passed = append(passed, rp...)
			}
			if len(remaining) == 0 {
				break tiers
			}
		}
	}
	undecided := normalise(append(slices.Clone(remaining), passed...))
	var np sideResult // the NetworkPolicy tier, with the Cilium policies
	if len(undecided) > 0 {
		np = m.npSide(w, egress, other, dst)
	}
	switch {
	case len(undecided) == 0:
	case np.isolated:
		res.isolated = true
		allowed = append(allowed, intersect(np.ports, undecided)...)
		for _, id := range np.policies {
			addPolicy(id)
		}
		res.l7 = np.l7
	case base:
		undecided = intersect(undecided, np.ports) // less what Cilium deny items deny
		for _, r := range m.baseline.rules(egress) {
			if len(undecided) == 0 {
				break
			}
			if !m.adminPeersMatch(r, other) {
				continue
			}
			rp := intersect(normalise(resolvePorts(r.ports, dst)), undecided)
			if len(rp) == 0 {
				continue
			}
			res.isolated = true
			undecided = subtract(undecided, rp)
			if r.action == ActionAllow {
				allowed = append(allowed, rp...)
				addPolicy(m.baseline.ID())
			}
		}
		allowed = append(allowed, undecided...)
	default:
		allowed = append(allowed, intersect(undecided, np.ports)...)
	}
	res.ports = normalise(allowed)
	if len(res.policies) == 0 {
		// Only the default allow lets these ports through (admin rules only denied or
		// passed others): the side reads as not isolated, as for pods no policy selects.
		res.isolated = false
	}
	return res
}

// subtract returns the ports of normalised a that are not in normalised b.
func subtract(a, b []PortRange) []PortRange {
	var out []PortRange
	for _, x := range a {
		parts := []PortRange{x}
		for _, y := range b {
			if y.Protocol != x.Protocol {
				continue
			}
			var next []PortRange
			for _, p := range parts {
				if y.To < p.From || y.From > p.To {
					next = append(next, p)
					continue
				}
				if y.From > p.From {
					next = append(next, PortRange{p.Protocol, p.From, y.From - 1})
				}
				if y.To < p.To {
					next = append(next, PortRange{p.Protocol, y.To + 1, p.To})
				}
			}
			parts = next
		}
		out = append(out, parts...)
	}
	return normalise(out)
}

// adminExternal lists w's connections with the outside world, inbound (to w) or
// outbound, when an admin tier or a Cilium policy has a say on that side. The outside is
// cut into the prefixes the rules name (admin networks, NetworkPolicy ipBlocks, Cilium
// CIDRs, their exceptions, and 0.0.0.0/0 and ::/0); prefixes nest or are disjoint, so
// every address of a prefix outside the prefixes nested in it gets the same verdict,
// decided on one such address.
func (m *Model) adminExternal(w *Workload, inbound bool) []Connection {
	seen := map[netip.Prefix]bool{}
	var cands []netip.Prefix
	add := func(p netip.Prefix) {
		if !seen[p] {
			seen[p] = true
			cands = append(cands, p)
		}
	}
	add(netip.MustParsePrefix("0.0.0.0/0"))
	add(netip.MustParsePrefix("::/0"))
	anps, base := m.admin[w].policies(!inbound)
	if base {
		anps = append(slices.Clone(anps), m.baseline)
	}
	for _, p := range anps {
		for _, r := range p.rules(!inbound) {
			for _, pe := range r.peers {
				for _, n := range pe.networks {
					add(n)
				}
			}
		}
	}
	for _, n := range m.ciliumCIDRs(w, !inbound) {
		add(n)
	}
	nps, rules := m.egressOf[w], egressRules
	var dst *Workload
	if inbound {
		nps, rules, dst = m.ingressOf[w], ingressRules, w
	}
	for _, p := range nps {
		for _, r := range rules(p) {
			for _, pe := range r.peers {
				if pe.block != nil {
					add(pe.block.cidr)
					for _, e := range pe.block.except {
						add(e)
					}
				}
			}
		}
	}
	slices.SortFunc(cands, func(a, b netip.Prefix) int {
		return cmp.Or(cmp.Compare(a.Bits(), b.Bits()), a.Addr().Compare(b.Addr()))
	})
	type result struct {
		cidr    netip.Prefix
		inner   []netip.Prefix
		verdict sideResult
	}
	var results []result
	for _, p := range cands {
		var inner []netip.Prefix // the largest prefixes nested in p
		for _, q := range cands {
			if q.Bits() > p.Bits() && p.Contains(q.Addr()) && !slices.ContainsFunc(inner, func(i netip.Prefix) bool { return i.Contains(q.Addr()) }) {
				inner = append(inner, q)
			}
		}
		probe, ok := outside(p, inner)
		if !ok {
			continue
		}
		v := m.adminSide(w, !inbound, Endpoint{IP: probe}, dst)
		if len(v.ports) > 0 {
			results = append(results, result{p, inner, v})
		}
	}
	conn := func(outside Peer, v sideResult) Connection {
		c := Connection{Ports: v.ports, L7: v.l7}
		if inbound {
			c.Source, c.Destination = outside, Peer{Workload: w}
			c.IngressIsolated, c.IngressPolicies = v.isolated, v.policies
		} else {
			c.Source, c.Destination = Peer{Workload: w}, outside
			c.EgressIsolated, c.EgressPolicies = v.isolated, v.policies
		}
		return c
	}
	var out []Connection
	if len(results) == 2 && len(results[0].inner) == 0 && len(results[1].inner) == 0 && results[0].cidr.Bits() == 0 && results[1].cidr.Bits() == 0 &&
		slices.Equal(results[0].verdict.ports, results[1].verdict.ports) && slices.Equal(results[0].verdict.policies, results[1].verdict.policies) {
		return []Connection{conn(Peer{CIDR: World, blocks: worldBlocks}, results[0].verdict)}
	}
	for _, r := range results {
		text := r.cidr.String()
		if len(r.inner) > 0 {
			var ex []string
			for _, i := range r.inner {
				ex = append(ex, i.String())
			}
			text += " except " + strings.Join(ex, ",")
		}
		out = append(out, conn(Peer{CIDR: text, blocks: []*ipBlock{{cidr: r.cidr, except: r.inner, text: text}}}, r.verdict))
	}
	slices.SortFunc(out, func(a, b Connection) int {
		return cmp.Or(strings.Compare(a.Source.CIDR, b.Source.CIDR), strings.Compare(a.Destination.CIDR, b.Destination.CIDR))
	})
	return out
}

// outside returns an address of p in none of inner (each nested in p), if there is one:
// p's first address, or the one after the end of an inner prefix.
func outside(p netip.Prefix, inner []netip.Prefix) (netip.Addr, bool) {
	probes := []netip.Addr{p.Addr()}
	for _, i := range inner {
		if next := lastAddr(i).Next(); next.IsValid() && p.Contains(next) {
			probes = append(probes, next)
		}
	}
	for _, a := range probes {
		if !slices.ContainsFunc(inner, func(i netip.Prefix) bool { return i.Contains(a) }) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 1 << (7 - j)
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
