package netgen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// Proof is what the connectivity model says of the input with the generated policies:
// every connection Generate derived must be allowed (Missing lists those that are not),
// and every allowed connection that was not derived must be allowed by the input's own
// policies, or by a side they leave open (Kept), never by a generated policy alone
// (Extra).
type Proof struct {
	// Checked counts the derived connections the model can judge: between workloads of
	// the set, or between one and addresses outside the cluster.
	Checked int
	// Unchecked counts the derived connections with pods outside the set at one end
	// (cluster DNS, an ingress controller's namespace), which the model cannot see.
	Unchecked int
	Missing   []string
	Extra     []string
	Kept      []string
}

// OK reports whether the policies allow exactly the derived connections.
func (p *Proof) OK() bool { return len(p.Missing) == 0 && len(p.Extra) == 0 }

// Objects returns the input as it is once the policies are applied: without the
// NetworkPolicies the result replaces, with the generated ones.
func (r *Result) Objects(objs []map[string]any) ([]map[string]any, error) {
	replaced := map[string]bool{}
	for _, id := range r.Replaced {
		replaced[id] = true
	}
	var out []map[string]any
	for _, o := range objs {
		if o["kind"] == "NetworkPolicy" {
			meta, _ := o["metadata"].(map[string]any)
			ns, _ := meta["namespace"].(string)
			if ns == "" {
				ns = netmodel.DefaultNamespace
			}
			name, _ := meta["name"].(string)
			if replaced[ns+"/"+name] {
				continue
			}
		}
		out = append(out, o)
	}
	for _, p := range r.Policies {
		obj, err := policyObject(p)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// Prove evaluates the input with the generated policies with the connectivity model
// and compares the connections it allows with the derived ones.
func Prove(objs []map[string]any, r *Result) (*Proof, error) {
	applied, err := r.Objects(objs)
	if err != nil {
		return nil, err
	}
	m, _ := netmodel.FromObjects(applied)
	byID := map[string]*netmodel.Workload{}
	for _, w := range m.Workloads() {
		byID[w.ID()] = w
	}
	generated := map[string]bool{}
	for _, p := range r.Policies {
		generated[p.Namespace+"/"+p.Name] = true
	}
	derived := map[pair][]netmodel.PortRange{}
	proof := &Proof{}
	for _, c := range r.Connections {
		var from, to string
		var dst *netmodel.Workload
		switch {
		case c.From.Workload != nil && c.To.Workload != nil:
			from, to, dst = c.From.Workload.ID(), c.To.Workload.ID(), byID[c.To.Workload.ID()]
		case c.From.Workload != nil && c.To.Outside:
			from, to = c.From.Workload.ID(), c.To.Peer.IPBlock.CIDR
		case c.To.Workload != nil && c.From.Outside:
			from, to, dst = c.From.Peer.IPBlock.CIDR, c.To.Workload.ID(), byID[c.To.Workload.ID()]
		default:
			proof.Unchecked++
			continue
		}
		proof.Checked++
		derived[pair{from, to}] = append(derived[pair{from, to}], portRanges(c.Ports, dst)...)
	}
	allowed := map[pair][]netmodel.PortRange{}
	owned := map[pair]bool{} // a side is open because of the generated set
	for _, c := range m.Connections("") {
		k := pair{c.Source.String(), c.Destination.String()}
		allowed[k] = append(allowed[k], c.Ports...)
		if !userSide(m, c.Source.Workload, c.EgressIsolated, c.EgressPolicies, generated) || !userSide(m, c.Destination.Workload, c.IngressIsolated, c.IngressPolicies, generated) {
			owned[k] = true
		}
	}
	for _, k := range sortedPairs(derived) {
		if missing := netmodel.SubtractPorts(derived[k], allowed[k]); len(missing) > 0 {
			proof.Missing = append(proof.Missing, fmt.Sprintf("%s -> %s on %s", k.from, k.to, netmodel.FormatPorts(missing)))
		}
	}
	for _, k := range sortedPairs(allowed) {
		extra := netmodel.SubtractPorts(allowed[k], derived[k])
		if len(extra) == 0 {
			continue
		}
		line := fmt.Sprintf("%s -> %s on %s", k.from, k.to, netmodel.FormatPorts(extra))
		if owned[k] {
			proof.Extra = append(proof.Extra, line)
		} else {
			proof.Kept = append(proof.Kept, line)
		}
	}
	return proof, nil
}

// userSide reports whether one side of an allowed connection is open for a reason
// outside the generated set: a policy of the input allows it, or the end is outside the
// cluster or a host-network pod that NetworkPolicy does not isolate. Any other open side
// is the generated set's doing: a generated policy allows it alone, or the generated
// default deny failed to isolate the pod.
func userSide(m *netmodel.Model, w *netmodel.Workload, isolated bool, policies []string, generated map[string]bool) bool {
	if w == nil || !isolated && w.HostNetwork && m.HostNetwork() != netmodel.HostNetworkPod {
		return true
	}
	return isolated && slices.ContainsFunc(policies, func(p string) bool { return !generated[p] })
}

// portRanges are the port numbers of a connection's ports at its destination: named
// ports resolved against the destination's container ports. Nil ports: every port.
func portRanges(ports []Port, dst *netmodel.Workload) []netmodel.PortRange {
	if ports == nil {
		var out []netmodel.PortRange
		for _, proto := range netmodel.Protocols {
			out = append(out, netmodel.PortRange{Protocol: proto, From: 1, To: netmodel.MaxPort})
		}
		return out
	}
	var out []netmodel.PortRange
	for _, p := range ports {
		n := p.Port.IntVal
		if p.Port.StrVal != "" {
			if dst == nil {
				continue
			}
			var ok bool
			if n, ok = portNumber(p, dst); !ok {
				continue
			}
		}
		out = append(out, netmodel.PortRange{Protocol: p.Protocol, From: n, To: max(n, p.EndPort)})
	}
	return out
}

// pair is the ends of a connection, as the model names them.
type pair struct{ from, to string }

func sortedPairs[V any](m map[pair]V) []pair {
	out := make([]pair, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].from != out[j].from {
			return out[i].from < out[j].from
		}
		return strings.Compare(out[i].to, out[j].to) < 0
	})
	return out
}
