package netmodel

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// ObjectError is a problem with one object of the scanned set: Index is its position in
// the slice given to FromObjects.
type ObjectError struct {
	Index int
	Err   error
}

func (e *ObjectError) Error() string { return e.Err.Error() }
func (e *ObjectError) Unwrap() error { return e.Err }

// templatePaths says where each workload kind keeps its pod template.
var templatePaths = map[string][]string{
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
	"PodTemplate":           {"template"},
}

// workloadGroups are the API groups whose kinds of those names run pods.
var workloadGroups = map[string]bool{"": true, "apps": true, "extensions": true, "batch": true}

// FromObjects builds the model from a scanned set: Namespaces, Kubernetes NetworkPolicies
// (networking.k8s.io/v1 and the legacy extensions/v1beta1) and workloads (Pods and the pod
// templates of every workload kind). Other objects are ignored. An object that cannot be
// decoded costs only itself: it is reported and left out.
func FromObjects(objs []map[string]any) (*Model, []*ObjectError) {
	return fromObjects(objs, false)
}

// FromObjectsInferring is FromObjects that also adds the pods the policies describe
// (see Infer), for sets of policies without their workloads.
func FromObjectsInferring(objs []map[string]any) (*Model, []*ObjectError) {
	return fromObjects(objs, true)
}

func fromObjects(objs []map[string]any, inferring bool) (*Model, []*ObjectError) {
	var (
		namespaces []Namespace
		workloads  []*Workload
		policies   []*Policy
		raw        []*networkingv1.NetworkPolicy
		errs       []*ObjectError
	)
	for i, obj := range objs {
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		group := ""
		if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
			group = apiVersion[:i]
		}
		fail := func(err error) {
			errs = append(errs, &ObjectError{Index: i, Err: fmt.Errorf("%s: %w", kind, err)})
		}
		switch {
		case kind == "Namespace" && group == "":
			var ns corev1.Namespace
			if err := decode(obj, &ns); err != nil {
				fail(err)
				continue
			}
			namespaces = append(namespaces, Namespace{Name: ns.Name, Labels: ns.Labels})
		case kind == "NetworkPolicy" && (group == "networking.k8s.io" || group == "extensions"):
			var np networkingv1.NetworkPolicy
			if err := decode(obj, &np); err != nil {
				fail(err)
				continue
			}
			raw = append(raw, &np)
			p, perrs := CompilePolicy(&np)
			for _, err := range perrs {
				errs = append(errs, &ObjectError{Index: i, Err: err})
			}
			policies = append(policies, p)
		case kind == "Pod" && group == "":
			var pod corev1.Pod
			if err := decode(obj, &pod); err != nil {
				fail(err)
				continue
			}
			workloads = append(workloads, newWorkload(i, pod.Namespace, pod.Name, kind, pod.Labels, &pod.Spec))
		case templatePaths[kind] != nil && workloadGroups[group]:
			meta, _ := obj["metadata"].(map[string]any)
			name, _ := meta["name"].(string)
			if name == "" {
				name, _ = meta["generateName"].(string)
			}
			namespace, _ := meta["namespace"].(string)
			raw, ok := dig(obj, templatePaths[kind])
			if !ok {
				continue // no pod template: nothing runs
			}
			var tmpl corev1.PodTemplateSpec
			if err := decode(raw, &tmpl); err != nil {
				fail(fmt.Errorf("pod template: %w", err))
				continue
			}
			workloads = append(workloads, newWorkload(i, namespace, name, kind, tmpl.Labels, &tmpl.Spec))
		}
	}
	if inferring {
		ns, ws := Infer(namespaces, workloads, raw)
		namespaces, workloads = append(namespaces, ns...), append(workloads, ws...)
	}
	return newModel(namespaces, workloads, policies), errs
}

func dig(obj map[string]any, path []string) (map[string]any, bool) {
	cur := obj
	for _, key := range path {
		next, ok := cur[key].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// newWorkload reads what the model needs from a pod spec: the ports its containers
// declare (regular containers, and init containers that run beside them as sidecars,
// restartPolicy Always), which named ports resolve against, and hostNetwork.
func newWorkload(index int, namespace, name, kind string, labels map[string]string, spec *corev1.PodSpec) *Workload {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	w := &Workload{Namespace: namespace, Name: name, Kind: kind, Labels: labels, HostNetwork: spec.HostNetwork, Object: index}
	add := func(c corev1.Container) {
		for _, p := range c.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			w.Ports = append(w.Ports, ContainerPort{Name: p.Name, Port: p.ContainerPort, Protocol: proto})
		}
	}
	for _, c := range spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	for _, c := range spec.Containers {
		add(c)
	}
	return w
}

// decode reads a manifest's object into an API type the way the API server would decode
// its JSON, whatever Go types the manifest reader produced for numbers.
func decode(obj map[string]any, into any) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}
