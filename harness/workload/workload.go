// Package workload finds the pod that an object runs: a Pod's own spec, or the pod template
// of every workload kind (Deployment, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController, Job, CronJob, PodTemplate), decoded into the API types.
package workload

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultNamespace is where a namespaced object without metadata.namespace lands.
const DefaultNamespace = "default"

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

// groups are the API groups whose kinds of those names run pods.
var groups = map[string]bool{"": true, "apps": true, "extensions": true, "batch": true}

// Pod is what a workload object runs.
type Pod struct {
	Kind      string
	Namespace string // DefaultNamespace when the object has none
	Name      string // metadata.name, else metadata.generateName
	Labels    map[string]string
	Spec      *corev1.PodSpec
	// Path is where the pod spec sits in the object: "spec" for a Pod,
	// "spec.template.spec" for a Deployment.
	Path string
	// OwnerReferences are the object's metadata.ownerReferences (see MadeByController).
	// A workload template whose ownerReferences cannot be decoded is taken to have none.
	OwnerReferences []metav1.OwnerReference
}

// RunsPods reports whether objects of this apiVersion and kind carry a pod spec: Pods and
// the workload kinds with a pod template.
func RunsPods(apiVersion, kind string) bool {
	group := ""
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	return (kind == "Pod" && group == "") || (templatePaths[kind] != nil && groups[group])
}

// Of returns the pod obj runs. ok is false for objects that run no pod (other kinds, or a
// workload without a pod template); err is set when the pod cannot be decoded.
func Of(obj map[string]any) (pod Pod, ok bool, err error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	group := ""
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
	}
	namespace, _ := meta["namespace"].(string)
	if namespace == "" {
		namespace = DefaultNamespace
	}
	pod = Pod{Kind: kind, Namespace: namespace, Name: name}
	switch {
	case kind == "Pod" && group == "":
		var p corev1.Pod
		if err := Decode(obj, &p); err != nil {
			return pod, false, fmt.Errorf("%s: %w", kind, err)
		}
		pod.Labels, pod.Spec, pod.Path, pod.OwnerReferences = p.Labels, &p.Spec, "spec", p.OwnerReferences
		return pod, true, nil
	case templatePaths[kind] != nil && groups[group]:
		path := templatePaths[kind]
		raw, found := dig(obj, path)
		if !found {
			return pod, false, nil // no pod template: nothing runs
		}
		var tmpl corev1.PodTemplateSpec
		if err := Decode(raw, &tmpl); err != nil {
			return pod, false, fmt.Errorf("%s: pod template: %w", kind, err)
		}
		pod.Labels, pod.Spec, pod.Path = tmpl.Labels, &tmpl.Spec, strings.Join(path, ".")+".spec"
		if raw, ok := meta["ownerReferences"].([]any); ok && len(raw) > 0 {
			// The API server rejects malformed references; reading them leniently keeps
			// an odd manifest's pod template in the analyses. (A variable of its own
			// keeps pod off the heap.)
			var refs []metav1.OwnerReference
			if decodeValue(raw, &refs) == nil {
				pod.OwnerReferences = refs
			}
		}
		return pod, true, nil
	}
	return pod, false, nil
}

// controllerKinds are the workload kinds whose controllers make pods, or the objects
// that make pods (a Deployment's ReplicaSets, a CronJob's Jobs), from their template.
var controllerKinds = map[string]bool{
	"Deployment": true, "ReplicaSet": true, "StatefulSet": true, "DaemonSet": true,
	"Job": true, "CronJob": true, "ReplicationController": true,
}

// MadeByController returns the controller of an object of this kind with these owner
// references when a workload's controller made it from the owner's template: a Pod,
// ReplicaSet or Job whose owner reference with controller: true names one of the
// workload kinds (the ReplicaSets of a Deployment, their Pods, the Jobs of a CronJob,
// the Pods of a DaemonSet). Checking the owner covers such an object. Objects other
// controllers own (an operator's pods, the mirror pods the kubelet makes for static
// pods, owned by their Node) are not made from a workload template; ok is false.
func MadeByController(kind string, refs []metav1.OwnerReference) (owner metav1.OwnerReference, ok bool) {
	switch kind {
	case "Pod", "ReplicaSet", "Job":
	default:
		return owner, false
	}
	for _, r := range refs {
		if r.Controller != nil && *r.Controller && controllerKinds[r.Kind] && r.Name != "" {
			return r, true
		}
	}
	return owner, false
}

// ServiceAccountName is the service account the pod runs as: serviceAccountName, else
// the deprecated serviceAccount (which the API server copies into serviceAccountName),
// else "default".
func ServiceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
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

// Decode reads a manifest's object into an API type the way the API server would decode
// its JSON, whatever Go types the manifest reader produced for numbers.
func Decode(obj map[string]any, into any) error { return decodeValue(obj, into) }

func decodeValue(v any, into any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}
