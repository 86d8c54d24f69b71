// Package netmodel computes who can reach whom from Kubernetes manifests: workloads (the
// pod templates of every workload kind, and Pods), namespaces (with their labels, including
// the kubernetes.io/metadata.name label the API server adds) and NetworkPolicies.
//
// It follows the networking.k8s.io/v1 semantics exactly: a pod is isolated for a
// direction when a policy of that type selects it, and then admits only what some rule of
// a selecting policy allows; traffic between two pods needs the source's egress and the
// destination's ingress. Missing and empty ingress/egress/from/to/ports, AND within a peer
// and OR across peers, ipBlock with except, named ports resolved against the destination
// pod's container ports, endPort ranges, protocol defaulting to TCP and policyTypes
// defaulting (Ingress always, Egress when spec.egress has a rule) are all honoured.
//
// AdminNetworkPolicies and the BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)
// are folded in as the API's precedence says: admin rules first (Allow and Deny decide,
// Pass hands over), then NetworkPolicies, then the baseline, then the default allow; see
// admin.go for what is and is not modelled.
//
// Pods that workload controllers made are folded into their controller, as the live
// audit folds them; see owners.go.
//
// Deliberate differences from a live cluster, which no manifest can tell:
//   - Host-network workloads are outside NetworkPolicy by default: they are never
//     isolated, and their traffic leaves from the node's address, so pod and namespace
//     selectors do not match them as peers. WithHostNetwork(HostNetworkPod) treats them
//     as any pod instead, as most network plugins do; the API leaves it to the plugin.
//   - Traffic from the node to its own pods (kubelet probes) is always allowed by CNIs and
//     is not modelled.
//   - ipBlock peers match the outside world; they match pods only when the pods' IPs are
//     known (Workload.IPs), which manifests rarely say.
package netmodel

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// DefaultNamespace is where a namespaced object without metadata.namespace lands.
const DefaultNamespace = "default"

// NamespaceNameLabel is the label the API server puts on every namespace.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// Protocols are the protocols NetworkPolicies name.
var Protocols = []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}

// Namespace is a namespace and its labels.
type Namespace struct {
	Name   string
	Labels map[string]string
}

// ContainerPort is a port a workload's containers declare.
type ContainerPort struct {
	Name     string
	Port     int32
	Protocol corev1.Protocol
}

// Workload is a set of identical pods: a Pod, the pod template of a Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or PodTemplate,
// or Pods of a controller that is not in the input, grouped (Pods names them).
type Workload struct {
	Namespace   string
	Name        string
	Kind        string
	Labels      map[string]string // the pods' labels
	Ports       []ContainerPort
	HostNetwork bool
	IPs         []netip.Addr // the pods' addresses, when known
	// ServiceAccount is the pods' spec.serviceAccountName ("" is default), which Cilium
	// identities carry.
	ServiceAccount string
	// Object is the workload's position in the objects given to FromObjects (for a
	// group of Pods, its first Pod's); it means nothing for workloads built otherwise.
	Object int
	// Pods names the Pods the workload stands for when FromObjects grouped them under
	// their controller, which the input does not hold (Kind and Name are then the
	// controller's, and Labels those the Pods share); nil otherwise.
	Pods []string
	id   string // ID, set when the model is built
}

// ID names the workload as namespace/name[Kind].
func (w *Workload) ID() string {
	if w.id != "" {
		return w.id
	}
	return w.Namespace + "/" + w.Name + "[" + w.Kind + "]"
}

// portName returns the name of the container port with this number and protocol.
func (w *Workload) portName(port int32, proto corev1.Protocol) string {
	for _, p := range w.Ports {
		if p.Port == port && p.Protocol == proto {
			return p.Name
		}
	}
	return ""
}

// Policy is a NetworkPolicy, compiled.
type Policy struct {
	Namespace, Name string
	Ingress, Egress bool // effective policyTypes
	selector        labels.Selector
	keys            []string // the pod label keys its selectors read
	ingress, egress []rule
	id              string // namespace/name, set when compiled
}

// ID names the policy as namespace/name.
func (p *Policy) ID() string {
	if p.id == "" {
		return p.Namespace + "/" + p.Name
	}
	return p.id
}

// rule is one ingress or egress rule. nil peers: every peer; nil ports: every port.
type rule struct {
	index int
	peers []peer
	ports []portSpec
}

// peer is one entry of from or to: an ipBlock, or namespace and pod selectors (ANDed).
type peer struct {
	block *ipBlock
	// ns: nil selects the policy's own namespace (in policyNS).
	ns, pod  labels.Selector
	policyNS string
}

type ipBlock struct {
	cidr   netip.Prefix
	except []netip.Prefix
	text   string
}

func (b *ipBlock) contains(a netip.Addr) bool {
	if !b.cidr.Contains(a) {
		return false
	}
	for _, e := range b.except {
		if e.Contains(a) {
			return false
		}
	}
	return true
}

// portSpec is one entry of ports: a protocol and a number, a range, a name, or nothing
// (every port of the protocol).
type portSpec struct {
	protocol corev1.Protocol
	all      bool
	from, to int32
	name     string
	// anyProtocol: a named port of any protocol (AdminNetworkPolicy namedPort).
	anyProtocol bool
}

