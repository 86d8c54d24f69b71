// Package netgen generates least-privilege NetworkPolicies from manifests: a default
// deny per namespace, and per workload the ingress and egress rules for exactly the
// connections the manifests show it needs (the Services its environment, arguments and
// ConfigMaps name; the Ingress and Gateway API routes that send traffic to it; the
// LoadBalancer and NodePort Services that expose it; the API server, when its service
// account is granted something) and those an intents file declares. Every allowed
// connection carries its evidence, and every reference that could not be resolved is
// reported, so that nothing is allowed silently. Prove checks the result with the
// connectivity model.
package netgen

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/rbac"
	"github.com/ringfence/ringfence/harness/workload"
)

// Labels that mark what ringfence generated: a second run replaces these policies.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "ringfence"
	// ForLabel names what a generated policy is for: a workload's name, or
	// "default-deny" and "dns" for the namespace-wide ones.
	ForLabel = "ringfence.dev/policy-for"
)

// Options steer generation. The zero value generates with the defaults.
type Options struct {
	// ClusterDomain is the cluster's DNS domain (default cluster.local).
	ClusterDomain string
	// DNS is where cluster DNS runs, which every namespace's pods may reach on port 53.
	DNS DNS
	// IngressNamespaces are the namespaces the ingress controllers run in, which
	// Ingress backends are opened to; empty: found in the set (see Generate).
	IngressNamespaces []string
	// APIServer are the API server's addresses, CIDRs or IPs; empty: any address,
	// on APIServerPorts.
	APIServer []string
	// APIServerPorts are the ports the API server listens on (default 443 and 6443).
	APIServerPorts []int32
	// Intents are connections the manifests cannot show.
	Intents []Intent
	// Replace generates the whole set as if the input held no NetworkPolicy, and lists
	// the input's policies in Result.Replaced; by default the generated policies only
	// add what the input's policies do not already allow.
	Replace bool
}

// DNS is where cluster DNS runs.
type DNS struct {
	Disabled  bool              // no DNS egress policy
	Namespace string            // default kube-system
	Labels    map[string]string // the DNS pods' labels (default k8s-app: kube-dns)
}

func (o *Options) defaults() {
	if o.ClusterDomain == "" {
		o.ClusterDomain = "cluster.local"
	}
	if o.DNS.Namespace == "" {
		o.DNS.Namespace = "kube-system"
	}
	if o.DNS.Labels == nil {
		o.DNS.Labels = map[string]string{"k8s-app": "kube-dns"}
	}
	if len(o.APIServerPorts) == 0 {
		o.APIServerPorts = []int32{443, 6443}
	}
}

// End is one end of a connection: a workload of the set, or pods or addresses outside it
// (Peer, as a NetworkPolicy names them).
type End struct {
	Workload *netmodel.Workload
	Peer     *networkingv1.NetworkPolicyPeer
	// Outside is true for addresses outside the cluster (Peer is an ipBlock).
	Outside bool
	// Name is how reports name the end.
	Name string
}

func (e End) key() string {
	if e.Workload != nil {
		return e.Workload.ID()
	}
	return e.Name
}

// Port is a port a connection uses, as the destination declares it: a number, or the
// name of a container port.
type Port struct {
	Port     intstr.IntOrString
	Protocol corev1.Protocol
	// EndPort, when set, makes the port a range of numbers from Port.
	EndPort int32
}

func (p Port) String() string {
	if p.EndPort > 0 {
		return fmt.Sprintf("%s-%d/%s", p.Port.String(), p.EndPort, p.Protocol)
	}
	return p.Port.String() + "/" + string(p.Protocol)
}

// Connection is an allowed connection, with the evidence for it. Nil Ports: every port.
type Connection struct {
	From, To End
	Ports    []Port
	Evidence []string
}

// Unresolved is a reference that allows nothing: what was read, where, and why.
type Unresolved struct {
	Evidence string
	Reason   string
}

