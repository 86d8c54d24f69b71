package netmodel

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ringfence/ringfence/harness/workload"
)

// Pods that a workload's controller made (see workload.MadeByController) are folded into
// their controller, as the live audit folds them:
//
//   - When the controller is in the input (a DaemonSet and its Pods, a Deployment and its
//     ReplicaSets), the controller's pod template is the workload and the objects it
//     made are left out. A Pod of a ReplicaSet that is not in the input is left out too
//     when the Deployment that the ReplicaSet's name and the Pod's pod-template-hash
//     label point to is (the Deployment controller names its ReplicaSets
//     <deployment>-<pod-template-hash>), and a Pod of a Job that is not in the input
//     when the CronJob its name points to is (<cronjob>-<minutes since the epoch>).
//   - When the controller is not in the input (a dump of Pods, `kubectl get pods -o
//     yaml`), its Pods become one workload named after it, namespace/name[Kind], that
//     stands for them all (Workload.Pods names them). Replicas can differ, and a
//     grouping must not change who can reach whom: Pods are grouped only when they have
//     the same namespace, controller, hostNetwork, container ports, addresses (when
//     known; FromObjects reads none) and labels. The labels controllers set on each replica or revision
//     (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index,
//     batch.kubernetes.io/job-completion-index, controller-revision-hash,
//     pod-template-generation) are set aside unless a selector of a policy (or one
//     named WithLabelKeys) reads them. A controller whose Pods differ in more is split,
//     each part named with what sets it apart: namespace/name{key=value}[Kind],
//     {!key} for a label it lacks, {hostNetwork:true}, {ports:53/UDP(dns)+9153/TCP}.
//     The workload's labels are those all its Pods share.
//
// ReplicaSets and Jobs whose controller is not in the input stay workloads of their own,
// as their template says; so do Pods of other controllers (an operator's, the mirror
// pods of static pods, owned by their Node), which are not made from a template.

// replicaLabels are the labels controllers set per replica or per revision.
var replicaLabels = map[string]bool{
	"statefulset.kubernetes.io/pod-name":       true,
	"apps.kubernetes.io/pod-index":             true,
	"batch.kubernetes.io/job-completion-index": true,
	"controller-revision-hash":                 true,
	"pod-template-generation":                  true,
}

// made is a workload that a controller made: its position among the workloads
// FromObjects read, and the controller's kind and name.
type made struct {
	index       int
	kind, owner string
}

// madeBy returns what made the workload at index, if a workload controller did.
func madeBy(index int, w *Workload, refs []metav1.OwnerReference) (made, bool) {
	owner, ok := workload.MadeByController(w.Kind, refs)
	return made{index, owner.Kind, owner.Name}, ok
}

// ownerKey names an object by namespace, kind and name.
type ownerKey struct{ namespace, kind, name string }

// podGroup is Pods of one controller that no selector tells apart.
type podGroup struct {
	owner   ownerKey
	members []*Workload
	labels  map[string]string // the labels the group is keyed on
}

// foldOwned folds the objects controllers made (madeOf, in order) into their controllers
// (see above). selected returns the pod label keys selectors read. It returns the
// workloads in input order (a group where its first Pod was) and how many objects it
// left out. Sets without such objects cost nothing more.
func foldOwned(in []*Workload, madeOf []made, selected func() map[string]bool) ([]*Workload, int) {
	if len(madeOf) == 0 {
		return in, 0
	}
	keys := selected()
	present := make(map[ownerKey]bool, len(in))
	for _, w := range in {
		present[ownerKey{w.Namespace, w.Kind, w.Name}] = true
	}
	var (
		out     []*Workload
		leftOut int
		groups  = map[string]*podGroup{}
		order   []*podGroup
		slot    = map[*podGroup]int{} // its position in out
		byOwner = map[ownerKey][]*podGroup{}
		key     strings.Builder
	)
	next := 0 // the next of madeOf
	for i, w := range in {
		if next == len(madeOf) || madeOf[next].index != i {
			out = append(out, w)
			continue
		}
		r := madeOf[next]
		next++
		switch {
		case ownerPresent(w, r, present):
			leftOut++
			continue
		case w.Kind != "Pod":
			out = append(out, w)
			continue
		}
		owner := ownerKey{w.Namespace, r.kind, r.owner}
		keyed := map[string]string{}
		for k, v := range w.Labels {
			if !replicaLabels[k] || keys[k] {
				keyed[k] = v
			}
		}
		key.Reset()
		fmt.Fprintf(&key, "%s\x00%s\x00%s\x00%t\x00%v\x00%v", owner.namespace, owner.kind, owner.name, w.HostNetwork, w.Ports, w.IPs)
		for _, k := range slices.Sorted(maps.Keys(keyed)) {
			key.WriteString("\x00" + k + "=" + keyed[k])
		}
		g := groups[key.String()]
		if g == nil {
			g = &podGroup{owner: owner, labels: keyed}
			groups[key.String()] = g
			order = append(order, g)
			slot[g] = len(out)
			out = append(out, nil)
			byOwner[owner] = append(byOwner[owner], g)
		}
		g.members = append(g.members, w)
	}
	variations := map[ownerKey]*variation{}
	for _, g := range order {
		var v *variation
		if siblings := byOwner[g.owner]; len(siblings) > 1 {
			if v = variations[g.owner]; v == nil {
				v = vary(siblings)
				variations[g.owner] = v
			}
		}
		out[slot[g]] = g.workload(v)
	}
	return out, leftOut
}

