package netgen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// Names of the namespace-wide policies.
const (
	DefaultDenyName = "ringfence-default-deny"
	DNSName         = "ringfence-dns"
	namePrefix      = "ringfence-"
)

// Generated reports whether a NetworkPolicy is one ringfence generated.
func Generated(labels map[string]string) bool { return labels[ManagedByLabel] == ManagedBy }

// build writes the policies for the connections.
func (s *set) build() {
	current := newJudge(s.keptModel)
	var out []*networkingv1.NetworkPolicy
	for _, ns := range sortedKeys(s.namespaces) {
		ingress, egress := true, true
		for _, p := range s.kept {
			if p.Namespace != ns {
				continue
			}
			i, e := denies(p)
			ingress, egress = ingress && !i, egress && !e
		}
		if ingress || egress {
			out = append(out, s.policy(ns, DefaultDenyName, "default-deny", metav1.LabelSelector{}, types(ingress, egress), nil, nil))
		}
		if !s.opts.DNS.Disabled {
			peer := networkingv1.NetworkPolicyPeer{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{netmodel.NamespaceNameLabel: s.opts.DNS.Namespace}},
				PodSelector:       &metav1.LabelSelector{MatchLabels: s.opts.DNS.Labels},
			}
			udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
			port := intstr.FromInt32(53)
			rule := networkingv1.NetworkPolicyEgressRule{
				To:    []networkingv1.NetworkPolicyPeer{peer},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &port}, {Protocol: &tcp, Port: &port}},
			}
			out = append(out, s.policy(ns, DNSName, "dns", metav1.LabelSelector{}, types(false, true), nil, []networkingv1.NetworkPolicyEgressRule{rule}))
		}
	}
	names := map[string]bool{}
	var conns []Connection
	for _, c := range s.res.Connections {
		if bad := s.unselectable(c); bad != nil {
			for _, e := range c.Evidence {
				s.unresolved(e, "%s has no pod labels a selector can use (only per-revision ones, or none): label its pods", bad.ID())
			}
			continue
		}
		conns = append(conns, c)
	}
	s.res.Connections = conns
	// Each workload's connections, in order, on each side.
	into, outOf := map[*netmodel.Workload][]Connection{}, map[*netmodel.Workload][]Connection{}
	for _, c := range conns {
		if c.To.Workload != nil {
			into[c.To.Workload] = append(into[c.To.Workload], c)
		}
		if c.From.Workload != nil {
			outOf[c.From.Workload] = append(outOf[c.From.Workload], c)
		}
	}
	for _, w := range s.workloads {
		sel, ok := s.selectors[w]
		if !ok {
			continue
		}
		var ingress []networkingv1.NetworkPolicyIngressRule
		var egress []networkingv1.NetworkPolicyEgressRule
		for _, c := range into[w] {
			if !s.allowedBy(current, c, false) {
				ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{From: []networkingv1.NetworkPolicyPeer{s.peer(c.From, w.Namespace)}, Ports: policyPorts(c.Ports)})
			}
		}
		for _, c := range outOf[w] {
			if !s.allowedBy(current, c, true) {
				egress = append(egress, networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{s.peer(c.To, w.Namespace)}, Ports: policyPorts(c.Ports)})
			}
		}
		if len(ingress) == 0 && len(egress) == 0 {
			continue
		}
		name := namePrefix + w.Name
		if names[w.Namespace+"/"+name] {
			name += "-" + strings.ToLower(w.Kind)
		}
		names[w.Namespace+"/"+name] = true
		out = append(out, s.policy(w.Namespace, name, w.Name, metav1.LabelSelector{MatchLabels: sel}, types(len(ingress) > 0, len(egress) > 0), ingress, egress))
	}
	slices.SortStableFunc(out, func(a, b *networkingv1.NetworkPolicy) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	s.res.Policies = out
}

// unselectable returns a workload end of c that no selector can pick, or nil.
func (s *set) unselectable(c Connection) *netmodel.Workload {
	for _, w := range []*netmodel.Workload{c.From.Workload, c.To.Workload} {
		if w == nil {
			continue
		}
		if _, ok := s.selectors[w]; !ok {
			return w
		}
	}
	return nil
}