// matches reports whether traffic to port/proto, whose destination container port is
// called name ("" when unknown), is allowed by the spec.
func (s portSpec) matches(port int32, proto corev1.Protocol, name string) bool {
	switch {
	case s.anyProtocol:
		return name != "" && s.name == name
	case s.protocol != proto:
		return false
	case s.all:
		return true
	case s.name != "":
		return name != "" && s.name == name
	default:
		return port >= s.from && port <= s.to
	}
}

// CompilePolicy compiles a NetworkPolicy. Errors name what the API server would reject;
// the policy is still returned with the offending parts matching nothing.
func CompilePolicy(np *networkingv1.NetworkPolicy) (*Policy, []error) {
	ns := np.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	p := &Policy{Namespace: ns, Name: np.Name, id: ns + "/" + np.Name}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("NetworkPolicy %s: %s", p.ID(), fmt.Sprintf(format, args...)))
	}
	p.Ingress, p.Egress = EffectiveTypes(np.Spec)
	var err error
	p.keys = selectorKeys(&np.Spec.PodSelector)
	for _, r := range np.Spec.Ingress {
		for _, pe := range r.From {
			p.keys = append(p.keys, selectorKeys(pe.PodSelector)...)
		}
	}
	for _, r := range np.Spec.Egress {
		for _, pe := range r.To {
			p.keys = append(p.keys, selectorKeys(pe.PodSelector)...)
		}
	}
	if p.selector, err = metav1.LabelSelectorAsSelector(&np.Spec.PodSelector); err != nil {
		fail("podSelector: %v", err)
		p.selector = labels.Nothing()
	}
	for i, r := range np.Spec.Ingress {
		p.ingress = append(p.ingress, compileRule(ns, i, r.From, r.Ports, func(f string, a ...any) { fail("ingress[%d]: "+f, append([]any{i}, a...)...) }))
	}
	for i, r := range np.Spec.Egress {
		p.egress = append(p.egress, compileRule(ns, i, r.To, r.Ports, func(f string, a ...any) { fail("egress[%d]: "+f, append([]any{i}, a...)...) }))
	}
	return p, errs
}

// EffectiveTypes applies policyTypes defaulting: when unset, every policy affects
// ingress, and egress when spec.egress has a rule.
func EffectiveTypes(spec networkingv1.NetworkPolicySpec) (ingress, egress bool) {
	if len(spec.PolicyTypes) == 0 {
		return true, len(spec.Egress) > 0
	}
	return slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeIngress), slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeEgress)
}

func compileRule(ns string, index int, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort, fail func(string, ...any)) rule {
	r := rule{index: index}
	if len(peers) > 0 {
		r.peers = []peer{}
	}
	for j, pe := range peers {
		switch {
		case pe.IPBlock != nil:
			b, err := compileBlock(pe.IPBlock)
			if err != nil {
				fail("peer %d: %v", j, err)
				continue
			}
			r.peers = append(r.peers, peer{block: b})
		case pe.NamespaceSelector == nil && pe.PodSelector == nil:
			fail("peer %d: selects nothing (no ipBlock, namespaceSelector or podSelector)", j)
		default:
			c := peer{policyNS: ns, pod: labels.Everything()}
			var err error
			if pe.NamespaceSelector != nil {
				if c.ns, err = metav1.LabelSelectorAsSelector(pe.NamespaceSelector); err != nil {
					fail("peer %d: namespaceSelector: %v", j, err)
					continue
				}
			}
			if pe.PodSelector != nil {
				if c.pod, err = metav1.LabelSelectorAsSelector(pe.PodSelector); err != nil {
					fail("peer %d: podSelector: %v", j, err)
					continue
				}
			}
			r.peers = append(r.peers, c)
		}
	}
	if len(ports) > 0 {
		r.ports = []portSpec{}
	}
	for j, pp := range ports {
		s := portSpec{protocol: corev1.ProtocolTCP}
		if pp.Protocol != nil && *pp.Protocol != "" {
			s.protocol = *pp.Protocol
		}
		switch {
		case pp.Port == nil && pp.EndPort != nil:
			fail("ports[%d]: endPort without port", j)
			continue
		case pp.Port == nil:
			s.all = true
		case pp.Port.Type == intstr.String:
			if pp.EndPort != nil {
				fail("ports[%d]: endPort with a named port", j)
				continue
			}
			s.name = pp.Port.StrVal
		default:
			s.from, s.to = pp.Port.IntVal, pp.Port.IntVal
			if pp.EndPort != nil {
				if *pp.EndPort < s.from {
					fail("ports[%d]: endPort %d below port %d", j, *pp.EndPort, s.from)
					continue
				}
				s.to = *pp.EndPort
			}
		}
		r.ports = append(r.ports, s)
	}
	return r
}

func compileBlock(b *networkingv1.IPBlock) (*ipBlock, error) {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return nil, fmt.Errorf("ipBlock cidr %q: %w", b.CIDR, err)
	}
	out := &ipBlock{cidr: cidr.Masked(), text: b.CIDR}
	for _, e := range b.Except {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return nil, fmt.Errorf("ipBlock except %q: %w", e, err)
		}
		out.except = append(out.except, p.Masked())
	}
	if len(b.Except) > 0 {
		out.text += " except " + strings.Join(b.Except, ",")
	}
	return out, nil
}

// selectorKeys returns the label keys a selector reads.
func selectorKeys(s *metav1.LabelSelector) []string {
	if s == nil {
		return nil
	}
	var keys []string
	for k := range s.MatchLabels {
		keys = append(keys, k)
	}
	for _, e := range s.MatchExpressions {
		keys = append(keys, e.Key)
	}
	return keys
}
