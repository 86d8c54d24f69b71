package netgen

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/workload"
)

// controllerNames are the app.kubernetes.io/name (or app) label values of well-known
// ingress controllers, by which Generate finds where they run.
var controllerNames = []string{
	"ingress-nginx", "nginx-ingress", "traefik", "contour", "haproxy-ingress", "kubernetes-ingress",
	"kong", "ingress-controller", "emissary-ingress", "ambassador", "skipper-ingress",
}

// ingressSources are the ends Ingress backends are opened to: the ingress controller
// workloads of the set in the namespaces Options names or, without them, the workloads
// that look like ingress controllers; a named namespace with no such workload in the set
// is opened as a whole.
func (s *set) ingressSources() []End {
	isController := func(w *netmodel.Workload) bool {
		for _, key := range []string{"app.kubernetes.io/name", "app"} {
			if slices.Contains(controllerNames, w.Labels[key]) {
				return true
			}
		}
		return false
	}
	var out []End
	if len(s.opts.IngressNamespaces) == 0 {
		for _, w := range s.workloads {
			if isController(w) {
				out = append(out, workloadEnd(w))
			}
		}
		return out
	}
	for _, ns := range s.opts.IngressNamespaces {
		found := false
		for _, w := range s.workloads {
			if w.Namespace == ns && isController(w) {
				out, found = append(out, workloadEnd(w)), true
			}
		}
		if !found {
			out = append(out, End{Peer: namespacePeer(ns), Name: "namespace " + ns + " (the ingress controller)"})
		}
	}
	return out
}

// ingresses opens every Ingress backend Service to the ingress controllers.
func (s *set) ingresses() {
	sources := s.ingressSources()
	for _, obj := range s.objs {
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		if kind != "Ingress" || apiVersion != "networking.k8s.io/v1" {
			continue
		}
		var ing networkingv1.Ingress
		if workload.Decode(obj, &ing) != nil {
			continue
		}
		ns := ing.Namespace
		if ns == "" {
			ns = netmodel.DefaultNamespace
		}
		var backends []struct {
			backend *networkingv1.IngressServiceBackend
			where   string
		}
		if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
			backends = append(backends, struct {
				backend *networkingv1.IngressServiceBackend
				where   string
			}{b.Service, "defaultBackend"})
		}
		for i, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for j, p := range r.HTTP.Paths {
				if p.Backend.Service != nil {
					backends = append(backends, struct {
						backend *networkingv1.IngressServiceBackend
						where   string
					}{p.Backend.Service, fmt.Sprintf("rules[%d].http.paths[%d]", i, j)})
				}
			}
		}
		for _, b := range backends {
			evidence := fmt.Sprintf("Ingress %s/%s %s routes to Service %s", ns, ing.Name, b.where, b.backend.Name)
			if len(sources) == 0 {
				s.unresolved(evidence, "no ingress controller in the input: name its namespace with --ingress-namespace")
				continue
			}
			svc := s.services[netgenKey{ns, b.backend.Name}]
			if svc == nil {
				s.unresolved(evidence, "no Service %s/%s in the input", ns, b.backend.Name)
				continue
			}
			ports, ok := s.backendPorts(svc, b.backend.Port.Number, b.backend.Port.Name, evidence)
			if !ok {
				continue
			}
			for _, from := range sources {
				s.toService(from, svc, ports, evidence)
			}
		}
	}
}

// backendPorts selects the Service port a backend names by number or name.
func (s *set) backendPorts(svc *service, number int32, name string, evidence string) ([]corev1.ServicePort, bool) {
	for _, sp := range svc.spec.Ports {
		if number != 0 && sp.Port == number || number == 0 && name != "" && sp.Name == name {
			return []corev1.ServicePort{sp}, true
		}
	}
	if number == 0 && name == "" {
		return svc.spec.Ports, true
	}
	want := name
	if number != 0 {
		want = fmt.Sprint(number)
	}
	s.unresolved(evidence, "Service %s/%s has no port %s", svc.ns, svc.name, want)
	return nil, false
}

// routeKinds are the Gateway API route kinds whose backendRefs send traffic to Services.
var routeKinds = []string{"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

// routes opens the backends of Gateway API routes to the namespaces of the Gateways the
// routes attach to, where the Gateway's data plane runs (the namespace as a whole: its
// pods are made by the Gateway's controller and are seldom in the manifests).
func (s *set) routes() {
	for _, obj := range s.objs {
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		if !slices.Contains(routeKinds, kind) || len(apiVersion) < len("gateway.networking.k8s.io/") || apiVersion[:len("gateway.networking.k8s.io/")] != "gateway.networking.k8s.io/" {
			continue
		}
		var route struct {
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec struct {
				ParentRefs []struct {
					Kind      *string `json:"kind"`
					Name      string  `json:"name"`
					Namespace *string `json:"namespace"`
				} `json:"parentRefs"`
				Rules []struct {
					BackendRefs []struct {
						Group     *string `json:"group"`
						Kind      *string `json:"kind"`
						Name      string  `json:"name"`
						Namespace *string `json:"namespace"`
						Port      *int32  `json:"port"`
					} `json:"backendRefs"`
				} `json:"rules"`
			} `json:"spec"`
		}
		if workload.Decode(obj, &route) != nil {
			continue
		}
		ns := route.Metadata.Namespace
		if ns == "" {
			ns = netmodel.DefaultNamespace
		}
		var sources []End
		for _, p := range route.Spec.ParentRefs {
			if p.Kind != nil && *p.Kind != "Gateway" {
				continue
			}
			gwNS := ns
			if p.Namespace != nil && *p.Namespace != "" {
				gwNS = *p.Namespace
			}
			e := End{Peer: namespacePeer(gwNS), Name: fmt.Sprintf("namespace %s (Gateway %s)", gwNS, p.Name)}
			if !slices.ContainsFunc(sources, func(x End) bool { return x.Name == e.Name }) {
				sources = append(sources, e)
			}
		}
		for i, r := range route.Spec.Rules {
			for j, b := range r.BackendRefs {
				if b.Group != nil && *b.Group != "" || b.Kind != nil && *b.Kind != "Service" {
					continue
				}
				bns := ns
				if b.Namespace != nil && *b.Namespace != "" {
					bns = *b.Namespace
				}
				evidence := fmt.Sprintf("%s %s/%s rules[%d].backendRefs[%d] routes to Service %s/%s", kind, ns, route.Metadata.Name, i, j, bns, b.Name)
				if len(sources) == 0 {
					s.unresolved(evidence, "the route names no Gateway parent")
					continue
				}
				svc := s.services[netgenKey{bns, b.Name}]
				if svc == nil {
					s.unresolved(evidence, "no Service %s/%s in the input", bns, b.Name)
					continue
				}
				var number int32
				if b.Port != nil {
					number = *b.Port
				}
				ports, ok := s.backendPorts(svc, number, "", evidence)
				if !ok {
					continue
				}
				for _, from := range sources {
					s.toService(from, svc, ports, evidence)
				}
			}
		}
	}
}
