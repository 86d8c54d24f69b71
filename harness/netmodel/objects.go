package netmodel

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/ringfence/ringfence/harness/workload"
)

// ObjectError is a problem with one object of the scanned set: Index is its position in
// the slice given to FromObjects.
type ObjectError struct {
	Index int
	Err   error
}

func (e *ObjectError) Error() string { return e.Err.Error() }
func (e *ObjectError) Unwrap() error { return e.Err }

// FromObjects builds the model from a scanned set: Namespaces, Kubernetes NetworkPolicies
// (networking.k8s.io/v1 and the legacy extensions/v1beta1), AdminNetworkPolicies and
// the BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1; see CompileAdmin;
// the v1alpha2 ClusterNetworkPolicy is not read), CiliumNetworkPolicies and
// CiliumClusterwideNetworkPolicies (cilium.io/v2; see CompileCilium; those Cilium
// refuses are reported and left out) and workloads (Pods and the pod
// templates of every workload kind). Pods, ReplicaSets and Jobs that a workload's
// controller made are folded into their controller (see owners.go): left out when it is
// in the set, grouped into one workload named after it when it is not. Other objects
// are ignored. An object that cannot be decoded costs only itself: it is reported and
// left out.
func FromObjects(objs []map[string]any, opts ...Option) (*Model, []*ObjectError) {
	return fromObjects(objs, false, newSettings(opts))
}

// FromObjectsInferring is FromObjects that also adds the pods the policies describe
// (see Infer), for sets of policies without their workloads.
func FromObjectsInferring(objs []map[string]any, opts ...Option) (*Model, []*ObjectError) {
	return fromObjects(objs, true, newSettings(opts))
}

func fromObjects(objs []map[string]any, inferring bool, s settings) (*Model, []*ObjectError) {
	var (
		namespaces []Namespace
		workloads  []*Workload
		madeOf     []made
		policies   []*Policy
		raw        []*networkingv1.NetworkPolicy
		admin      []*AdminPolicy
		cilium     []*CiliumPolicy
		baseline   bool
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
		case (kind == "AdminNetworkPolicy" || kind == "BaselineAdminNetworkPolicy") && apiVersion == AdminGroup+"/v1alpha1":
			p, perrs := CompileAdmin(obj)
			for _, err := range perrs {
				errs = append(errs, &ObjectError{Index: i, Err: err})
			}
			if p == nil {
				continue
			}
			if p.Baseline {
				switch {
				case p.Name != "default":
					fail(fmt.Errorf("%s: only the BaselineAdminNetworkPolicy named default takes effect; left out", p.Name))
					continue
				case baseline:
					fail(fmt.Errorf("%s: a BaselineAdminNetworkPolicy named default came before; left out", p.Name))
					continue
				}
				baseline = true
			}
			admin = append(admin, p)
		case (kind == KindCiliumNetworkPolicy || kind == KindCiliumClusterwideNetworkPolicy) && group == CiliumGroup:
			p, perrs := CompileCilium(obj)
			for _, err := range perrs {
				errs = append(errs, &ObjectError{Index: i, Err: err})
			}
			if p != nil {
				cilium = append(cilium, p)
			}
		default:
			pod, ok, err := workload.Of(obj)
			if err != nil {
				errs = append(errs, &ObjectError{Index: i, Err: err})
				continue
			}
			if ok {
				w := newWorkload(i, pod.Namespace, pod.Name, pod.Kind, pod.Labels, pod.Spec)
				if m, ok := madeBy(len(workloads), w, pod.OwnerReferences); ok {
					madeOf = append(madeOf, m)
				}
				workloads = append(workloads, w)
			}
		}
	}
	// The pod label keys selectors read: replicas that differ in them are kept apart.
	selected := func() map[string]bool {
		keys := map[string]bool{}
		for _, k := range s.labelKeys {
			keys[k] = true
		}
		for _, p := range policies {
			for _, k := range p.keys {
				keys[k] = true
			}
		}
		for _, p := range admin {
			for _, k := range p.keys {
				keys[k] = true
			}
		}
		for _, k := range ciliumKeys(cilium) {
			keys[k] = true
		}
		return keys
	}
	workloads, leftOut := foldOwned(workloads, madeOf, selected)
	if inferring {
		ns, ws := infer(namespaces, workloads, raw, admin)
		namespaces, workloads = append(namespaces, ns...), append(workloads, ws...)
	}
	m := newModel(namespaces, workloads, policies, admin, cilium, s)
	m.ownedLeftOut = leftOut
	return m, errs
}

// newWorkload reads what the model needs from a pod spec: the ports its containers
// declare (regular containers, and init containers that run beside them as sidecars,
// restartPolicy Always), which named ports resolve against, and hostNetwork.
func newWorkload(index int, namespace, name, kind string, labels map[string]string, spec *corev1.PodSpec) *Workload {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	w := &Workload{Namespace: namespace, Name: name, Kind: kind, Labels: labels, HostNetwork: spec.HostNetwork, Object: index, ServiceAccount: spec.ServiceAccountName}
	if w.ServiceAccount == "" {
		w.ServiceAccount = spec.DeprecatedServiceAccount
	}
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

func decode(obj map[string]any, into any) error { return workload.Decode(obj, into) }
