// Package oracle evaluates network flows against Cilium's own policy engine
// (github.com/cilium/cilium pkg/policy), for differential testing of
// ringfence's model of CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy
// and Kubernetes NetworkPolicy as Cilium enforces them.
//
// Nothing here re-implements Cilium's semantics: policies are parsed with
// Cilium's Kubernetes types (CiliumNetworkPolicy.Parse, k8s.ParseNetworkPolicy),
// converted with policy/utils.RulesToPolicyEntries as the agent's policy watcher
// does, inserted into a policy.Repository by resource as the policy importer
// does; endpoints get identities from labels built by k8s.GetPodMetadata and
// filtered by labelsfilter's default configuration as the agent's endpoint
// metadata fetcher does; external IPs get the identity of the longest policy
// CIDR prefix that contains them (the ipcache's longest-prefix match over the
// prefixes the importer allocates), or the world identity. Verdicts come from
// the endpoint's distilled policy map (SelectorPolicy.DistillPolicy, then
// EndpointPolicy.Lookup), which is what policy.LookupFlow does, except that
// each endpoint resolves its own ingress named ports (LookupFlow shares one
// TCP/UDP map between both ends).
package oracle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/cilium/cilium/pkg/crypto/certificatemanager"
	"github.com/cilium/cilium/pkg/endpoint/regeneration"
	envoypolicy "github.com/cilium/cilium/pkg/envoy/policy"
	"github.com/cilium/cilium/pkg/identity"
	"github.com/cilium/cilium/pkg/identity/identitymanager"
	ipcachetypes "github.com/cilium/cilium/pkg/ipcache/types"
	"github.com/cilium/cilium/pkg/k8s"
	cilium_v2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	slim_corev1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/core/v1"
	slim_networkingv1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/networking/v1"
	slim_metav1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/apis/meta/v1"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/labelsfilter"
	"github.com/cilium/cilium/pkg/option"
	"github.com/cilium/cilium/pkg/policy"
	policyapi "github.com/cilium/cilium/pkg/policy/api"
	policytypes "github.com/cilium/cilium/pkg/policy/types"
	policyutils "github.com/cilium/cilium/pkg/policy/utils"
	testidentity "github.com/cilium/cilium/pkg/testutils/identity"
	testpolicy "github.com/cilium/cilium/pkg/testutils/policy"
	ciliumtypes "github.com/cilium/cilium/pkg/types"
	"github.com/cilium/cilium/pkg/u8proto"
)

// Input is one cluster state and the flows to evaluate in it.
type Input struct {
	Namespaces []Namespace       `json:"namespaces"`
	Endpoints  []Endpoint        `json:"endpoints"`
	Policies   []json.RawMessage `json:"policies"`
	Flows      []Flow            `json:"flows"`
}

// Namespace is a Kubernetes namespace and its labels. The oracle adds
// kubernetes.io/metadata.name=<name>, as the API server does.
type Namespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Endpoint is a pod: Name is "<namespace>/<pod name>".
type Endpoint struct {
	Name           string            `json:"name"`
	Namespace      string            `json:"namespace"`
	Labels         map[string]string `json:"labels,omitempty"`
	ServiceAccount string            `json:"serviceAccount,omitempty"`
	Ports          []Port            `json:"ports,omitempty"`
}

// Port is a container port of an endpoint.
type Port struct {
	Name     string `json:"name,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol,omitempty"`
}

// Peer is one end of a flow: an endpoint by name, or an IP address.
type Peer struct {
	Endpoint string `json:"endpoint,omitempty"`
	IP       string `json:"ip,omitempty"`
}

