package netmodel

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Cilium's policies (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy)
// follow Cilium v1.20's own code (pkg/policy/api validation, pkg/k8s/apis/cilium.io/utils
// translation, pkg/policy/utils.RulesToPolicyEntries and the policy repository), which
// internal/difftest/ciliumdiff compares the model with:
//
//   - Identities. A pod's identity is its labels with source k8s, plus
//     io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels.<key> for each label
//     of its namespace, io.cilium.k8s.policy.serviceaccount and
//     io.cilium.k8s.policy.cluster (default), kept only when Cilium's default
//     identity-relevant label filter keeps them (pod-template-hash, kubernetes.io/...,
//     controller-revision-hash and the like are not part of an identity, so selectors on
//     them match nothing).
//   - Selectors. Keys carry a source: k8s:key and any:key (and a key without a source)
//     match the pod label; other sources (reserved:, cidr:, fqdn:) match no pod. A
//     CiliumNetworkPolicy's endpointSelector applies in its namespace; its peer selectors
//     too, unless they name io.kubernetes.pod.namespace or namespace labels. A clusterwide
//     policy's peer selectors match pods of any namespace (never the outside world).
//   - Rules. A rule with none of ingress, ingressDeny, egress and egressDeny, one with
//     both or neither of endpointSelector and nodeSelector, a rule item combining two
//     kinds of peers, an unknown entity, an unparsable or missing port, L7 rules on a port
//     whose protocol is not TCP, DNS rules on ingress, ICMP rules with toPorts: Cilium
//     refuses the whole policy, and so does the model (it is left out, with an error).
//     nodeSelector rules (host policies) select no pod.
//   - Default deny. A rule puts the pods it selects into default deny for a direction
//     when it has an item of that direction (allow or deny) and enableDefaultDeny does not
//     turn it off for that direction. A pod in default deny for a direction by a Cilium
//     rule or isolated by a NetworkPolicy admits only what some Cilium allow item or
//     NetworkPolicy rule allows; deny items of the Cilium policies selecting it take
//     precedence over every allow, and apply also when nothing puts it in default deny.
//   - Peers. An item with no peer field matches every peer (the outside world too); an
//     explicitly empty peer list matches nothing. fromEndpoints/toEndpoints select pods;
//     entities: all (everything), world, world-ipv4, world-ipv6 (addresses outside the
//     cluster), cluster (every pod, and host-network pods), host and remote-node
//     (host-network pods); fromCIDR/toCIDR/...CIDRSet with except match addresses outside
//     the cluster (never pods); toFQDNs names outside destinations by DNS name, which the
//     model lists as their own peers (it resolves no names); kube-apiserver is likewise
//     an outside peer of its own.
//   - Ports. toPorts ports with a number, a range (endPort), a name (resolved against the
//     destination pod's container ports), 0 (every port), and protocols TCP, UDP, SCTP or
//     ANY (the default: all three); ICMP rules match no TCP, UDP or SCTP traffic. L7 rules
//     (http, kafka, dns, l7) narrow the traffic to the requests they allow: the model
//     keeps the connection and marks it (Connection.L7).
//
// Not modelled: toServices, cidrGroupRef and cidrGroupSelector, fromNodes/toNodes,
// fromGroups/toGroups, fromRequires/toRequires (they match nothing, with an error), host
// policies (nodeSelector), the identities of reserved endpoints other than pods and
// outside addresses (init, health, ingress, unmanaged), ClusterMesh (every pod is in the
// cluster named default), and the agent options that change these defaults
// (--enable-non-default-deny-policies=false, custom label filters, policy-cidr-match-mode).

// CiliumGroup is the API group of Cilium's policies.
const CiliumGroup = "cilium.io"

// The kinds of Cilium's policies.
const (
	KindCiliumNetworkPolicy            = "CiliumNetworkPolicy"
	KindCiliumClusterwideNetworkPolicy = "CiliumClusterwideNetworkPolicy"
)

