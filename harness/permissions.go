package harness

import (
	"fmt"

	"github.com/ringfence/ringfence/harness/rbac"
)

// permissionResults resolves RBAC over the input set (with Kubernetes' default policy
// for the roles and bindings it does not define) and, for every workload whose pods get
// a service account token, lists the dangerous capabilities its service account holds:
// results[capability][ObjectKey] = [{msg, field}], one per binding that gives it, field
// pointing at the pod spec's serviceAccountName.
// Invalid objects are left out; other rules report them.
func permissionResults(objs []Object, raw []map[string]any, defaults []map[string]any) map[string]map[string][]any {
	policy, _ := rbac.New(raw, rbac.Options{Defaults: defaults})
	caps := rbac.Capabilities()
	out := map[string]map[string][]any{}
	for _, c := range caps {
		out[c.Name] = map[string][]any{}
	}
	held := map[[2]string][]rbac.Holding{} // service accounts share their answers
	for _, w := range policy.Workloads() {
		if !policy.TokenMounted(w) {
			continue
		}
		ns, name := policy.ServiceAccountOf(w)
		key := [2]string{ns, name}
		holdings, ok := held[key]
		if !ok {
			holdings = policy.Holdings(rbac.ServiceAccount(ns, name), caps)
			held[key] = holdings
		}
		objKey := ObjectKey(ref(objs[w.Object].Data))
		for _, h := range holdings {
			for _, reason := range h.Reasons() {
				msg := fmt.Sprintf("%s: service account %s/%s %s: %s",
					describeRef(ObjectRef{Kind: w.Pod.Kind, Namespace: ns, Name: w.Pod.Name}), ns, name, h.Capability.Does, reason)
				v := map[string]any{"msg": msg, "field": w.Pod.Path + ".serviceAccountName"}
				out[h.Capability.Name][objKey] = append(out[h.Capability.Name][objKey], v)
			}
		}
	}
	return out
}