// Result is what Generate produces.
type Result struct {
	Policies    []*networkingv1.NetworkPolicy
	Connections []Connection
	Unresolved  []Unresolved
	// Notes say where the generated set is wider than the evidence (workloads no
	// labels tell apart, ports not written) or what the input's policies decide.
	Notes []string
	// Replaced are the input's NetworkPolicies (namespace/name) that Replace leaves
	// out: the generated set stands in for them.
	Replaced []string
	// Existing are the input's NetworkPolicies (namespace/name) the generated set is
	// added to (without Replace).
	Existing []string
}

// set is the input, indexed.
type set struct {
	objs       []map[string]any
	opts       Options
	model      *netmodel.Model
	namespaces map[string]bool
	services   map[netgenKey]*service
	configMaps map[netgenKey]map[string]string
	workloads  []*netmodel.Workload
	pods       map[*netmodel.Workload]workload.Pod
	selectors  map[*netmodel.Workload]map[string]string
	policies   []*networkingv1.NetworkPolicy
	// kept are the input's policies the generated set is added to (none with Replace,
	// and never those a previous run generated), and keptModel the connectivity model
	// of the input under them alone.
	kept      []*networkingv1.NetworkPolicy
	keptModel *netmodel.Model
	res       *Result
	reported  map[Unresolved]bool
	conns     map[[2]string]*Connection
	order     [][2]string
}

type netgenKey struct{ namespace, name string }

type service struct {
	ns, name string
	spec     corev1.ServiceSpec
	targets  []*netmodel.Workload // the workloads its selector selects
}

// Generate derives the connections the objects show and the policies that allow exactly
// them. Objects that cannot be decoded are left out, as the connectivity model leaves
// them out; the caller reports them from the model.
func Generate(objs []map[string]any, opts Options) (*Result, error) {
	opts.defaults()
	for _, c := range opts.APIServer {
		if _, err := parsePrefix(c); err != nil {
			return nil, fmt.Errorf("API server address %q: %w", c, err)
		}
	}
	intents, err := compileIntents(opts.Intents)
	if err != nil {
		return nil, err
	}
	s := &set{
		objs:       objs,
		opts:       opts,
		namespaces: map[string]bool{},
		services:   map[netgenKey]*service{},
		configMaps: map[netgenKey]map[string]string{},
		pods:       map[*netmodel.Workload]workload.Pod{},
		res:        &Result{},
		reported:   map[Unresolved]bool{},
		conns:      map[[2]string]*Connection{},
	}
	s.model, _ = netmodel.FromObjects(objs)
	s.index()
	if err := s.keep(); err != nil {
		return nil, err
	}
	s.selectors = selectors(s.workloads, s.res)
	for _, w := range s.workloads {
		s.references(w)
	}
	s.ingresses()
	s.routes()
	s.exposed()
	s.apiServer()
	s.keptConnections()
	if err := s.intents(intents); err != nil {
		return nil, err
	}
	for _, k := range s.order {
		s.res.Connections = append(s.res.Connections, *s.conns[k])
	}
	s.build()
	return s.res, nil
}

