// Package ciliumgen generates random sets of namespaces, pods and network policies
// (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy) for
// the differential test of the Cilium model against Cilium's policy engine
// (internal/difftest/ciliumdiff) and the tests that hold the Rego rules to the model.
package ciliumgen

// The random generator of policy sets: a few namespaces and pods, and a few policies
// mixing CiliumNetworkPolicy (spec, specs or both), CiliumClusterwideNetworkPolicy and
// Kubernetes NetworkPolicy, drawn from small pools so that selectors, ports and
// addresses often meet. Everything is a function of the seed.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Set is one generated cluster state.
type Set struct {
	Seed       uint64
	Namespaces []Namespace
	Pods       []Pod
	Policies   []map[string]any // JSON-shaped objects (maps, slices, strings, float64, bools)
}

// Namespace is a namespace and its labels.
type Namespace struct {
	Name   string
	Labels map[string]string
}

// Pod is a pod: its labels, service account and container ports.
type Pod struct {
	Namespace, Name string
	Labels          map[string]string
	// ServiceAccount is spec.serviceAccountName as the API server stores it;
	// OmitServiceAccount leaves it out of the Pod object Objects gives (the API
	// server's admission then sets "default", which is what the oracle is told).
	ServiceAccount     string
	OmitServiceAccount bool
	Ports              []Port
}

// Port is a container port (Name may be empty).
type Port struct {
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol,omitempty"`
}

// Key names the pod as namespace/name.
func (p Pod) Key() string { return p.Namespace + "/" + p.Name }

// Flow is one probed connection: From and To are a pod key or an IP address.
type Flow struct {
	From, To string
	Port     int32
	Protocol string
}

// The pools the generator draws from.
var (
	genNamespaceNames = []string{"alpha", "beta", "gamma"}
	genPodNames       = []string{"web", "api", "db", "cache", "worker", "probe", "edge", "batch", "auth", "log"}
	// genPodLabels are the pod label keys and their values; pod-template-hash,
	// controller-revision-hash and kubernetes.io/... are dropped by Cilium's default
	// label filter, app.kubernetes.io/name and example.kubernetes.io/owner are kept.
	genPodLabels = []struct {
		key    string
		values []string
	}{
		{"app", []string{"web", "api", "db"}},
		{"tier", []string{"front", "back"}},
		{"version", []string{"v1", "v2"}},
		{"pod-template-hash", []string{"7d9f8b", "5c6d4e"}},
		{"app.kubernetes.io/name", []string{"shop", "blog"}},
		{"controller-revision-hash", []string{"r1"}},
		{"kubernetes.io/role", []string{"ops"}},
		{"example.kubernetes.io/owner", []string{"ops"}},
	}
	genNamespaceLabels = []struct {
		key    string
		values []string
	}{
		{"team", []string{"red", "blue"}},
		{"env", []string{"prod", "dev"}},
	}
	genServiceAccounts = []string{"default", "web", "db"}
	// genContainerPorts: the same name on different numbers (http), the same number
	// under different names (8080), and every probed protocol.
	genContainerPorts = []Port{
		{Name: "http", Port: 80, Protocol: "TCP"},
		{Name: "http", Port: 8080, Protocol: "TCP"},
		{Name: "web", Port: 8080, Protocol: "TCP"},
		{Name: "dns", Port: 53, Protocol: "UDP"},
		{Name: "pg", Port: 5432, Protocol: "TCP"},
		{Name: "discard", Port: 9, Protocol: "SCTP"},
		{Name: "metrics", Port: 9090, Protocol: "TCP"},
		{Port: 80, Protocol: "TCP"},
	}
	genPortNames = []string{"http", "web", "dns", "pg", "discard", "metrics", "nope"}
	genPortNums  = []string{"80", "53", "8080", "5432", "9", "0", "443"}
	genRanges    = [][2]int{{8000, 8100}, {50, 60}, {5000, 6000}, {1, 100}}
	genProtocols = []string{"TCP", "UDP", "SCTP", "ANY", ""}
	genEntities  = []string{"world", "world", "cluster", "cluster", "all", "host", "world-ipv4", "world-ipv6"}
	genCIDRs     = []string{"8.8.8.0/24", "8.0.0.0/8", "10.0.0.0/8", "203.0.113.0/24", "0.0.0.0/0", "2001:db8::/32", "::/0", "8.8.8.8/32", "10.1.2.3/32"}
	genCIDRSets  = []struct {
		cidr   string
		except []string
	}{
		{"0.0.0.0/0", []string{"10.0.0.0/8"}},
		{"8.0.0.0/8", []string{"8.8.8.0/24"}},
		{"0.0.0.0/0", []string{"8.8.8.8/32", "203.0.113.0/24"}},
		{"2001:db8::/32", []string{"2001:db8::/64"}},
		{"::/0", []string{"2001:db8::/48"}},
		{"203.0.113.0/24", nil},
	}
	// genIPs are the outside addresses every pod talks to and hears from.
	genIPs = []string{"8.8.8.8", "10.1.2.3", "203.0.113.7", "2001:db8::1"}
	// genProbes are the ports probed between every pair.
	genProbes = []struct {
		port     int32
		protocol string
	}{{80, "TCP"}, {8080, "TCP"}, {53, "UDP"}, {5432, "TCP"}, {9, "SCTP"}}
)

