package harness

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is one Kubernetes object to evaluate, with where it came from when it was read
// from a file.
type Object struct {
	Data   map[string]any
	Source *Source
}

// FromMap wraps a decoded object (JSON-shaped: maps, slices, strings, numbers, bools).
func FromMap(m map[string]any) Object { return Object{Data: m} }

// FromUnstructured wraps an unstructured object, as client-go's dynamic client returns.
func FromUnstructured(u *unstructured.Unstructured) Object { return Object{Data: u.Object} }

// FromRuntimeObject converts a typed or unstructured API object. Typed objects often
// carry no apiVersion/kind (client-go clears them); those are filled in from scheme, or
// from the built-in Kubernetes types when scheme is nil.
func FromRuntimeObject(obj runtime.Object, scheme *runtime.Scheme) (Object, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return FromUnstructured(u), nil
	}
	data, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return Object{}, fmt.Errorf("converting %T: %w", obj, err)
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Empty() {
		if scheme == nil {
			if scheme, err = BuiltinScheme(); err != nil {
				return Object{}, err
			}
		}
		kinds, _, err := scheme.ObjectKinds(obj)
		if err != nil || len(kinds) == 0 {
			return Object{}, fmt.Errorf("%T has no apiVersion/kind and is not in the scheme: %w", obj, err)
		}
		gvk = kinds[0]
	}
	data["apiVersion"], data["kind"] = gvk.GroupVersion().String(), gvk.Kind
	return Object{Data: data}, nil
}

// BuiltinScheme knows the built-in API types ringfence's rules read.
func BuiltinScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, rbacv1.AddToScheme, policyv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			return nil, fmt.Errorf("building scheme: %w", err)
		}
	}
	return s, nil
}

// ref reads an object's identity; missing fields are empty strings.
func ref(data map[string]any) ObjectRef {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	meta, _ := data["metadata"].(map[string]any)
	r := ObjectRef{
		APIVersion: str(data, "apiVersion"),
		Kind:       str(data, "kind"),
		Namespace:  str(meta, "namespace"),
		Name:       str(meta, "name"),
	}
	if r.Name == "" {
		r.Name = str(meta, "generateName")
	}
	return r
}
