// Package inventory builds data.inventory in Gatekeeper's shape from a set of objects:
// namespace[ns][apiVersion][kind][name] for namespaced objects and
// cluster[apiVersion][kind][name] for cluster-scoped ones.
package inventory

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// DefaultNamespace is where a namespaced object without metadata.namespace lands, as it
// would with a plain `kubectl apply`.
const DefaultNamespace = "default"

// clusterScoped lists well-known cluster-scoped kinds by "group/Kind" ("" is the core group).
var clusterScoped = setOf(
	"/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
	"rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
	"apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
	"storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode",
	"storage.k8s.io/VolumeAttachment", "storage.k8s.io/VolumeAttributesClass",
	"scheduling.k8s.io/PriorityClass", "node.k8s.io/RuntimeClass",
	"networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration",
	"admissionregistration.k8s.io/MutatingWebhookConfiguration",
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
	"admissionregistration.k8s.io/MutatingAdmissionPolicy",
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
	"certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
	"flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
	"policy/PodSecurityPolicy", "extensions/PodSecurityPolicy",
	"resource.k8s.io/DeviceClass",
	"gateway.networking.k8s.io/GatewayClass",
	"policy.networking.k8s.io/AdminNetworkPolicy", "policy.networking.k8s.io/BaselineAdminNetworkPolicy",
	"policy.networking.k8s.io/ClusterNetworkPolicy",
	"projectcalico.org/GlobalNetworkPolicy", "projectcalico.org/GlobalNetworkSet", "projectcalico.org/Tier",
	"projectcalico.org/StagedGlobalNetworkPolicy", "projectcalico.org/HostEndpoint",
	"crd.projectcalico.org/GlobalNetworkPolicy", "crd.projectcalico.org/GlobalNetworkSet",
	"crd.projectcalico.org/Tier", "crd.projectcalico.org/HostEndpoint",
	"cilium.io/CiliumClusterwideNetworkPolicy", "cilium.io/CiliumCIDRGroup",
	"cilium.io/CiliumNode", "cilium.io/CiliumIdentity",
	"templates.gatekeeper.sh/ConstraintTemplate",
)

func setOf(items ...string) map[string]bool {
	set := make(map[string]bool, len(items))
	for _, it := range items {
		set[it] = true
	}
	return set
}