type gen struct {
	r    *rand.Rand
	set  *Set
	nPol int
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func (g *gen) intn(n int) int        { return g.r.IntN(n) }
func pick[T any](g *gen, xs []T) T   { return xs[g.r.IntN(len(xs))] }

// Generate builds the set for seed.
func Generate(seed uint64) *Set {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x63696c69756d)), set: &Set{Seed: seed}}
	s := g.set
	nNS := 2 + g.intn(2)
	for _, name := range genNamespaceNames[:nNS] {
		ns := Namespace{Name: name, Labels: map[string]string{}}
		for _, l := range genNamespaceLabels {
			if g.chance(0.7) {
				ns.Labels[l.key] = pick(g, l.values)
			}
		}
		s.Namespaces = append(s.Namespaces, ns)
	}
	nPods := 6 + g.intn(5)
	for i := 0; i < nPods; i++ {
		p := Pod{Namespace: s.Namespaces[g.intn(nNS)].Name, Name: genPodNames[i], Labels: map[string]string{}}
		for _, l := range genPodLabels {
			if l.key == "app" && g.chance(0.85) || g.chance(0.35) {
				p.Labels[l.key] = pick(g, l.values)
			}
		}
		p.ServiceAccount = pick(g, genServiceAccounts)
		p.OmitServiceAccount = p.ServiceAccount == "default" && g.chance(0.5)
		names := map[string]bool{}
		numbers := map[string]bool{}
		for range g.intn(4) {
			cp := pick(g, genContainerPorts)
			num := fmt.Sprintf("%d/%s", cp.Port, cp.Protocol)
			if cp.Name != "" && names[cp.Name] || numbers[num] {
				continue
			}
			names[cp.Name], numbers[num] = cp.Name != "", true
			p.Ports = append(p.Ports, cp)
		}
		s.Pods = append(s.Pods, p)
	}
	nPol := 1 + g.intn(4)
	for range nPol {
		switch x := g.r.Float64(); {
		case x < 0.4:
			s.Policies = append(s.Policies, g.cnp())
		case x < 0.7:
			s.Policies = append(s.Policies, g.ccnp())
		default:
			s.Policies = append(s.Policies, g.knp())
		}
	}
	// Canonical JSON shapes, as decoded objects have.
	for i, p := range s.Policies {
		s.Policies[i] = canonical(p)
	}
	return s
}