// index reads the namespaces, Services, ConfigMaps and policies, and the workloads of
// the model with their pod specs.
func (s *set) index() {
	for _, obj := range s.objs {
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		ns, _ := meta["namespace"].(string)
		if ns == "" {
			ns = netmodel.DefaultNamespace
		}
		switch {
		case apiVersion == "v1" && kind == "Namespace":
			s.namespaces[name] = true
		case apiVersion == "v1" && kind == "Service":
			var svc corev1.Service
			if workload.Decode(obj, &svc) == nil {
				s.services[netgenKey{ns, name}] = &service{ns: ns, name: name, spec: svc.Spec}
			}
		case apiVersion == "v1" && kind == "ConfigMap":
			var cm corev1.ConfigMap
			if workload.Decode(obj, &cm) == nil {
				s.configMaps[netgenKey{ns, name}] = cm.Data
			}
		case kind == "NetworkPolicy" && (apiVersion == "networking.k8s.io/v1" || apiVersion == "extensions/v1beta1"):
			var np networkingv1.NetworkPolicy
			if workload.Decode(obj, &np) == nil {
				if np.Namespace == "" {
					np.Namespace = netmodel.DefaultNamespace
				}
				s.policies = append(s.policies, &np)
			}
		}
	}
	for _, w := range s.model.Workloads() {
		pod, ok, err := workload.Of(s.objs[w.Object])
		if !ok || err != nil {
			continue
		}
		s.workloads = append(s.workloads, w)
		s.pods[w] = pod
		s.namespaces[w.Namespace] = true
	}
	byNS := map[string][]*netmodel.Workload{}
	for _, w := range s.workloads {
		byNS[w.Namespace] = append(byNS[w.Namespace], w)
	}
	for _, svc := range s.services {
		s.namespaces[svc.ns] = true
		if len(svc.spec.Selector) == 0 {
			continue
		}
		sel := labels.SelectorFromSet(svc.spec.Selector)
		for _, w := range byNS[svc.ns] {
			if sel.Matches(labels.Set(w.Labels)) {
				svc.targets = append(svc.targets, w)
			}
		}
	}
}

// connect adds a connection, merging it with one between the same ends. Nil ports:
// every port.
func (s *set) connect(from, to End, ports []Port, evidence string) {
	k := [2]string{from.key(), to.key()}
	c := s.conns[k]
	if c == nil {
		c = &Connection{From: from, To: to, Ports: []Port{}}
		s.conns[k] = c
		s.order = append(s.order, k)
	}
	switch {
	case ports == nil:
		c.Ports = nil
	case c.Ports != nil:
		for _, p := range ports {
			if !slices.Contains(c.Ports, p) {
				c.Ports = append(c.Ports, p)
			}
		}
		slices.SortFunc(c.Ports, comparePorts)
	}
	if !slices.Contains(c.Evidence, evidence) {
		c.Evidence = append(c.Evidence, evidence)
	}
}

func comparePorts(a, b Port) int {
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	if a.Port.Type != b.Port.Type {
		return cmp.Compare(a.Port.Type, b.Port.Type)
	}
	return cmp.Or(cmp.Compare(a.Port.IntVal, b.Port.IntVal), cmp.Compare(a.Port.StrVal, b.Port.StrVal), cmp.Compare(a.EndPort, b.EndPort))
}

func (s *set) unresolved(evidence, format string, args ...any) {
	u := Unresolved{Evidence: evidence, Reason: fmt.Sprintf(format, args...)}
	if !s.reported[u] {
		s.reported[u] = true
		s.res.Unresolved = append(s.res.Unresolved, u)
	}
}

func workloadEnd(w *netmodel.Workload) End { return End{Workload: w, Name: w.ID()} }

func describe(w *netmodel.Workload) string {
	return fmt.Sprintf("%s %s/%s", w.Kind, w.Namespace, w.Name)
}

// servicePorts resolves a Service port to the port each target workload receives it on:
// the container port the targetPort names or numbers, by its name when the container
// declares one, else by number. ok is false when a named targetPort matches no container
// port of a target (the Service sends that target nothing on it).
func servicePorts(sp corev1.ServicePort, w *netmodel.Workload) (Port, bool) {
	proto := sp.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	target := sp.TargetPort
	if target.Type == intstr.Int && target.IntVal == 0 {
		target = intstr.FromInt32(sp.Port)
	}
	for _, cp := range w.Ports {
		if cp.Protocol != proto {
			continue
		}
		if target.Type == intstr.String && cp.Name == target.StrVal || target.Type == intstr.Int && cp.Port == target.IntVal {
			if cp.Name != "" {
				return Port{Port: intstr.FromString(cp.Name), Protocol: proto}, true
			}
			return Port{Port: intstr.FromInt32(cp.Port), Protocol: proto}, true
		}
	}
	if target.Type == intstr.String {
		return Port{}, false
	}
	return Port{Port: target, Protocol: proto}, true
}