// The identity labels Cilium derives for every pod (without their k8s: source).
const (
	ciliumNamespaceKey      = "io.kubernetes.pod.namespace"
	ciliumNamespaceLabels   = "io.cilium.k8s.namespace.labels."
	ciliumServiceAccountKey = "io.cilium.k8s.policy.serviceaccount"
	ciliumClusterKey        = "io.cilium.k8s.policy.cluster"
	ciliumClusterName       = "default"
)

// ciliumFilter is Cilium's default identity-relevant label filter
// (pkg/labelsfilter.defaultLabelPrefixCfg): a label is kept when no exclusion matches it,
// or when the longest inclusion that matches is longer than the shortest exclusion that
// does. Each expression matches a prefix of the key. The inclusion of reserved labels
// does not concern pods.
type ciliumFilter struct {
	include, exclude []*regexp.Regexp
}

func newCiliumFilter() *ciliumFilter {
	f := &ciliumFilter{}
	for _, e := range []string{ciliumNamespaceKey, strings.TrimSuffix(ciliumNamespaceLabels, "."), "app.kubernetes.io", ciliumClusterKey, ciliumServiceAccountKey} {
		f.include = append(f.include, regexp.MustCompile(regexp.QuoteMeta(e)))
	}
	for _, e := range []string{
		`io\.kubernetes`, `kubernetes\.io`, regexp.QuoteMeta("statefulset.kubernetes.io/pod-name"),
		regexp.QuoteMeta("apps.kubernetes.io/pod-index"), regexp.QuoteMeta("batch.kubernetes.io/job-completion-index"),
		regexp.QuoteMeta("batch.kubernetes.io/controller-uid"), `.*beta\.kubernetes\.io`, `k8s\.io`,
		`pod-template-generation`, `pod-template-hash`, `controller-revision-hash`, `controller-uid`,
		`annotation.*`, `etcd_node`, `topology\.kubernetes\.io`,
	} {
		f.exclude = append(f.exclude, regexp.MustCompile(e))
	}
	return f
}

// prefixLen is the length of the match of re at the start of key, or 0.
func prefixLen(re *regexp.Regexp, key string) int {
	loc := re.FindStringIndex(key)
	if loc == nil || loc[0] != 0 {
		return 0
	}
	return loc[1]
}

// keeps reports whether the filter keeps a label with this key.
func (f *ciliumFilter) keeps(key string) bool {
	included, ignored := 0, 0
	for _, re := range f.include {
		if n := prefixLen(re, key); n > included {
			included = n
		}
	}
	for _, re := range f.exclude {
		// A match of length 0 (an empty key) counts as no match, as in Cilium.
		if n := prefixLen(re, key); n > 0 && (ignored == 0 || n < ignored) {
			ignored = n
		}
	}
	return ignored == 0 || included > ignored
}

// CiliumIdentity returns the labels of a pod's Cilium identity, each as source:key
// ("k8s:app"), after Cilium's default label filter. nsLabels are its namespace's labels,
// serviceAccount its spec.serviceAccountName ("" is default).
func CiliumIdentity(namespace string, podLabels, nsLabels map[string]string, serviceAccount string) map[string]string {
	return ciliumIdentity(newCiliumFilter(), namespace, podLabels, nsLabels, serviceAccount)
}

func ciliumIdentity(f *ciliumFilter, namespace string, podLabels, nsLabels map[string]string, serviceAccount string) map[string]string {
	if serviceAccount == "" {
		serviceAccount = "default"
	}
	out := map[string]string{}
	add := func(k, v string) {
		if f.keeps(k) {
			out["k8s:"+k] = v
		}
	}
	for k, v := range podLabels {
		add(k, v)
	}
	for k, v := range nsLabels {
		add(ciliumNamespaceLabels+k, v)
	}
	add(ciliumNamespaceLabels+NamespaceNameLabel, namespace)
	add(ciliumNamespaceKey, namespace)
	add(ciliumServiceAccountKey, serviceAccount)
	add(ciliumClusterKey, ciliumClusterName)
	return out
}