// Flow is a connection from From to To on a destination port and protocol.
type Flow struct {
	From     Peer   `json:"from"`
	To       Peer   `json:"to"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

// Output holds one Verdict per flow, in the order of Input.Flows, and the
// policies Cilium would not import.
type Output struct {
	Verdicts []Verdict `json:"verdicts"`
	Refused  []string  `json:"refused"`
}

// Verdict is the source endpoint's egress decision and the destination
// endpoint's ingress decision: "allow", "deny", or "" when that end is an IP.
type Verdict struct {
	Egress  string `json:"egress"`
	Ingress string `json:"ingress"`
}

const (
	// clusterName is the agent's default --cluster-name. With the default
	// --policy-default-local-cluster=true, policies are parsed with it, so
	// their peer selectors require k8s:io.cilium.k8s.policy.cluster=default.
	clusterName = "default"
	allow       = "allow"
	deny        = "deny"
)

var (
	setupOnce sync.Once
	setupErr  error
	// evalMu serialises evaluations: the agent configuration is global.
	evalMu sync.Mutex
	logger = slog.New(slog.DiscardHandler)
)

// setup applies the agent's default configuration to Cilium's global state:
// the default label prefix list (no --label-prefix-file, no --labels), the
// cluster name and both address families (the daemon's defaults for
// --enable-ipv4 and --enable-ipv6 are true, which makes CIDR identities carry
// reserved:world-ipv4 / reserved:world-ipv6).
func setup() error {
	setupOnce.Do(func() {
		option.Config.ClusterName = clusterName
		option.Config.EnableIPv4 = true
		option.Config.EnableIPv6 = true
		// What the policy cell does at agent start: the cluster entity selects
		// k8s:io.cilium.k8s.policy.cluster=<cluster name> (and node entities).
		policyapi.InitEntities(clusterName)
		setupErr = labelsfilter.ParseLabelPrefixCfg(logger, nil, nil, "")
	})
	return setupErr
}

// EvaluateAll evaluates each input independently.
func EvaluateAll(ins []Input) ([]Output, error) {
	outs := make([]Output, 0, len(ins))
	for i, in := range ins {
		out, err := Evaluate(in)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// Evaluate computes Cilium's verdicts for the flows of in.
func Evaluate(in Input) (Output, error) {
	if err := setup(); err != nil {
		return Output{}, err
	}
	evalMu.Lock()
	defer evalMu.Unlock()

	out := Output{Verdicts: []Verdict{}, Refused: []string{}}

	// Policies, as the agent's policy watcher parses them.
	type resourceRules struct {
		id      ipcachetypes.ResourceID
		entries policytypes.PolicyEntries
	}
	var resources []resourceRules
	var allEntries policytypes.PolicyEntries
	for i, raw := range in.Policies {
		id, entries, err := parsePolicy(raw)
		if err != nil {
			var refused *refusal
			if errors.As(err, &refused) {
				out.Refused = append(out.Refused, refused.Error())
				continue
			}
			return Output{}, fmt.Errorf("policy %d: %w", i, err)
		}
		resources = append(resources, resourceRules{id, entries})
		allEntries = append(allEntries, entries...)
	}

	allocator := testidentity.NewMockIdentityAllocator(nil)
	ctx := context.Background()

	// Identities of the CIDR prefixes the policies use, allocated as the policy
	// importer asks the ipcache to (labels.GetCIDRLabels of each prefix).
	prefixes := policy.GetCIDRPrefixes(allEntries)
	slices.SortFunc(prefixes, func(a, b netip.Prefix) int { return strings.Compare(a.String(), b.String()) })
	prefixIdentity := map[netip.Prefix]*identity.Identity{}
	for _, p := range prefixes {
		id, _, err := allocator.AllocateIdentity(ctx, labels.GetCIDRLabels(p), false, identity.InvalidIdentity)
		if err != nil {
			return Output{}, fmt.Errorf("allocating identity for %s: %w", p, err)
		}
		prefixIdentity[p] = id
	}

	// Endpoint identities, as the agent's endpoint metadata fetcher builds them.
	namespaces := map[string]nsInfo{}
	for _, ns := range in.Namespaces {
		lbls := map[string]string{}
		for k, v := range ns.Labels {
			lbls[k] = v
		}
		lbls["kubernetes.io/metadata.name"] = ns.Name
		namespaces[ns.Name] = nsInfo{name: ns.Name, labels: lbls}
	}
	type endpointInfo struct {
		id         *identity.Identity
		namedPorts ciliumtypes.NamedPortMap
	}
	endpoints := map[string]*endpointInfo{}
	namedPorts := ciliumtypes.NewNamedPortMultiMap()
	for _, ep := range in.Endpoints {
		if _, dup := endpoints[ep.Name]; dup {
			return Output{}, fmt.Errorf("duplicate endpoint %q", ep.Name)
		}
		ns, ok := namespaces[ep.Namespace]
		if !ok {
			ns = nsInfo{name: ep.Namespace, labels: map[string]string{"kubernetes.io/metadata.name": ep.Namespace}}
		}
		lbls, ports := EndpointIdentityLabels(ep, ns)
		id, _, err := allocator.AllocateIdentity(ctx, lbls, false, identity.InvalidIdentity)
		if err != nil {
			return Output{}, fmt.Errorf("allocating identity for %s: %w", ep.Name, err)
		}
		endpoints[ep.Name] = &endpointInfo{id: id, namedPorts: ports}
		// The ipcache records each pod's named ports under its identity; egress
		// policy resolves named ports of the peers through it.
		namedPorts.Update(id.ID, nil, ports)
	}

	// Identities of the flows' IP addresses: longest policy prefix, else world.
	ipIdentity := map[string]*identity.Identity{}
	for _, f := range in.Flows {
		for _, peer := range []Peer{f.From, f.To} {
			if peer.IP == "" || ipIdentity[peer.IP] != nil {
				continue
			}
			addr, err := netip.ParseAddr(peer.IP)
			if err != nil {
				return Output{}, fmt.Errorf("flow peer ip %q: %w", peer.IP, err)
			}
			ipIdentity[peer.IP] = IPIdentity(addr, prefixIdentity)
		}
	}

	// The repository, knowing every identity (reserved, endpoints, CIDR).
	idmap := identity.ListReservedIdentities()
	for nid, lbls := range allocator.GetIdentityCache() {
		idmap[nid] = lbls
	}
	idManager := identitymanager.NewIDManager(logger)
	// The Envoy L7 translator with an inline secret manager, as Cilium's own
	// L7 policy tests construct it; L7 rules need it to resolve.
	l7 := envoypolicy.NewEnvoyL7RulesTranslator(logger, certificatemanager.NewMockSecretManagerInline())
	repo := policy.NewPolicyRepository(logger, idmap, nil, l7, idManager, testpolicy.NewPolicyMetricsNoop())
	repo.GetSelectorCache().SetLocalIdentityNotifier(testidentity.NewDummyIdentityNotifier())
	repo.SetNamedPortsGetter(namedPortsGetter{namedPorts})
	repo.UpdateIdentities(idmap, nil)
	for _, r := range resources {
		repo.ReplaceByResource(r.entries, r.id)
	}

	// Each endpoint's policy, distilled once.
	distilled := map[string]*policy.EndpointPolicy{}
	endpointPolicy := func(name string) (*policy.EndpointPolicy, error) {
		if epp, ok := distilled[name]; ok {
			return epp, nil
		}
		ep := endpoints[name]
		sp, _, err := repo.ComputeSelectorPolicy(ep.id)
		if err != nil {
			return nil, fmt.Errorf("resolving policy of %s: %w", name, err)
		}
		owner := &policyOwner{id: uint64(len(distilled) + 1), namedPorts: ep.namedPorts}
		// A redirect for every L7 rule, as policy.LookupFlow does, so that
		// proxy-redirected traffic is looked up as allowed (not as an
		// unrealised redirect).
		epp := sp.DistillPolicy(logger, owner, map[string]uint16{policy.FallbackRedirectID: math.MaxUint16})
		epp.Ready()
		distilled[name] = epp
		return epp, nil
	}
	defer func() {
		for _, epp := range distilled {
			epp.Detach(logger)
		}
	}()

	peerIdentity := func(p Peer) (*identity.Identity, error) {
		switch {
		case p.Endpoint != "" && p.IP != "":
			return nil, fmt.Errorf("flow peer has both endpoint %q and ip %q", p.Endpoint, p.IP)
		case p.Endpoint != "":
			ep, ok := endpoints[p.Endpoint]
			if !ok {
				return nil, fmt.Errorf("flow peer: unknown endpoint %q", p.Endpoint)
			}
			return ep.id, nil
		case p.IP != "":
			return ipIdentity[p.IP], nil
		}
		return nil, errors.New("flow peer has neither endpoint nor ip")
	}

	for i, f := range in.Flows {
		from, err := peerIdentity(f.From)
		if err != nil {
			return Output{}, fmt.Errorf("flow %d: %w", i, err)
		}
		to, err := peerIdentity(f.To)
		if err != nil {
			return Output{}, fmt.Errorf("flow %d: %w", i, err)
		}
		proto, err := u8proto.ParseProtocol(f.Protocol)
		if err != nil || proto == u8proto.ANY {
			return Output{}, fmt.Errorf("flow %d: protocol %q", i, f.Protocol)
		}
		if f.Port < 1 || f.Port > 65535 {
			return Output{}, fmt.Errorf("flow %d: port %d out of range", i, f.Port)
		}
		port := uint16(f.Port)
		var v Verdict
		if f.From.Endpoint != "" {
			epp, err := endpointPolicy(f.From.Endpoint)
			if err != nil {
				return Output{}, err
			}
			v.Egress = decision(epp, policy.EgressKey().WithIdentity(to.ID).WithPortProto(proto, port))
		}
		if f.To.Endpoint != "" {
			epp, err := endpointPolicy(f.To.Endpoint)
			if err != nil {
				return Output{}, err
			}
			v.Ingress = decision(epp, policy.IngressKey().WithIdentity(from.ID).WithPortProto(proto, port))
		}
		out.Verdicts = append(out.Verdicts, v)
	}
	return out, nil
}

// decision looks key up in the endpoint's policy map state; anything but a
// deny entry (an allow, or a proxy redirect for L7 rules) is an allow.
func decision(epp *policy.EndpointPolicy, key policy.Key) string {
	entry, _, _ := epp.Lookup(key)
	if entry.IsDeny() {
		return deny
	}
	return allow
}

// EndpointIdentityLabels returns the security identity labels the agent
// gives a pod (k8s.GetPodMetadata, source k8s, default label filter, named
// ports identity labels) and the pod's named ports.
func EndpointIdentityLabels(ep Endpoint, ns NamespaceLabels) (labels.Labels, ciliumtypes.NamedPortMap) {
	_, podName, found := strings.Cut(ep.Name, "/")
	if !found {
		podName = ep.Name
	}
	pod := &slim_corev1.Pod{
		ObjectMeta: slim_metav1.ObjectMeta{
			Name:      podName,
			Namespace: ep.Namespace,
			Labels:    ep.Labels,
		},
		Spec: slim_corev1.PodSpec{ServiceAccountName: ep.ServiceAccount},
	}
	if len(ep.Ports) > 0 {
		c := slim_corev1.Container{Name: "main"}
		for _, p := range ep.Ports {
			c.Ports = append(c.Ports, slim_corev1.ContainerPort{
				Name:          p.Name,
				ContainerPort: p.Port,
				Protocol:      slim_corev1.Protocol(p.Protocol),
			})
		}
		pod.Spec.Containers = []slim_corev1.Container{c}
	}
	namedPorts, lbls := k8s.GetPodMetadata(logger, ns, pod)
	identityLabels, _ := labelsfilter.Filter(labels.Map2Labels(lbls, labels.LabelSourceK8s))
	if identityLabels == nil {
		identityLabels = labels.Labels{}
	}
	for _, l := range k8s.NamedPortsIdentityLabels(namedPorts) {
		identityLabels[l.Key] = l
	}
	return identityLabels, namedPorts
}

// NamespaceLabels is what k8s.GetPodMetadata needs of a namespace.
type NamespaceLabels interface {
	GetName() string
	GetLabels() map[string]string
}

type nsInfo struct {
	name   string
	labels map[string]string
}

func (n nsInfo) GetName() string              { return n.name }
func (n nsInfo) GetLabels() map[string]string { return n.labels }

// IPIdentity returns the identity the ipcache gives addr: that of the longest
// prefix containing it among the policy prefixes, else the world identity of
// its address family.
func IPIdentity(addr netip.Addr, prefixes map[netip.Prefix]*identity.Identity) *identity.Identity {
	var best netip.Prefix
	var id *identity.Identity
	for p, pid := range prefixes {
		if p.Contains(addr) && (id == nil || p.Bits() > best.Bits()) {
			best, id = p, pid
		}
	}
	if id != nil {
		return id
	}
	return identity.LookupReservedIdentity(identity.GetWorldIdentityFromIP(addr))
}

type namedPortsGetter struct {
	npm ciliumtypes.NamedPortMultiMap
}

func (g namedPortsGetter) GetNamedPorts() ciliumtypes.NamedPortMultiMap { return g.npm }

// policyOwner is the endpoint as the policy engine sees it; its ingress
// named ports are the pod's own container ports, as for the agent's Endpoint.
type policyOwner struct {
	id         uint64
	namedPorts ciliumtypes.NamedPortMap
}

var _ policy.PolicyOwner = (*policyOwner)(nil)

func (o *policyOwner) GetID() uint64 { return o.id }

func (o *policyOwner) GetIngressNamedPort(name string, proto u8proto.U8proto) uint16 {
	port, _ := o.namedPorts.GetNamedPort(name, proto)
	return port
}

func (o *policyOwner) PolicyDebug(string, ...any) {}

func (o *policyOwner) IsHost() bool { return false }

func (o *policyOwner) PreviousMapStateSizes() policy.MapStateSizes { return policy.MapStateSizes{} }

func (o *policyOwner) RegenerateIfAlive(*regeneration.ExternalRegenerationMetadata) <-chan bool {
	ch := make(chan bool)
	close(ch)
	return ch
}

// refusal is a policy Cilium would not import.
type refusal struct {
	kind, namespace, name string
	err                   error
}

func (r *refusal) Error() string {
	return fmt.Sprintf("%s/%s/%s: %v", r.kind, r.namespace, r.name, r.err)
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// parsePolicy turns one policy object into the repository entries the agent
// would insert for it, and its resource ID. A *refusal error means Cilium
// would not import the policy.
func parsePolicy(raw json.RawMessage) (ipcachetypes.ResourceID, policytypes.PolicyEntries, error) {
	var tm typeMeta
	if err := json.Unmarshal(raw, &tm); err != nil {
		return "", nil, fmt.Errorf("decoding policy: %w", err)
	}
	refuse := func(err error) (ipcachetypes.ResourceID, policytypes.PolicyEntries, error) {
		return "", nil, &refusal{kind: tm.Kind, namespace: tm.Metadata.Namespace, name: tm.Metadata.Name, err: err}
	}
	switch {
	case tm.APIVersion == "cilium.io/v2" && tm.Kind == "CiliumNetworkPolicy":
		var cnp cilium_v2.CiliumNetworkPolicy
		if err := json.Unmarshal(raw, &cnp); err != nil {
			return refuse(err)
		}
		if cnp.Namespace == "" {
			// The API server defaults a namespaced object's namespace.
			cnp.Namespace = "default"
		}
		rules, err := cnp.Parse(logger, clusterName)
		if err != nil {
			return refuse(err)
		}
		id := ipcachetypes.NewResourceID(ipcachetypes.ResourceKindCNP, cnp.Namespace, cnp.Name)
		return id, policyutils.RulesToPolicyEntries(rules), nil
	case tm.APIVersion == "cilium.io/v2" && tm.Kind == "CiliumClusterwideNetworkPolicy":
		var ccnp cilium_v2.CiliumClusterwideNetworkPolicy
		if err := json.Unmarshal(raw, &ccnp); err != nil {
			return refuse(err)
		}
		rules, err := ccnp.Parse(logger, clusterName)
		if err != nil {
			return refuse(err)
		}
		id := ipcachetypes.NewResourceID(ipcachetypes.ResourceKindCCNP, "", ccnp.Name)
		return id, policyutils.RulesToPolicyEntries(rules), nil
	case tm.APIVersion == "networking.k8s.io/v1" && tm.Kind == "NetworkPolicy":
		var np slim_networkingv1.NetworkPolicy
		if err := json.Unmarshal(raw, &np); err != nil {
			return refuse(err)
		}
		if np.Namespace == "" {
			np.Namespace = "default"
		}
		entries, err := k8s.ParseNetworkPolicy(logger, clusterName, &np)
		if err != nil {
			return refuse(err)
		}
		id := ipcachetypes.NewResourceID(ipcachetypes.ResourceKindNetpol, np.Namespace, np.Name)
		return id, entries, nil
	}
	return "", nil, fmt.Errorf("policy %s/%s: unsupported apiVersion/kind %s/%s", tm.Metadata.Namespace, tm.Metadata.Name, tm.APIVersion, tm.Kind)
}