// toService allows from to reach a Service's targets on the Service ports selected
// (every port when ports is nil), with evidence; what it cannot resolve is reported.
func (s *set) toService(from End, svc *service, ports []corev1.ServicePort, evidence string) {
	if len(svc.spec.Selector) == 0 {
		s.unresolved(evidence, "Service %s/%s has no selector: its endpoints are not in the manifests (declare them in an intents file)", svc.ns, svc.name)
		return
	}
	if len(svc.targets) == 0 {
		s.unresolved(evidence, "Service %s/%s selects no workload in the input", svc.ns, svc.name)
		return
	}
	if ports == nil {
		ports = svc.spec.Ports
	}
	for _, w := range svc.targets {
		if from.Workload == w {
			continue // a pod reaching itself through its Service needs no policy
		}
		var out []Port
		for _, sp := range ports {
			p, ok := servicePorts(sp, w)
			if !ok {
				s.unresolved(evidence, "Service %s/%s port %s targets port %q, which %s does not declare", svc.ns, svc.name, portLabel(sp), sp.TargetPort.StrVal, describe(w))
				continue
			}
			out = append(out, p)
		}
		if len(out) > 0 {
			s.connect(from, workloadEnd(w), out, evidence)
		}
	}
}

func portLabel(sp corev1.ServicePort) string {
	if sp.Name != "" {
		return fmt.Sprintf("%d (%s)", sp.Port, sp.Name)
	}
	return fmt.Sprint(sp.Port)
}

// namespacePeer selects every pod of a namespace.
func namespacePeer(ns string) *networkingv1.NetworkPolicyPeer {
	return &networkingv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{netmodel.NamespaceNameLabel: ns}}}
}

// ipPeer is an ipBlock peer for a CIDR or an address.
func ipPeer(cidr string) (*networkingv1.NetworkPolicyPeer, error) {
	p, err := parsePrefix(cidr)
	if err != nil {
		return nil, err
	}
	return &networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: p.String()}}, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not a CIDR or an IP address")
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// apiServer lets the workloads whose service account the input's RBAC grants something,
// and whose pods mount a token, reach the API server.
func (s *set) apiServer() {
	policy, _ := rbac.New(s.objs, rbac.Options{NoDefaults: true})
	byObject := map[int]rbac.WorkloadPod{}
	for _, wp := range policy.Workloads() {
		byObject[wp.Object] = wp
	}
	var ends []End
	if len(s.opts.APIServer) == 0 {
		for _, world := range []string{"0.0.0.0/0", "::/0"} {
			peer, _ := ipPeer(world)
			ends = append(ends, End{Peer: peer, Outside: true, Name: "the API server (any address: --api-server narrows it)"})
		}
	}
	for _, c := range s.opts.APIServer {
		peer, _ := ipPeer(c)
		ends = append(ends, End{Peer: peer, Outside: true, Name: "the API server (" + peer.IPBlock.CIDR + ")"})
	}
	var ports []Port
	for _, p := range s.opts.APIServerPorts {
		ports = append(ports, Port{Port: intstr.FromInt32(p), Protocol: corev1.ProtocolTCP})
	}
	for _, w := range s.workloads {
		wp, ok := byObject[w.Object]
		if !ok {
			continue
		}
		ns, sa := policy.ServiceAccountOf(wp)
		grants := policy.Grants(rbac.ServiceAccount(ns, sa))
		if len(grants) == 0 {
			continue
		}
		evidence := fmt.Sprintf("%s runs as service account %s/%s, which %s grants", describe(w), ns, sa, grants[0].Via())
		if !policy.TokenMounted(wp) {
			s.res.Notes = append(s.res.Notes, evidence+", but its pods mount no token: no API server egress")
			continue
		}
		for _, e := range ends {
			s.connect(workloadEnd(w), e, ports, evidence)
		}
	}
}

