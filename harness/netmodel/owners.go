package netmodel

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pods that a workload's controller made (see workload.MadeByController) are folded into
// their controller, as the live audit folds them:
//
//   - When the controller is in the input (a DaemonSet and its Pods, a Deployment and its
//     ReplicaSets), the controller's pod template is the workload and the objects it
//     made are left out. A Pod of a ReplicaSet that is not in the input is left out too
//     when the Deployment that the ReplicaSet's name and the Pod's pod-template-hash
//     label point to is (the Deployment controller names its ReplicaSets so), and a Pod
//     of a Job that is not in the input when the CronJob its name points to is (name-
//     minutes since the epoch).
//   - When the controller is not in the input (a dump of Pods, `kubectl get pods -o
//     yaml`), its Pods become one workload named after it, namespace/name[Kind], that
//     stands for them all (Workload.Pods names them). Replicas can differ, and a
//     grouping must not change who can reach whom: Pods are grouped only when they have
//     the same namespace, controller, hostNetwork, container ports, addresses and
//     labels. The labels controllers set on each replica or revision
//     (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index,
//     batch.kubernetes.io/job-completion-index, controller-revision-hash,
//     pod-template-generation) are set aside unless a selector of a policy (or one
//     named WithLabelKeys) reads them. A controller whose Pods differ in more is split,
//     each part named with what sets it apart: namespace/name{key=value}[Kind],
//     {!key} for a label it lacks, {hostNetwork:true}, {ports:80/TCP+53/UDP}.
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

// read is a workload as FromObjects read it, with its controller when one made it.
type read struct {
	w          *Workload
	owner      metav1.OwnerReference
	controlled bool
}

// ownerKey names an object by namespace, kind and name.
type ownerKey struct{ namespace, kind, name string }

// podGroup is Pods of one controller that no selector tells apart.
type podGroup struct {
	owner   ownerKey
	members []*Workload
	labels  map[string]string // the labels the group is keyed on
}

// foldOwned folds the objects controllers made into their controllers (see above).
// selected are the pod label keys selectors read. It returns the workloads in input
// order (a group where its first Pod was) and how many objects it left out.
func foldOwned(in []read, selected map[string]bool) ([]*Workload, int) {
	present := make(map[ownerKey]bool, len(in))
	for _, r := range in {
		present[ownerKey{r.w.Namespace, r.w.Kind, r.w.Name}] = true
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
	for _, r := range in {
		switch {
		case !r.controlled:
			out = append(out, r.w)
			continue
		case ownerPresent(r, present):
			leftOut++
			continue
		case r.w.Kind != "Pod":
			out = append(out, r.w)
			continue
		}
		owner := ownerKey{r.w.Namespace, r.owner.Kind, r.owner.Name}
		keyed := map[string]string{}
		for k, v := range r.w.Labels {
			if !replicaLabels[k] || selected[k] {
				keyed[k] = v
			}
		}
		key.Reset()
		fmt.Fprintf(&key, "%s\x00%s\x00%s\x00%t\x00%v\x00%v", owner.namespace, owner.kind, owner.name, r.w.HostNetwork, r.w.Ports, r.w.IPs)
		for _, k := range slices.Sorted(maps.Keys(keyed)) {
			fmt.Fprintf(&key, "\x00%s=%s", k, keyed[k])
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
		g.members = append(g.members, r.w)
	}
	for _, g := range order {
		out[slot[g]] = g.workload(byOwner[g.owner])
	}
	return out, leftOut
}

// ownerPresent reports whether the controller of r, or the controller's own controller
// as its name tells, is in the input.
func ownerPresent(r read, present map[ownerKey]bool) bool {
	ns := r.w.Namespace
	if present[ownerKey{ns, r.owner.Kind, r.owner.Name}] {
		return true
	}
	switch r.owner.Kind {
	case "ReplicaSet":
		hash := r.w.Labels["pod-template-hash"]
		if d, ok := strings.CutSuffix(r.owner.Name, "-"+hash); ok && hash != "" && d != "" {
			return present[ownerKey{ns, "Deployment", d}]
		}
	case "Job":
		if i := strings.LastIndexByte(r.owner.Name, '-'); i > 0 {
			if _, err := strconv.ParseUint(r.owner.Name[i+1:], 10, 64); err == nil {
				return present[ownerKey{ns, "CronJob", r.owner.Name[:i]}]
			}
		}
	}
	return false
}

// workload is the group as one workload; siblings are all the groups of its controller.
func (g *podGroup) workload(siblings []*podGroup) *Workload {
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
	if len(siblings) > 1 {
		name += "{" + strings.Join(g.apart(siblings), ",") + "}"
	}
	return &Workload{
		Namespace: first.Namespace, Name: name, Kind: g.owner.kind, Labels: common,
		Ports: first.Ports, HostNetwork: first.HostNetwork, IPs: first.IPs, Object: first.Object, Pods: pods,
	}
}

// apart says what sets the group apart from the other groups of its controller: the
// labels whose values differ among them (key=value, or !key where the group lacks it),
// and hostNetwork, ports and addresses when they differ. Every group has a different
// key, so something differs; the group's first Pod is the last resort.
func (g *podGroup) apart(siblings []*podGroup) []string {
	keys := map[string]bool{}
	for _, s := range siblings {
		for k := range s.labels {
			keys[k] = true
		}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		v, ok := g.labels[k]
		differs := slices.ContainsFunc(siblings, func(s *podGroup) bool {
			sv, sok := s.labels[k]
			return sok != ok || sv != v
		})
		switch {
		case !differs:
		case ok:
			out = append(out, k+"="+v)
		default:
			out = append(out, "!"+k)
		}
	}
	first := g.members[0]
	if slices.ContainsFunc(siblings, func(s *podGroup) bool { return s.members[0].HostNetwork != first.HostNetwork }) {
		out = append(out, fmt.Sprintf("hostNetwork:%t", first.HostNetwork))
	}
	if slices.ContainsFunc(siblings, func(s *podGroup) bool { return !slices.Equal(s.members[0].Ports, first.Ports) }) {
		out = append(out, "ports:"+formatContainerPorts(first.Ports))
	}
	if slices.ContainsFunc(siblings, func(s *podGroup) bool { return !slices.Equal(s.members[0].IPs, first.IPs) }) {
		var ips []string
		for _, a := range first.IPs {
			ips = append(ips, a.String())
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