// ciliumSelector is an EndpointSelector: requirements over identity labels (source:key).
type ciliumSelector struct {
	reqs []ciliumReq
	// reserved: the selector names a reserved: key, so it is matched against reserved
	// identities (the outside world) and not scoped to a namespace.
	reserved bool
}

type ciliumReq struct {
	key    string // source:key, with k8s for the sources k8s and any
	source string // as written: k8s, any (also for a key without one), or another
	op     metav1.LabelSelectorOperator
	values []string
}

// normaliseKey turns a selector key into source:key. Keys without a source, and with the
// source any, match labels of every source; pods only have k8s labels.
func normaliseKey(key string) (string, string) {
	source, rest, ok := strings.Cut(key, ":")
	if !ok {
		return "k8s:" + key, "any"
	}
	if source == "any" || source == "k8s" {
		return "k8s:" + rest, source
	}
	return source + ":" + rest, source
}

func compileCiliumSelector(s *metav1.LabelSelector) (*ciliumSelector, error) {
	out := &ciliumSelector{}
	if s == nil {
		return out, nil
	}
	add := func(key string, op metav1.LabelSelectorOperator, values []string) error {
		k, source := normaliseKey(key)
		if source == "reserved" {
			out.reserved = true
		}
		switch op {
		case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
			if len(values) == 0 {
				return fmt.Errorf("%s: operator %s needs values", key, op)
			}
		case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
			if len(values) > 0 {
				return fmt.Errorf("%s: operator %s takes no values", key, op)
			}
		default:
			return fmt.Errorf("%s: unknown operator %q", key, op)
		}
		out.reqs = append(out.reqs, ciliumReq{key: k, source: source, op: op, values: values})
		return nil
	}
	for k, v := range s.MatchLabels {
		if err := add(k, metav1.LabelSelectorOpIn, []string{v}); err != nil {
			return nil, err
		}
	}
	for _, e := range s.MatchExpressions {
		if err := add(e.Key, e.Operator, e.Values); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out.reqs, func(a, b ciliumReq) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

// has reports whether the selector names the key (source:key, normalised).
func (s *ciliumSelector) has(key string) bool {
	return slices.ContainsFunc(s.reqs, func(r ciliumReq) bool { return r.key == key })
}

// hasPrefix reports whether the selector names a key starting with prefix.
func (s *ciliumSelector) hasPrefix(prefix string) bool {
	return slices.ContainsFunc(s.reqs, func(r ciliumReq) bool { return strings.HasPrefix(r.key, prefix) })
}

// matches reports whether an identity (source:key labels) is selected.
func (s *ciliumSelector) matches(id map[string]string) bool {
	for _, r := range s.reqs {
		v, ok := id[r.key]
		switch r.op {
		case metav1.LabelSelectorOpIn:
			if !ok || !slices.Contains(r.values, v) {
				return false
			}
		case metav1.LabelSelectorOpNotIn:
			if ok && slices.Contains(r.values, v) {
				return false
			}
		case metav1.LabelSelectorOpExists:
			if !ok {
				return false
			}
		case metav1.LabelSelectorOpDoesNotExist:
			if ok {
				return false
			}
		}
	}
	return true
}

// with returns the selector with one more requirement on a k8s: key, replacing one the
// selector has on that key with the k8s source (Cilium's EndpointSelector.AddMatch sets
// the k8s: key; a requirement written with any: or no source stays beside it).
func (s *ciliumSelector) with(key string, op metav1.LabelSelectorOperator, values ...string) *ciliumSelector {
	out := &ciliumSelector{reserved: s.reserved}
	for _, r := range s.reqs {
		if r.key != key || r.source != "k8s" {
			out.reqs = append(out.reqs, r)
		}
	}
	out.reqs = append(out.reqs, ciliumReq{key: key, source: "k8s", op: op, values: values})
	return out
}

// keys returns the pod label keys (without source) the selector reads.
func (s *ciliumSelector) keys() []string {
	var out []string
	for _, r := range s.reqs {
		if k, ok := strings.CutPrefix(r.key, "k8s:"); ok {
			out = append(out, k)
		}
	}
	return out
}

// CiliumPolicy is a CiliumNetworkPolicy or a CiliumClusterwideNetworkPolicy, compiled.
type CiliumPolicy struct {
	// Namespace is "" for a clusterwide policy.
	Namespace, Name string
	rules           []*ciliumRule
	id              string // set when compiled
}

// Clusterwide reports whether the policy is a CiliumClusterwideNetworkPolicy.
func (p *CiliumPolicy) Clusterwide() bool { return p.Namespace == "" }

// ID names the policy as CiliumNetworkPolicy/namespace/name or
// CiliumClusterwideNetworkPolicy/name.
func (p *CiliumPolicy) ID() string {
	if p.id != "" {
		return p.id
	}
	if p.Clusterwide() {
		return KindCiliumClusterwideNetworkPolicy + "/" + p.Name
	}
	return KindCiliumNetworkPolicy + "/" + p.Namespace + "/" + p.Name
}

// ciliumRule is one rule (spec, or an entry of specs).
type ciliumRule struct {
	policy *CiliumPolicy
	// subject selects the pods; nil for host policies (nodeSelector).
	subject                         *ciliumSelector
	denyIngress, denyEgress         bool // default deny per direction
	ingress, ingressDeny            []*ciliumItem
	egress, egressDeny              []*ciliumItem
	hasIngressItems, hasEgressItems bool
}

// ciliumItem is one allow or deny item of a rule.
type ciliumItem struct {
	rule *ciliumRule
	// wildcard: the item names no peer, and matches every peer; nothing: an explicitly
	// empty peer list, which matches none.
	wildcard, nothing bool
	endpoints         []*ciliumSelector
	entities          []string
	cidrs             []*ipBlock
	fqdns             []string // matchName or matchPattern, as written
	// ports: nil is every port; l7 says the allowed ports carry L7 rules.
	ports []portSpec
	l7    bool
}

// ciliumSpec is the part of a Cilium rule the model reads, in the API's JSON shape.
type ciliumSpec struct {
	EndpointSelector  *metav1.LabelSelector `json:"endpointSelector"`
	NodeSelector      *metav1.LabelSelector `json:"nodeSelector"`
	Ingress           []ciliumPeerSpec      `json:"ingress"`
	IngressDeny       []ciliumPeerSpec      `json:"ingressDeny"`
	Egress            []ciliumPeerSpec      `json:"egress"`
	EgressDeny        []ciliumPeerSpec      `json:"egressDeny"`
	EnableDefaultDeny struct {
		Ingress *bool `json:"ingress"`
		Egress  *bool `json:"egress"`
	} `json:"enableDefaultDeny"`
}

// ciliumPeerSpec holds the fields of ingress, ingressDeny, egress and egressDeny items
// (each direction reads its own).
type ciliumPeerSpec struct {
	FromEndpoints []metav1.LabelSelector `json:"fromEndpoints"`
	ToEndpoints   []metav1.LabelSelector `json:"toEndpoints"`
	FromRequires  []string               `json:"fromRequires"`
	ToRequires    []string               `json:"toRequires"`
	FromCIDR      []string               `json:"fromCIDR"`
	ToCIDR        []string               `json:"toCIDR"`
	FromCIDRSet   []ciliumCIDRRule       `json:"fromCIDRSet"`
	ToCIDRSet     []ciliumCIDRRule       `json:"toCIDRSet"`
	FromEntities  []string               `json:"fromEntities"`
	ToEntities    []string               `json:"toEntities"`
	FromNodes     []json.RawMessage      `json:"fromNodes"`
	ToNodes       []json.RawMessage      `json:"toNodes"`
	FromGroups    []json.RawMessage      `json:"fromGroups"`
	ToGroups      []json.RawMessage      `json:"toGroups"`
	ToServices    []json.RawMessage      `json:"toServices"`
	ToFQDNs       []struct {
		MatchName    string `json:"matchName"`
		MatchPattern string `json:"matchPattern"`
	} `json:"toFQDNs"`
	ToPorts []ciliumPortRule  `json:"toPorts"`
	ICMPs   []json.RawMessage `json:"icmps"`
}

type ciliumCIDRRule struct {
	CIDR              string          `json:"cidr"`
	CIDRGroupRef      string          `json:"cidrGroupRef"`
	CIDRGroupSelector json.RawMessage `json:"cidrGroupSelector"`
	Except            []string        `json:"except"`
}

type ciliumPortRule struct {
	Ports []struct {
		Port     json.RawMessage `json:"port"`
		EndPort  int32           `json:"endPort"`
		Protocol string          `json:"protocol"`
	} `json:"ports"`
	Rules map[string]json.RawMessage `json:"rules"`
}

// ciliumEntities are the entities Cilium knows.
var ciliumEntities = []string{"all", "world", "world-ipv4", "world-ipv6", "cluster", "cluster-mesh", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver"}

// CompileCilium compiles a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy object.
// When Cilium would refuse the policy, it returns nil and the reason; otherwise the
// policy and what the model leaves out of it (those parts match nothing).
func CompileCilium(obj map[string]any) (*CiliumPolicy, []error) {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	p := &CiliumPolicy{}
	p.Name, _ = meta["name"].(string)
	if kind == KindCiliumNetworkPolicy {
		p.Namespace, _ = meta["namespace"].(string)
		if p.Namespace == "" {
			p.Namespace = DefaultNamespace
		}
	}
	p.id = p.ID()
	var specs []ciliumSpec
	if raw, ok := obj["spec"]; ok && raw != nil {
		var s ciliumSpec
		if err := remarshal(raw, &s); err != nil {
			return nil, []error{fmt.Errorf("%s: spec: %w", p.ID(), err)}
		}
		specs = append(specs, s)
	}
	if raw, ok := obj["specs"]; ok && raw != nil {
		var ss []ciliumSpec
		if err := remarshal(raw, &ss); err != nil {
			return nil, []error{fmt.Errorf("%s: specs: %w", p.ID(), err)}
		}
		specs = append(specs, ss...)
	}
	if len(specs) == 0 {
		return nil, []error{fmt.Errorf("%s: Cilium refuses the policy: neither spec nor specs is set", p.ID())}
	}
	var notes []error
	for i, s := range specs {
		r, rnotes, err := p.compileRule(s)
		if err != nil {
			where := "spec"
			if len(specs) > 1 || obj["spec"] == nil {
				where = fmt.Sprintf("rule %d", i)
			}
			return nil, []error{fmt.Errorf("%s: Cilium refuses the policy: %s: %w", p.ID(), where, err)}
		}
		for _, n := range rnotes {
			notes = append(notes, fmt.Errorf("%s: %w", p.ID(), n))
		}
		p.rules = append(p.rules, r)
	}
	return p, notes
}

func remarshal(in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// compileRule compiles one rule: the error is why Cilium refuses it, the notes what the
// model leaves out.
func (p *CiliumPolicy) compileRule(s ciliumSpec) (*ciliumRule, []error, error) {
	r := &ciliumRule{policy: p}
	if len(s.Ingress)+len(s.IngressDeny)+len(s.Egress)+len(s.EgressDeny) == 0 {
		return nil, nil, fmt.Errorf("rule must have at least one of ingress, ingressDeny, egress, egressDeny")
	}
	switch {
	case s.EndpointSelector == nil && s.NodeSelector == nil:
		return nil, nil, fmt.Errorf("rule must have one of endpointSelector or nodeSelector")
	case s.EndpointSelector != nil && s.NodeSelector != nil:
		return nil, nil, fmt.Errorf("rule cannot have both endpointSelector and nodeSelector")
	}
	if s.NodeSelector != nil {
		if _, err := compileCiliumSelector(s.NodeSelector); err != nil {
			return nil, nil, fmt.Errorf("nodeSelector: %w", err)
		}
	} else {
		sel, err := compileCiliumSelector(s.EndpointSelector)
		if err != nil {
			return nil, nil, fmt.Errorf("endpointSelector: %w", err)
		}
		if !p.Clusterwide() {
			sel = sel.with("k8s:"+ciliumNamespaceKey, metav1.LabelSelectorOpIn, p.Namespace)
		}
		r.subject = sel
	}
	host := s.NodeSelector != nil
	var notes []error
	items := func(dir string, specs []ciliumPeerSpec, egress, deny bool) ([]*ciliumItem, error) {
		var out []*ciliumItem
		for i, ps := range specs {
			it, inotes, err := r.compileItem(ps, egress, deny, host)
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", dir, i, err)
			}
			for _, n := range inotes {
				notes = append(notes, fmt.Errorf("%s[%d]: %w", dir, i, n))
			}
			out = append(out, it)
		}
		return out, nil
	}
	var err error
	if r.ingress, err = items("ingress", s.Ingress, false, false); err != nil {
		return nil, nil, err
	}
	if r.ingressDeny, err = items("ingressDeny", s.IngressDeny, false, true); err != nil {
		return nil, nil, err
	}
	if r.egress, err = items("egress", s.Egress, true, false); err != nil {
		return nil, nil, err
	}
	if r.egressDeny, err = items("egressDeny", s.EgressDeny, true, true); err != nil {
		return nil, nil, err
	}
	r.hasIngressItems = len(r.ingress)+len(r.ingressDeny) > 0
	r.hasEgressItems = len(r.egress)+len(r.egressDeny) > 0
	on := func(b *bool) bool { return b == nil || *b }
	r.denyIngress = r.hasIngressItems && on(s.EnableDefaultDeny.Ingress)
	r.denyEgress = r.hasEgressItems && on(s.EnableDefaultDeny.Egress)
	return r, notes, nil
}

// compileItem compiles one item of a rule.
func (r *ciliumRule) compileItem(ps ciliumPeerSpec, egress, deny, host bool) (*ciliumItem, []error, error) {
	it := &ciliumItem{rule: r}
	endpoints, cidrs, cidrSet, entities := ps.FromEndpoints, ps.FromCIDR, ps.FromCIDRSet, ps.FromEntities
	nodes, groups, requires := ps.FromNodes, ps.FromGroups, ps.FromRequires
	if egress {
		endpoints, cidrs, cidrSet, entities = ps.ToEndpoints, ps.ToCIDR, ps.ToCIDRSet, ps.ToEntities
		nodes, groups, requires = ps.ToNodes, ps.ToGroups, ps.ToRequires
	}
	// Cilium accepts one kind of peer per item.
	kinds := map[string]int{"endpoints": len(endpoints), "CIDR": len(cidrs), "CIDRSet": len(cidrSet), "entities": len(entities), "nodes": len(nodes), "groups": len(groups)}
	if egress {
		kinds["services"] = len(ps.ToServices)
		if !deny {
			kinds["FQDNs"] = len(ps.ToFQDNs)
		}
	}
	var named []string
	for k, n := range kinds {
		if n > 0 {
			named = append(named, k)
		}
	}
	if len(named) > 1 {
		slices.Sort(named)
		return nil, nil, fmt.Errorf("combining %s is not supported by Cilium", strings.Join(named, " and "))
	}
	for _, e := range entities {
		if !slices.Contains(ciliumEntities, e) {
			return nil, nil, fmt.Errorf("unsupported entity %q", e)
		}
	}
	if len(ps.ICMPs) > 0 && len(ps.ToPorts) > 0 {
		return nil, nil, fmt.Errorf("ICMP rules cannot be combined with toPorts")
	}
	var notes []error
	// An explicitly empty list of one of these kinds selects nothing; an item naming
	// no peer at all (toFQDNs, toServices and requirements aside) selects everything.
	if (endpoints != nil && len(endpoints) == 0) || (nodes != nil && len(nodes) == 0) || (entities != nil && len(entities) == 0) ||
		(cidrs != nil && len(cidrs) == 0) || (cidrSet != nil && len(cidrSet) == 0) {
		it.nothing = true
	}
	for _, s := range endpoints {
		sel, err := compileCiliumSelector(&s)
		if err != nil {
			return nil, nil, err
		}
		it.endpoints = append(it.endpoints, r.peerSelector(sel))
	}
	it.entities = entities
	for _, c := range cidrs {
		b, err := compileBlock(&networkingv1.IPBlock{CIDR: bareIP(c)})
		if err != nil {
			return nil, nil, err
		}
		it.cidrs = append(it.cidrs, b)
	}
	for _, c := range cidrSet {
		if c.CIDR == "" {
			notes = append(notes, fmt.Errorf("cidrGroupRef and cidrGroupSelector are not modelled (they match nothing)"))
			continue
		}
		b, err := compileBlock(&networkingv1.IPBlock{CIDR: bareIP(c.CIDR), Except: c.Except})
		if err != nil {
			return nil, nil, err
		}
		it.cidrs = append(it.cidrs, b)
	}
	if egress && !deny {
		for _, f := range ps.ToFQDNs {
			switch {
			case f.MatchName != "":
				it.fqdns = append(it.fqdns, f.MatchName)
			case f.MatchPattern != "":
				it.fqdns = append(it.fqdns, f.MatchPattern)
			}
		}
	}
	switch {
	case len(nodes) > 0:
		notes = append(notes, fmt.Errorf("nodes peers are not modelled (they match nothing)"))
	case len(groups) > 0:
		notes = append(notes, fmt.Errorf("groups peers are not modelled (they match nothing)"))
	case egress && len(ps.ToServices) > 0:
		notes = append(notes, fmt.Errorf("toServices is not modelled (it matches nothing)"))
	}
	if len(requires) > 0 {
		notes = append(notes, fmt.Errorf("fromRequires and toRequires are not modelled (they add no requirement)"))
	}
	if len(endpoints)+len(cidrs)+len(cidrSet)+len(entities)+len(nodes)+len(groups)+len(ps.ToFQDNs)+len(ps.ToServices) == 0 && !it.nothing {
		// No peer at all: every peer, when the item has ports; with neither peers nor
		// ports Cilium adds no filter, so the item allows nothing (ingress: [{}] is the
		// usual way to deny all).
		it.wildcard = len(ps.ToPorts)+len(ps.ICMPs) > 0
		it.nothing = !it.wildcard
	}
	// Ports.
	if len(ps.ICMPs) > 0 {
		it.ports = []portSpec{} // ICMP only: no TCP, UDP or SCTP port
		return it, notes, nil
	}
	if len(ps.ToPorts) == 0 {
		return it, notes, nil
	}
	it.ports = []portSpec{}
	for _, pr := range ps.ToPorts {
		l7 := false
		dns := false
		for k, v := range pr.Rules {
			if s := strings.TrimSpace(string(v)); s != "" && s != "null" && s != "[]" && s != "{}" {
				l7 = true
				if k == "dns" {
					dns = true
				}
			}
		}
		if dns && !egress {
			return nil, nil, fmt.Errorf("DNS rules are not allowed on ingress")
		}
		for _, pp := range pr.Ports {
			specs, err := ciliumPorts(pp.Port, pp.EndPort, pp.Protocol, l7 && !dns)
			if err != nil {
				return nil, nil, err
			}
			if l7 && slices.ContainsFunc(specs, func(s portSpec) bool { return s.all }) {
				return nil, nil, fmt.Errorf("L7 rules can not be used when a port is 0")
			}
			it.ports = append(it.ports, specs...)
		}
		if l7 {
			it.l7 = true
		}
	}
	return it, notes, nil
}

// peerSelector scopes a fromEndpoints/toEndpoints selector as Cilium does: in a
// CiliumNetworkPolicy to the policy's namespace, unless it names the namespace or
// namespace labels; in a clusterwide one to pods (of any namespace). Selectors on
// reserved labels are left as they are.
func (r *ciliumRule) peerSelector(s *ciliumSelector) *ciliumSelector {
	if s.reserved || s.has("k8s:"+ciliumNamespaceKey) {
		return s
	}
	if r.policy.Clusterwide() {
		return s.with("k8s:"+ciliumNamespaceKey, metav1.LabelSelectorOpExists)
	}
	if s.hasPrefix("k8s:" + ciliumNamespaceLabels) {
		return s
	}
	return s.with("k8s:"+ciliumNamespaceKey, metav1.LabelSelectorOpIn, r.policy.Namespace)
}

// ciliumPorts compiles one entry of toPorts[].ports.
func ciliumPorts(raw json.RawMessage, endPort int32, protocol string, l7 bool) ([]portSpec, error) {
	port := strings.TrimSpace(string(raw))
	if s, err := strconv.Unquote(port); err == nil {
		port = s
	}
	if port == "" || port == "null" {
		return nil, fmt.Errorf("port must be specified")
	}
	proto := strings.ToUpper(protocol)
	if l7 && proto != "TCP" {
		return nil, fmt.Errorf("L7 rules can only apply to TCP (not %q)", protocol)
	}
	var protos []corev1.Protocol
	switch proto {
	case "", "ANY":
		protos = Protocols
	case "TCP", "UDP", "SCTP":
		protos = []corev1.Protocol{corev1.Protocol(proto)}
	case "ICMP", "ICMPV6":
		return []portSpec{}, nil // no TCP, UDP or SCTP traffic
	case "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH":
		if port != "0" {
			return nil, fmt.Errorf("port must be empty or 0 for protocol %s", proto)
		}
		return []portSpec{}, nil
	default:
		return nil, fmt.Errorf("unknown protocol %q", protocol)
	}
	var out []portSpec
	if isServiceName(port) {
		for _, p := range protos {
			out = append(out, portSpec{protocol: p, name: strings.ToLower(port)})
		}
		return out, nil
	}
	n, err := strconv.ParseUint(port, 0, 16)
	if err != nil {
		return nil, fmt.Errorf("port %q: unable to parse", port)
	}
	for _, p := range protos {
		s := portSpec{protocol: p, from: int32(n), to: int32(n)}
		switch {
		case n == 0:
			s.all = true
		case endPort > int32(n):
			s.to = endPort
		}
		out = append(out, s)
	}
	return out, nil
}

// isServiceName reports whether a port is an IANA service name (what Cilium reads as a
// named port): up to 15 lowercase letters, digits and dashes, with a letter, no leading,
// trailing or double dash.
func isServiceName(s string) bool {
	if len(s) == 0 || len(s) > 15 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	letter := false
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}

// allowsPort reports whether the item's ports admit port/proto (name: the destination's
// container port name).
func (it *ciliumItem) allowsPort(port int32, proto corev1.Protocol, name string) bool {
	return it.ports == nil || slices.ContainsFunc(it.ports, func(s portSpec) bool { return s.matches(port, proto, name) })
}

// matchesOutside reports whether the item's peers hold an outside address (addr invalid:
// some outside address, for the world as a whole).
func (it *ciliumItem) matchesOutside(addr netip.Addr) bool {
	if it.nothing {
		return false
	}
	if it.wildcard {
		return true
	}
	for _, e := range it.entities {
		switch e {
		case "all", "world":
			return true
		case "world-ipv4":
			if !addr.IsValid() || addr.Is4() {
				return true
			}
		case "world-ipv6":
			if !addr.IsValid() || addr.Is6() {
				return true
			}
		}
	}
	if addr.IsValid() {
		for _, b := range it.cidrs {
			if b.contains(addr) {
				return true
			}
		}
		for _, s := range it.endpoints {
			if s.reserved && s.matches(worldIdentity(addr)) {
				return true
			}
		}
	}
	return false
}

// worldIdentity is the reserved labels of an outside address's identity.
func worldIdentity(addr netip.Addr) map[string]string {
	if addr.Is4() {
		return map[string]string{"reserved:world": "", "reserved:world-ipv4": ""}
	}
	return map[string]string{"reserved:world": "", "reserved:world-ipv6": ""}
}

// bareIP turns an address without a prefix length into its /32 or /128 prefix, as
// Cilium reads one.
func bareIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return s
}