// exposed opens the targets of LoadBalancer and NodePort Services to the addresses
// outside the cluster the Service admits (loadBalancerSourceRanges, else every address).
func (s *set) exposed() {
	for _, svc := range sortedServices(s.services) {
		if svc.spec.Type != corev1.ServiceTypeLoadBalancer && svc.spec.Type != corev1.ServiceTypeNodePort {
			continue
		}
		evidence := fmt.Sprintf("Service %s/%s is of type %s", svc.ns, svc.name, svc.spec.Type)
		ranges := svc.spec.LoadBalancerSourceRanges
		if svc.spec.Type == corev1.ServiceTypeNodePort || len(ranges) == 0 {
			ranges = []string{"0.0.0.0/0", "::/0"}
		}
		for _, r := range ranges {
			peer, err := ipPeer(strings.TrimSpace(r))
			if err != nil {
				s.unresolved(evidence, "loadBalancerSourceRanges entry %q: %v", r, err)
				continue
			}
			s.toService(End{Peer: peer, Outside: true, Name: "outside the cluster (" + peer.IPBlock.CIDR + ")"}, svc, nil, evidence)
		}
	}
}

func sortedServices(m map[netgenKey]*service) []*service {
	out := make([]*service, 0, len(m))
	for _, svc := range m {
		out = append(out, svc)
	}
	slices.SortFunc(out, func(a, b *service) int { return cmp.Or(cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name)) })
	return out
}

// keep splits the input's policies into those the generated set is added to and those it
// replaces (all of them with Replace; those a previous run generated always), and builds
// the model of the input under the kept ones alone.
func (s *set) keep() error {
	for _, p := range s.policies {
		if s.opts.Replace || Generated(p.Labels) {
			s.res.Replaced = append(s.res.Replaced, p.Namespace+"/"+p.Name)
			continue
		}
		s.kept = append(s.kept, p)
		s.res.Existing = append(s.res.Existing, p.Namespace+"/"+p.Name)
	}
	s.keptModel = s.model
	if len(s.res.Replaced) > 0 {
		var err error
		if s.keptModel, err = s.modelWith(s.kept); err != nil {
			return err
		}
	}
	return nil
}

// keptConnections adds the connections between workloads of the set that the kept
// policies allow by a rule on at least one side: the default deny generated for the
// other side would otherwise cut them. Policies a previous run generated are not kept:
// their connections are derived again.
func (s *set) keptConnections() {
	if len(s.kept) == 0 {
		return
	}
	m := s.keptModel
	ours := map[string]*netmodel.Workload{}
	for _, w := range s.workloads {
		ours[w.ID()] = w
	}
	for _, c := range m.Connections("") {
		from, to := c.Source.Workload, c.Destination.Workload
		if from == nil || to == nil || len(c.EgressPolicies) == 0 && len(c.IngressPolicies) == 0 {
			continue
		}
		f, t := ours[from.ID()], ours[to.ID()]
		if f == nil || t == nil {
			continue
		}
		policies := slices.Concat(c.EgressPolicies, c.IngressPolicies)
		slices.Sort(policies)
		evidence := "the input's NetworkPolicy " + strings.Join(slices.Compact(policies), ", ") + " allows it"
		s.connect(workloadEnd(f), workloadEnd(t), rangePorts(c.Ports), evidence)
	}
}

// rangePorts are port ranges as connection ports; every port of every protocol is nil.
func rangePorts(ranges []netmodel.PortRange) []Port {
	full := 0
	var out []Port
	for _, r := range ranges {
		if r.From <= 1 && r.To >= netmodel.MaxPort {
			full++
		}
		p := Port{Port: intstr.FromInt32(r.From), Protocol: r.Protocol}
		if r.To > r.From {
			p.EndPort = r.To
		}
		out = append(out, p)
	}
	if full == len(netmodel.Protocols) && len(ranges) == full {
		return nil
	}
	return out
}
