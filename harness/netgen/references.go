package netgen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
)

// source is a value a workload's pods read, where an address may be written.
type source struct {
	value    string
	bare     bool   // the key says the value is an address: a bare name counts
	evidence string // where it was read
}

// sources lists the values of a workload's containers that may name a Service: every
// environment variable's value, the values of the ConfigMap keys its variables read
// (env valueFrom and envFrom), its arguments and command, and the values of the
// ConfigMaps it mounts.
func (s *set) sources(w *netmodel.Workload) []source {
	pod := s.pods[w]
	who := describe(w)
	var out []source
	mounted := map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil {
			mounted[v.ConfigMap.Name] = true
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					mounted[src.ConfigMap.Name] = true
				}
			}
		}
	}
	var containers []corev1.Container
	containers = append(containers, pod.Spec.InitContainers...)
	containers = append(containers, pod.Spec.Containers...)
	for _, c := range containers {
		where := fmt.Sprintf("%s: container %q", who, c.Name)
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				out = append(out, source{e.Value, addressKey(e.Name), fmt.Sprintf("%s env %s=%q", where, e.Name, e.Value)})
			case e.ValueFrom.ConfigMapKeyRef != nil:
				ref := e.ValueFrom.ConfigMapKeyRef
				data, ok := s.configMaps[netgenKey{w.Namespace, ref.Name}]
				if !ok {
					if ref.Optional == nil || !*ref.Optional {
						s.unresolved(fmt.Sprintf("%s env %s from ConfigMap %s key %s", where, e.Name, ref.Name, ref.Key), "ConfigMap %s/%s is not in the input", w.Namespace, ref.Name)
					}
					continue
				}
				if v, ok := data[ref.Key]; ok {
					out = append(out, source{v, addressKey(e.Name) || addressKey(ref.Key), fmt.Sprintf("%s env %s from ConfigMap %s/%s key %s=%q", where, e.Name, w.Namespace, ref.Name, ref.Key, v)})
				}
			}
		}
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef == nil {
				continue
			}
			name := from.ConfigMapRef.Name
			data, ok := s.configMaps[netgenKey{w.Namespace, name}]
			if !ok {
				if from.ConfigMapRef.Optional == nil || !*from.ConfigMapRef.Optional {
					s.unresolved(fmt.Sprintf("%s envFrom ConfigMap %s", where, name), "ConfigMap %s/%s is not in the input", w.Namespace, name)
				}
				continue
			}
			for _, k := range sortedKeys(data) {
				out = append(out, source{data[k], addressKey(k), fmt.Sprintf("%s envFrom ConfigMap %s/%s key %s=%q", where, w.Namespace, name, k, data[k])})
			}
		}
		argv := slices.Concat(c.Command, c.Args)
		for i, arg := range argv {
			field := "args"
			index := i - len(c.Command)
			if i < len(c.Command) {
				field, index = "command", i
			}
			// A flag names what the next argument holds: --redis-addr host.
			bare := false
			if i > 0 {
				prev := argv[i-1]
				bare = strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") && addressKey(prev)
			}
			if name, _, ok := strings.Cut(arg, "="); ok && addressKey(name) {
				bare = true
			}
			out = append(out, source{arg, bare, fmt.Sprintf("%s %s[%d] %q", where, field, index, arg)})
		}
	}
	for _, name := range sortedKeys(mounted) {
		data, ok := s.configMaps[netgenKey{w.Namespace, name}]
		if !ok {
			continue // a mounted ConfigMap may hold anything; its absence is not a reference
		}
		for _, k := range sortedKeys(data) {
			out = append(out, source{data[k], false, fmt.Sprintf("%s: mounted ConfigMap %s/%s key %s", who, w.Namespace, name, k)})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// references allows a workload to reach the Services its values name.
func (s *set) references(w *netmodel.Workload) {
	for _, src := range s.sources(w) {
		for _, a := range Addresses(src.value, src.bare) {
			s.reference(w, a, src.evidence)
		}
	}
}

// reference resolves one address a workload's values hold.
func (s *set) reference(w *netmodel.Workload, a Address, evidence string) {
	name, qualified, ok := Cluster(a.Host, w.Namespace, s.opts.ClusterDomain, func(ns string) bool { return s.namespaces[ns] })
	if !ok {
		if qualified {
			s.unresolved(evidence, "%q is a cluster address of no form a Service has", a.Host)
		}
		return // a name outside the cluster: an intent allows it
	}
	if a.Host == "localhost" {
		return
	}
	svc := s.services[netgenKey{name.Namespace, name.Name}]
	if svc == nil {
		_, numbered := strconv.Atoi(a.Port)
		if qualified || strings.Contains(a.Host, ".") || numbered == nil || a.Scheme != "" {
			// A dotted host of the set's namespace, or a host with a port: it was
			// meant as an address.
			s.unresolved(evidence, "no Service %s/%s in the input", name.Namespace, name.Name)
		}
		return
	}
	if svc.spec.Type == corev1.ServiceTypeExternalName {
		s.unresolved(evidence, "Service %s/%s is an ExternalName for %s, outside the cluster (declare it in an intents file)", svc.ns, svc.name, svc.spec.ExternalName)
		return
	}
	ports, ok := s.pickPorts(svc, a, evidence)
	if !ok {
		return
	}
	s.toService(workloadEnd(w), svc, ports, evidence)
}

// pickPorts selects the Service ports an address reaches: the one its port numbers or
// names, else the one its scheme implies, else every port (and a note says so).
func (s *set) pickPorts(svc *service, a Address, evidence string) ([]corev1.ServicePort, bool) {
	want := a.Port
	if want == "" {
		if p, ok := schemePorts[a.Scheme]; ok {
			want = strconv.Itoa(int(p))
		}
	}
	if want == "" {
		if len(svc.spec.Ports) > 1 {
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("%s names Service %s/%s without a port: every port of the Service is allowed", evidence, svc.ns, svc.name))
		}
		return svc.spec.Ports, true
	}
	n, err := strconv.Atoi(want)
	for _, sp := range svc.spec.Ports {
		if err == nil && int(sp.Port) == n || err != nil && sp.Name == want {
			return []corev1.ServicePort{sp}, true
		}
	}
	var have []string
	for _, sp := range svc.spec.Ports {
		have = append(have, portLabel(sp))
	}
	s.unresolved(evidence, "Service %s/%s has no port %s (it has %s)", svc.ns, svc.name, want, strings.Join(have, ", "))
	return nil, false
}