// Group returns the API group of an apiVersion ("" for the core group "v1").
func Group(apiVersion string) string {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// Builder accumulates objects into an inventory. It is not safe for concurrent use.
type Builder struct {
	namespaced map[string]map[string]map[string]ast.Object // ns -> apiVersion -> kind -> names
	cluster    map[string]map[string]ast.Object            // apiVersion -> kind -> names
	crdScopes  map[string]bool                             // group/Kind -> cluster-scoped, from CRDs in the set
	pending    []entry
}

type entry struct {
	apiVersion, kind, namespace, name string
	value                             ast.Value
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{
		namespaced: map[string]map[string]map[string]ast.Object{},
		cluster:    map[string]map[string]ast.Object{},
		crdScopes:  map[string]bool{},
	}
}

// Add records an object. namespace is metadata.namespace as written ("" when absent).
// obj is the object itself, used when it is a CustomResourceDefinition to learn the
// scope of its kind.
func (b *Builder) Add(apiVersion, kind, namespace, name string, obj map[string]any, value ast.Value) {
	if kind == "CustomResourceDefinition" && Group(apiVersion) == "apiextensions.k8s.io" {
		b.learnScope(obj)
	}
	b.pending = append(b.pending, entry{apiVersion, kind, namespace, name, value})
}

func (b *Builder) learnScope(crd map[string]any) {
	if groupKind, cluster := CRDScope(crd); groupKind != "" {
		b.crdScopes[groupKind] = cluster
	}
}

// CRDScope reads a CustomResourceDefinition: the kind it defines as "group/Kind" ("" when
// it names no kind), and whether that kind is cluster-scoped.
func CRDScope(crd map[string]any) (groupKind string, cluster bool) {
	spec, _ := crd["spec"].(map[string]any)
	names, _ := spec["names"].(map[string]any)
	group, _ := spec["group"].(string)
	kind, _ := names["kind"].(string)
	scope, _ := spec["scope"].(string)
	if kind == "" {
		return "", false
	}
	return group + "/" + kind, scope == "Cluster"
}

// ClusterScoped reports whether objects of this apiVersion and kind are cluster-scoped,
// from the well-known kinds and the CustomResourceDefinitions added so far.
func (b *Builder) ClusterScoped(apiVersion, kind string) bool {
	gk := Group(apiVersion) + "/" + kind
	if scoped, ok := b.crdScopes[gk]; ok {
		return scoped
	}
	return clusterScoped[gk]
}

// Namespace returns the namespace an object lands in: "" for cluster-scoped kinds, the
// written namespace, or DefaultNamespace.
func (b *Builder) Namespace(apiVersion, kind, namespace string) string {
	switch {
	case b.ClusterScoped(apiVersion, kind):
		return ""
	case namespace == "":
		return DefaultNamespace
	default:
		return namespace
	}
}

// Build returns data.inventory. Objects with the same identity keep the last one added,
// as a later `kubectl apply` of the same object would.
func (b *Builder) Build() ast.Object {
	for _, e := range b.pending {
		ns := b.Namespace(e.apiVersion, e.kind, e.namespace)
		var byKind map[string]ast.Object
		if ns == "" {
			byKind = b.cluster[e.apiVersion]
			if byKind == nil {
				byKind = map[string]ast.Object{}
				b.cluster[e.apiVersion] = byKind
			}
		} else {
			byVersion := b.namespaced[ns]
			if byVersion == nil {
				byVersion = map[string]map[string]ast.Object{}
				b.namespaced[ns] = byVersion
			}
			byKind = byVersion[e.apiVersion]
			if byKind == nil {
				byKind = map[string]ast.Object{}
				byVersion[e.apiVersion] = byKind
			}
		}
		names := byKind[e.kind]
		if names == nil {
			names = ast.NewObject()
			byKind[e.kind] = names
		}
		names.Insert(ast.StringTerm(e.name), ast.NewTerm(e.value))
	}
	b.pending = nil

	namespaces := ast.NewObject()
	for ns, byVersion := range b.namespaced {
		namespaces.Insert(ast.StringTerm(ns), ast.NewTerm(versions(byVersion)))
	}
	out := ast.NewObject(
		ast.Item(ast.StringTerm("namespace"), ast.NewTerm(namespaces)),
		ast.Item(ast.StringTerm("cluster"), ast.NewTerm(versions(b.cluster))),
	)
	if idx := b.index(); idx != nil {
		out.Insert(ast.StringTerm("index"), ast.NewTerm(idx))
	}
	return out
}

// index is data.inventory.index, lookups that spare the cross-object rules scanning the
// whole inventory once per object: namespaces_by_label[key][value][name] = true for the
// string labels of every v1 Namespace. Gatekeeper's inventory has no index, and the rules
// then scan; the parity tests keep both ways equal. Nil without Namespace objects.
func (b *Builder) index() ast.Object {
	objs := b.cluster["v1"]["Namespace"]
	if objs == nil {
		return nil
	}
	byLabel := map[string]map[string][]string{}
	objs.Foreach(func(name, value *ast.Term) {
		n, ok := name.Value.(ast.String)
		if !ok {
			return
		}
		obj, ok := value.Value.(ast.Object)
		if !ok {
			return
		}
		meta, ok := termObject(obj.Get(ast.StringTerm("metadata")))
		if !ok {
			return
		}
		labels, ok := termObject(meta.Get(ast.StringTerm("labels")))
		if !ok {
			return
		}
		labels.Foreach(func(k, v *ast.Term) {
			ks, kok := k.Value.(ast.String)
			vs, vok := v.Value.(ast.String)
			if !kok || !vok {
				return
			}
			if byLabel[string(ks)] == nil {
				byLabel[string(ks)] = map[string][]string{}
			}
			byLabel[string(ks)][string(vs)] = append(byLabel[string(ks)][string(vs)], string(n))
		})
	})
	keys := ast.NewObject()
	for k, values := range byLabel {
		vs := ast.NewObject()
		for v, names := range values {
			set := ast.NewObject()
			for _, n := range names {
				set.Insert(ast.StringTerm(n), ast.BooleanTerm(true))
			}
			vs.Insert(ast.StringTerm(v), ast.NewTerm(set))
		}
		keys.Insert(ast.StringTerm(k), ast.NewTerm(vs))
	}
	return ast.NewObject(ast.Item(ast.StringTerm("namespaces_by_label"), ast.NewTerm(keys)))
}

func termObject(t *ast.Term) (ast.Object, bool) {
	if t == nil {
		return nil, false
	}
	o, ok := t.Value.(ast.Object)
	return o, ok
}

func versions(byVersion map[string]map[string]ast.Object) ast.Object {
	out := ast.NewObject()
	for v, byKind := range byVersion {
		kinds := ast.NewObject()
		for k, names := range byKind {
			kinds.Insert(ast.StringTerm(k), ast.NewTerm(names))
		}
		out.Insert(ast.StringTerm(v), ast.NewTerm(kinds))
	}
	return out
}

// ClusterScopedKinds lists the well-known cluster-scoped kinds as "group/Kind", sorted;
// ringfence ships them as data.ringfence.cluster_scoped for policies that build an
// inventory themselves (conftest --combine).
func ClusterScopedKinds() []string {
	out := make([]string, 0, len(clusterScoped))
	for gk := range clusterScoped {
		out = append(out, gk)
	}
	slices.Sort(out)
	return out
}

// WellKnownClusterScoped reports whether apiVersion and kind name one of the well-known
// cluster-scoped kinds (CustomResourceDefinitions in an input set aside, see
// Builder.ClusterScoped).
func WellKnownClusterScoped(apiVersion, kind string) bool {
	return clusterScoped[Group(apiVersion)+"/"+kind]
}