// ownerPresent reports whether the controller of w (made as r says), or the
// controller's own controller as its name tells, is in the input.
func ownerPresent(w *Workload, r made, present map[ownerKey]bool) bool {
	ns := w.Namespace
	if present[ownerKey{ns, r.kind, r.owner}] {
		return true
	}
	switch r.kind {
	case "ReplicaSet":
		hash := w.Labels["pod-template-hash"]
		if d, ok := strings.CutSuffix(r.owner, "-"+hash); ok && hash != "" && d != "" {
			return present[ownerKey{ns, "Deployment", d}]
		}
	case "Job":
		if i := strings.LastIndexByte(r.owner, '-'); i > 0 {
			if _, err := strconv.ParseUint(r.owner[i+1:], 10, 64); err == nil {
				return present[ownerKey{ns, "CronJob", r.owner[:i]}]
			}
		}
	}
	return false
}

// workload is the group as one workload; v is what differs among the groups of its
// controller (nil when it has one group).
func (g *podGroup) workload(v *variation) *Workload {
	first := g.members[0]
	common := maps.Clone(first.Labels)
	pods := make([]string, 0, len(g.members))
	for _, m := range g.members {
		for k, v := range common {
			if mv, ok := m.Labels[k]; !ok || mv != v {
				delete(common, k)
			}
		}
		pods = append(pods, m.Name)
	}
	slices.Sort(pods)
	name := g.owner.name
	if v != nil {
		name += "{" + strings.Join(g.apart(v), ",") + "}"
	}
	return &Workload{
		Namespace: first.Namespace, Name: name, Kind: g.owner.kind, Labels: common,
		Ports: first.Ports, HostNetwork: first.HostNetwork, IPs: first.IPs, Object: first.Object, Pods: pods,
	}
}

// variation is what differs among the groups of one controller: the label keys whose
// values (or presence) differ, sorted, and whether hostNetwork, ports or addresses do.
type variation struct {
	keys                    []string
	hostNetwork, ports, ips bool
}

// vary finds what differs among groups, in one pass over them.
func vary(groups []*podGroup) *variation {
	const absent = "\x00" // no label value holds it
	values := map[string]map[string]bool{}
	for _, g := range groups {
		for k := range g.labels {
			if values[k] == nil {
				values[k] = map[string]bool{}
			}
		}
	}
	v := &variation{}
	first := groups[0].members[0]
	for _, g := range groups {
		for k, vals := range values {
			if val, ok := g.labels[k]; ok {
				vals[val] = true
			} else {
				vals[absent] = true
			}
		}
		m := g.members[0]
		v.hostNetwork = v.hostNetwork || m.HostNetwork != first.HostNetwork
		v.ports = v.ports || !slices.Equal(m.Ports, first.Ports)
		v.ips = v.ips || !slices.Equal(m.IPs, first.IPs)
	}
	for k, vals := range values {
		if len(vals) > 1 {
			v.keys = append(v.keys, k)
		}
	}
	slices.Sort(v.keys)
	return v
}

// apart says what sets the group apart from the other groups of its controller: the
// labels whose values differ among them (key=value, or !key where the group lacks it),
// and hostNetwork, ports and addresses when they differ. Every group has a different
// key, so something differs; the group's first Pod is the last resort.
func (g *podGroup) apart(v *variation) []string {
	var out []string
	for _, k := range v.keys {
		if val, ok := g.labels[k]; ok {
			out = append(out, k+"="+val)
		} else {
			out = append(out, "!"+k)
		}
	}
	first := g.members[0]
	if v.hostNetwork {
		out = append(out, fmt.Sprintf("hostNetwork:%t", first.HostNetwork))
	}
	if v.ports {
		out = append(out, "ports:"+formatContainerPorts(first.Ports))
	}
	if v.ips {
		ips := make([]string, len(first.IPs))
		for i, a := range first.IPs {
			ips[i] = a.String()
		}
		out = append(out, "ips:"+strings.Join(ips, "+"))
	}
	if len(out) == 0 {
		out = append(out, "pod:"+first.Name)
	}
	return out
}

func formatContainerPorts(ports []ContainerPort) string {
	if len(ports) == 0 {
		return "none"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		if p.Name != "" {
			parts[i] += "(" + p.Name + ")"
		}
	}
	return strings.Join(parts, "+")
}