// allowedBy reports whether the kept input policies already allow a connection on one
// side (egress: the source's), on every port, with that side isolated by them: then no
// rule is added there. Only connections between workloads of the set are judged; the
// others always get their rules.
func (s *set) allowedBy(j judge, c Connection, egress bool) bool {
	if c.From.Workload == nil || c.To.Workload == nil || c.Ports == nil {
		return false
	}
	from, to := j.byID[c.From.Workload.ID()], j.byID[c.To.Workload.ID()]
	if from == nil || to == nil {
		return false
	}
	src, dst := netmodel.Endpoint{Workload: from}, netmodel.Endpoint{Workload: to}
	for _, p := range c.Ports {
		number, ok := portNumber(p, c.To.Workload)
		if !ok || p.EndPort > 0 {
			return false // a range is judged by its rule being added again
		}
		v := j.model.Check(src, dst, number, p.Protocol)
		d := v.Ingress
		if egress {
			d = v.Egress
		}
		if !d.Isolated || !d.Allowed {
			return false
		}
	}
	return true
}

// portNumber resolves a port to a number against the destination's container ports.
func portNumber(p Port, dst *netmodel.Workload) (int32, bool) {
	if p.Port.Type == intstr.Int {
		return p.Port.IntVal, true
	}
	for _, cp := range dst.Ports {
		if cp.Name == p.Port.StrVal && cp.Protocol == p.Protocol {
			return cp.Port, true
		}
	}
	return 0, false
}

// peer is how a policy in namespace ns names an end.
func (s *set) peer(e End, ns string) networkingv1.NetworkPolicyPeer {
	if e.Workload == nil {
		return *e.Peer
	}
	p := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: s.selectors[e.Workload]}}
	if e.Workload.Namespace != ns {
		p.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{netmodel.NamespaceNameLabel: e.Workload.Namespace}}
	}
	return p
}

func policyPorts(ports []Port) []networkingv1.NetworkPolicyPort {
	if ports == nil {
		return nil
	}
	out := make([]networkingv1.NetworkPolicyPort, len(ports))
	for i, p := range ports {
		proto, port := p.Protocol, p.Port
		out[i] = networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &port}
		if p.EndPort > 0 {
			end := p.EndPort
			out[i].EndPort = &end
		}
	}
	return out
}

func types(ingress, egress bool) []networkingv1.PolicyType {
	var out []networkingv1.PolicyType
	if ingress {
		out = append(out, networkingv1.PolicyTypeIngress)
	}
	if egress {
		out = append(out, networkingv1.PolicyTypeEgress)
	}
	return out
}

// denies reports whether a policy denies every pod of its namespace a direction: an
// empty podSelector, the direction among its types, and no rule for it.
func denies(p *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(p.Spec.PodSelector.MatchLabels) > 0 || len(p.Spec.PodSelector.MatchExpressions) > 0 {
		return false, false
	}
	i, e := netmodel.EffectiveTypes(p.Spec)
	return i && len(p.Spec.Ingress) == 0, e && len(p.Spec.Egress) == 0
}

func (s *set) policy(ns, name, forWhat string, sel metav1.LabelSelector, t []networkingv1.PolicyType, in []networkingv1.NetworkPolicyIngressRule, eg []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: ns,
			Labels:    map[string]string{ManagedByLabel: ManagedBy, ForLabel: forWhat},
		},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: sel, PolicyTypes: t, Ingress: in, Egress: eg},
	}
}

// judge is a connectivity model with the workloads of the set found by ID.
type judge struct {
	model *netmodel.Model
	byID  map[string]*netmodel.Workload
}

func newJudge(m *netmodel.Model) judge {
	j := judge{model: m, byID: map[string]*netmodel.Workload{}}
	for _, w := range m.Workloads() {
		j.byID[w.ID()] = w
	}
	return j
}

// modelWith is the connectivity model of the input with these policies instead of the
// input's NetworkPolicies.
func (s *set) modelWith(policies []*networkingv1.NetworkPolicy) (*netmodel.Model, error) {
	objs := withoutPolicies(s.objs)
	for _, p := range policies {
		obj, err := policyObject(p)
		if err != nil {
			return nil, err
		}
		objs = append(objs, obj)
	}
	m, _ := netmodel.FromObjects(objs)
	return m, nil
}

// withoutPolicies is objs without their NetworkPolicies.
func withoutPolicies(objs []map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		if o["kind"] == "NetworkPolicy" {
			continue
		}
		out = append(out, o)
	}
	return out
}

// policyObject is a policy as an object of the input.
func policyObject(p *networkingv1.NetworkPolicy) (map[string]any, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding NetworkPolicy %s/%s: %w", p.Namespace, p.Name, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("encoding NetworkPolicy %s/%s: %w", p.Namespace, p.Name, err)
	}
	return obj, nil
}