func canonical(v map[string]any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

func (g *gen) name(prefix string) string {
	g.nPol++
	return fmt.Sprintf("%s-%d", prefix, g.nPol)
}

func (g *gen) cnp() map[string]any {
	ns := pick(g, g.set.Namespaces).Name
	obj := map[string]any{
		"apiVersion": "cilium.io/v2",
		"kind":       "CiliumNetworkPolicy",
		"metadata":   map[string]any{"name": g.name("cnp"), "namespace": ns},
	}
	switch x := g.r.Float64(); {
	case x < 0.7:
		obj["spec"] = g.ciliumRule(false)
	case x < 0.9:
		obj["specs"] = []any{g.ciliumRule(false), g.ciliumRule(false)}[:1+g.intn(2)]
	default:
		obj["spec"] = g.ciliumRule(false)
		obj["specs"] = []any{g.ciliumRule(false)}
	}
	return obj
}

func (g *gen) ccnp() map[string]any {
	obj := map[string]any{
		"apiVersion": "cilium.io/v2",
		"kind":       "CiliumClusterwideNetworkPolicy",
		"metadata":   map[string]any{"name": g.name("ccnp")},
	}
	if g.chance(0.85) {
		obj["spec"] = g.ciliumRule(true)
	} else {
		obj["specs"] = []any{g.ciliumRule(true), g.ciliumRule(true)}
	}
	return obj
}

// ciliumRule is one rule: a subject, some of the four sections, maybe enableDefaultDeny.
func (g *gen) ciliumRule(clusterwide bool) map[string]any {
	rule := map[string]any{"endpointSelector": g.ciliumSelector(clusterwide, 0.25)}
	sections := []struct {
		key         string
		p           float64
		egress      bool
		deny        bool
		defaultDeny string
	}{
		{"ingress", 0.55, false, false, "ingress"},
		{"ingressDeny", 0.2, false, true, "ingress"},
		{"egress", 0.5, true, false, "egress"},
		{"egressDeny", 0.2, true, true, "egress"},
	}
	some := false
	for _, sec := range sections {
		if !g.chance(sec.p) {
			continue
		}
		some = true
		switch x := g.r.Float64(); {
		case x < 0.04:
			rule[sec.key] = []any{} // present but empty
		case x < 0.08:
			rule[sec.key] = []any{map[string]any{}} // one item naming nothing
		default:
			var items []any
			for range 1 + g.intn(2) {
				items = append(items, g.ciliumItem(sec.egress, sec.deny))
			}
			rule[sec.key] = items
		}
	}
	if !some && g.chance(0.9) {
		if g.chance(0.5) {
			rule["ingress"] = []any{g.ciliumItem(false, false)}
		} else {
			rule["egress"] = []any{g.ciliumItem(true, false)}
		}
	}
	if g.chance(0.15) {
		dd := map[string]any{}
		if g.chance(0.6) {
			dd["ingress"] = g.chance(0.3)
		}
		if g.chance(0.6) {
			dd["egress"] = g.chance(0.3)
		}
		rule["enableDefaultDeny"] = dd
	}
	return rule
}

// ciliumItem is one item of a section: a kind of peer (or none), maybe toPorts.
func (g *gen) ciliumItem(egress, deny bool) map[string]any {
	dir := "from"
	if egress {
		dir = "to"
	}
	item := map[string]any{}
	peer := func(kind string) {
		switch kind {
		case "endpoints":
			var sels []any
			for range 1 + g.intn(2) {
				sels = append(sels, g.ciliumSelector(true, 0.2))
			}
			item[dir+"Endpoints"] = sels
		case "entities":
			var es []any
			for range 1 + g.intn(2) {
				es = append(es, pick(g, genEntities))
			}
			item[dir+"Entities"] = es
		case "cidr":
			var cs []any
			for range 1 + g.intn(2) {
				cs = append(cs, pick(g, genCIDRs))
			}
			item[dir+"CIDR"] = cs
		case "cidrset":
			cs := pick(g, genCIDRSets)
			r := map[string]any{"cidr": cs.cidr}
			if len(cs.except) > 0 {
				r["except"] = cs.except
			}
			item[dir+"CIDRSet"] = []any{r}
		case "empty":
			item[pick(g, []string{dir + "Endpoints", dir + "Entities", dir + "CIDR"})] = []any{}
		}
	}
	kinds := []string{"endpoints", "endpoints", "endpoints", "entities", "cidr", "cidrset", "none", "none", "empty"}
	switch k := pick(g, kinds); {
	case g.chance(0.05):
		// Two kinds of peers in one item, which Cilium refuses.
		peer("endpoints")
		peer(pick(g, []string{"entities", "cidr"}))
	default:
		peer(k)
	}
	if len(item) == 0 || g.chance(0.5) {
		var prs []any
		for range 1 + g.intn(2) {
			prs = append(prs, g.portRule(deny))
		}
		if len(item) > 0 || g.chance(0.8) {
			item["toPorts"] = prs
		}
	}
	return item
}

// portRule is a toPorts entry: one or two ports, and sometimes L7 HTTP rules.
func (g *gen) portRule(deny bool) map[string]any {
	var ports []any
	allTCP := true
	for range 1 + g.intn(2) {
		p := map[string]any{}
		switch x := g.r.Float64(); {
		case x < 0.5:
			p["port"] = pick(g, genPortNums)
		case x < 0.7:
			r := pick(g, genRanges)
			p["port"] = fmt.Sprint(r[0])
			p["endPort"] = r[1]
		default:
			p["port"] = pick(g, genPortNames)
		}
		proto := pick(g, genProtocols)
		if proto != "" {
			p["protocol"] = proto
		}
		allTCP = allTCP && proto == "TCP"
		ports = append(ports, p)
	}
	pr := map[string]any{"ports": ports}
	// L7 rules mostly on TCP ports; elsewhere Cilium refuses them.
	if !deny && (allTCP && g.chance(0.3) || g.chance(0.03)) {
		pr["rules"] = map[string]any{"http": []any{map[string]any{"method": pick(g, []string{"GET", "POST"}), "path": "/"}}}
	}
	return pr
}

// ciliumSelector is an endpoint selector over Cilium identity labels: pod labels with
// k8s:, any: or no source, the namespace, namespace labels, the service account,
// filtered labels, and matchExpressions of every operator. pEmpty is the chance of {}.
func (g *gen) ciliumSelector(clusterwide bool, pEmpty float64) map[string]any {
	sel := map[string]any{}
	if g.chance(pEmpty) {
		return sel
	}
	source := func() string { return pick(g, []string{"", "", "k8s:", "any:"}) }
	matchLabels := map[string]any{}
	var exprs []any
	for range 1 + g.intn(2) {
		var key string
		var values []string
		switch x := g.r.Float64(); {
		case x < 0.5:
			l := pick(g, genPodLabels[:5])
			if g.chance(0.15) {
				l = pick(g, genPodLabels[5:])
			}
			key, values = source()+l.key, l.values
		case x < 0.65:
			key = source() + "io.kubernetes.pod.namespace"
			for _, ns := range g.set.Namespaces {
				values = append(values, ns.Name)
			}
		case x < 0.8:
			l := pick(g, genNamespaceLabels)
			key, values = source()+"io.cilium.k8s.namespace.labels."+l.key, l.values
		case x < 0.87:
			key = source() + "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name"
			for _, ns := range g.set.Namespaces {
				values = append(values, ns.Name)
			}
		default:
			key, values = source()+"io.cilium.k8s.policy.serviceaccount", genServiceAccounts
		}
		if g.chance(0.6) {
			// "app" and "any:app" are the same key to Cilium: in one matchLabels the
			// value that wins depends on Go's map iteration order, so the generator
			// never writes both.
			plain := strings.TrimPrefix(key, "any:")
			if _, dup := matchLabels[plain]; dup {
				continue
			}
			if _, dup := matchLabels["any:"+plain]; dup {
				continue
			}
			matchLabels[key] = pick(g, values)
			continue
		}
		switch op := pick(g, []string{"In", "NotIn", "Exists", "DoesNotExist"}); op {
		case "In", "NotIn":
			vs := []string{pick(g, values)}
			if g.chance(0.4) {
				if v := pick(g, values); v != vs[0] {
					vs = append(vs, v)
				}
			}
			exprs = append(exprs, map[string]any{"key": key, "operator": op, "values": vs})
		default:
			exprs = append(exprs, map[string]any{"key": key, "operator": op})
		}
	}
	if len(matchLabels) > 0 {
		sel["matchLabels"] = matchLabels
	}
	if len(exprs) > 0 {
		sel["matchExpressions"] = exprs
	}
	return sel
}

// knp is a Kubernetes NetworkPolicy as the API server would accept it.
func (g *gen) knp() map[string]any {
	spec := map[string]any{"podSelector": g.knpSelector(genPodLabels[:3], 0.3, false)}
	types := pick(g, [][]string{nil, nil, {"Ingress"}, {"Egress"}, {"Ingress", "Egress"}})
	if types != nil {
		spec["policyTypes"] = types
	}
	hasIngress := types == nil || slices.Contains(types, "Ingress")
	hasEgress := slices.Contains(types, "Egress") || types == nil && g.chance(0.4)
	for _, d := range []struct {
		key, peers string
		on         bool
	}{{"ingress", "from", hasIngress}, {"egress", "to", hasEgress}} {
		if !d.on || g.chance(0.2) {
			continue
		}
		var rules []any
		for range g.intn(3) {
			rule := map[string]any{}
			if g.chance(0.75) {
				var peers []any
				for range 1 + g.intn(2) {
					peers = append(peers, g.knpPeer())
				}
				rule[d.peers] = peers
			}
			if g.chance(0.6) {
				var ports []any
				for range 1 + g.intn(2) {
					ports = append(ports, g.knpPort())
				}
				rule["ports"] = ports
			}
			rules = append(rules, rule)
		}
		if rules == nil && g.chance(0.5) {
			continue
		}
		if rules == nil {
			rules = []any{}
		}
		spec[d.key] = rules
	}
	return map[string]any{
		"apiVersion": "networking.k8s.io/v1",
		"kind":       "NetworkPolicy",
		"metadata":   map[string]any{"name": g.name("np"), "namespace": pick(g, g.set.Namespaces).Name},
		"spec":       spec,
	}
}

// knpPeerLabels are the pod labels NetworkPolicy peers select on: those Cilium's label
// filter keeps. Cilium enforces a NetworkPolicy through identities, so a peer selecting
// on pod-template-hash or kubernetes.io/... sees the label as absent, where the
// Kubernetes API (and ringfence, which reads NetworkPolicies by it) sees the pod's label.
func knpPeerLabels() []struct {
	key    string
	values []string
} {
	var out []struct {
		key    string
		values []string
	}
	for _, l := range genPodLabels {
		switch l.key {
		case "pod-template-hash", "controller-revision-hash", "kubernetes.io/role":
		default:
			out = append(out, l)
		}
	}
	return out
}

func (g *gen) knpPeer() map[string]any {
	switch x := g.r.Float64(); {
	case x < 0.35:
		return map[string]any{"podSelector": g.knpSelector(knpPeerLabels(), 0.25, false)}
	case x < 0.6:
		return map[string]any{"namespaceSelector": g.knpSelector(nil, 0.25, true)}
	case x < 0.8:
		return map[string]any{"podSelector": g.knpSelector(genPodLabels[:3], 0.2, false), "namespaceSelector": g.knpSelector(nil, 0.3, true)}
	default:
		cs := pick(g, genCIDRSets)
		b := map[string]any{"cidr": cs.cidr}
		if len(cs.except) > 0 {
			b["except"] = cs.except
		}
		return map[string]any{"ipBlock": b}
	}
}

// knpSelector is a Kubernetes label selector over pod labels from pool, or over
// namespace labels (kubernetes.io/metadata.Name included) when ns.
func (g *gen) knpSelector(pool []struct {
	key    string
	values []string
}, pEmpty float64, ns bool) map[string]any {
	sel := map[string]any{}
	if g.chance(pEmpty) {
		return sel
	}
	if ns {
		pool = append(slices.Clone(genNamespaceLabels), struct {
			key    string
			values []string
		}{"kubernetes.io/metadata.name", func() []string {
			var names []string
			for _, n := range g.set.Namespaces {
				names = append(names, n.Name)
			}
			return names
		}()})
	}
	l := pick(g, pool)
	if g.chance(0.65) {
		sel["matchLabels"] = map[string]any{l.key: pick(g, l.values)}
		return sel
	}
	op := pick(g, []string{"In", "NotIn", "Exists", "DoesNotExist"})
	e := map[string]any{"key": l.key, "operator": op}
	if op == "In" || op == "NotIn" {
		e["values"] = []string{pick(g, l.values)}
	}
	sel["matchExpressions"] = []any{e}
	return sel
}

func (g *gen) knpPort() map[string]any {
	p := map[string]any{}
	switch x := g.r.Float64(); {
	case x < 0.55:
		n := pick(g, []int{80, 53, 8080, 5432, 9, 443})
		p["port"] = n
		if g.chance(0.15) {
			p["endPort"] = n + pick(g, []int{0, 10, 100})
		}
	case x < 0.85:
		p["port"] = pick(g, genPortNames[:6])
	}
	if proto := pick(g, []string{"TCP", "UDP", "SCTP", ""}); proto != "" {
		p["protocol"] = proto
	}
	return p
}

// Flows lists the probed connections: every ordered pair of distinct pods, and every
// pod to and from every outside address, on every probed port.
func (s *Set) Flows() []Flow {
	var out []Flow
	add := func(from, to string) {
		for _, p := range genProbes {
			out = append(out, Flow{From: from, To: to, Port: p.port, Protocol: p.protocol})
		}
	}
	for _, a := range s.Pods {
		for _, b := range s.Pods {
			if a.Key() != b.Key() {
				add(a.Key(), b.Key())
			}
		}
		for _, ip := range genIPs {
			add(a.Key(), ip)
			add(ip, a.Key())
		}
	}
	return out
}

// IsPod reports whether a flow end is a pod key (not an IP address).
func (s *Set) IsPod(end string) bool {
	return slices.ContainsFunc(s.Pods, func(p Pod) bool { return p.Key() == end })
}

// Objects are the set as ringfence reads it: Namespaces, Pods, then the policies.
func (s *Set) Objects() []map[string]any {
	var objs []map[string]any
	for _, ns := range s.Namespaces {
		meta := map[string]any{"name": ns.Name}
		if len(ns.Labels) > 0 {
			meta["labels"] = stringMap(ns.Labels)
		}
		objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
	}
	for _, p := range s.Pods {
		spec := map[string]any{}
		if !p.OmitServiceAccount {
			spec["serviceAccountName"] = p.ServiceAccount
		}
		c := map[string]any{"name": "main", "image": "registry.example/app:1"}
		if len(p.Ports) > 0 {
			var ports []any
			for _, cp := range p.Ports {
				port := map[string]any{"containerPort": float64(cp.Port), "protocol": cp.Protocol}
				if cp.Name != "" {
					port["name"] = cp.Name
				}
				ports = append(ports, port)
			}
			c["ports"] = ports
		}
		spec["containers"] = []any{c}
		meta := map[string]any{"name": p.Name, "namespace": p.Namespace}
		if len(p.Labels) > 0 {
			meta["labels"] = stringMap(p.Labels)
		}
		objs = append(objs, map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
	}
	return append(objs, s.Policies...)
}

// PolicyObject is the index in Objects() of policy i.
func (s *Set) PolicyObject(i int) int { return len(s.Namespaces) + len(s.Pods) + i }

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
