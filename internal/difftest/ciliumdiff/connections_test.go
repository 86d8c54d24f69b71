package ciliumdiff

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/internal/ciliumgen"
)

// TestCiliumConnectionsAgreeWithCheck holds the model to itself on the differential
// test's sets: the connections Connections lists (between workload classes, from each
// admission's candidate sources, with outside addresses cut into prefixes) carry
// exactly the flows Check allows one by one, which the differential test holds to
// Cilium.
func TestCiliumConnectionsAgreeWithCheck(t *testing.T) {
	flows, bad := 0, 0
	for i := range numSets {
		s := ciliumgen.Generate(baseSeed + uint64(i))
		m, _ := netmodel.FromObjects(s.Objects())
		conns := m.Connections("")
		byKey := map[string]*netmodel.Workload{}
		for _, w := range m.Workloads() {
			byKey[w.Namespace+"/"+w.Name] = w
		}
		endpoint := func(end string) netmodel.Endpoint {
			if s.IsPod(end) {
				return netmodel.Endpoint{Workload: byKey[end]}
			}
			return netmodel.Endpoint{IP: netip.MustParseAddr(end)}
		}
		for _, f := range s.Flows() {
			if f.From == f.To {
				continue // traffic within a workload is not listed
			}
			src, dst := endpoint(f.From), endpoint(f.To)
			proto := corev1.Protocol(f.Protocol)
			flows++
			want := m.Check(src, dst, f.Port, proto).Allowed()
			if got := carried(conns, src, dst, f.Port, proto); got != want {
				bad++
				if bad <= 10 {
					t.Errorf("set %d (seed %d): %s -> %s %d/%s: Check allows %v, Connections %v", i, baseSeed+uint64(i), f.From, f.To, f.Port, f.Protocol, want, got)
				}
			}
		}
	}
	t.Logf("%d flows over %d sets, %d where Connections and Check disagree", flows, numSets, bad)
}

// carried reports whether a connection carries port/proto from src to dst.
func carried(conns []netmodel.Connection, src, dst netmodel.Endpoint, port int32, proto corev1.Protocol) bool {
	matches := func(p netmodel.Peer, e netmodel.Endpoint) bool {
		if e.Workload != nil || p.Workload != nil {
			return p.Workload == e.Workload
		}
		return p.Name == "" && p.Reaches(netip.PrefixFrom(e.IP, e.IP.BitLen()))
	}
	return slices.ContainsFunc(conns, func(c netmodel.Connection) bool {
		return matches(c.Source, src) && matches(c.Destination, dst) &&
			slices.ContainsFunc(c.Ports, func(r netmodel.PortRange) bool { return r.Protocol == proto && port >= r.From && port <= r.To })
	})
}
