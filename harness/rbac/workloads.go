package rbac

import (
	"github.com/ringfence/ringfence/harness/workload"
)

// WorkloadPod is a workload of the set given to New: Object is its position there.
type WorkloadPod struct {
	Object int
	Pod    workload.Pod
}

// Workloads lists the workloads of the set, in order.
func (p *Policy) Workloads() []WorkloadPod { return p.workloadPods }

// ServiceAccountOf is the service account w's pods run as, as a namespace and name.
func (p *Policy) ServiceAccountOf(w WorkloadPod) (namespace, name string) {
	return w.Pod.Namespace, workload.ServiceAccountName(w.Pod.Spec)
}

// TokenMounted reports whether w's pods get a token for their service account, as the
// kubelet decides it: the pod spec's automountServiceAccountToken when set, else the
// ServiceAccount's (when it is in the set and sets it), else true; or a projected
// serviceAccountToken volume, which mounts a token whatever automount says.
func (p *Policy) TokenMounted(w WorkloadPod) bool {
	spec := w.Pod.Spec
	for _, v := range spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil {
				return true
			}
		}
	}
	if spec.AutomountServiceAccountToken != nil {
		return *spec.AutomountServiceAccountToken
	}
	ns, name := p.ServiceAccountOf(w)
	if sa, ok := p.serviceAccts[[2]string{ns, name}]; ok && sa.automount != nil {
		return *sa.automount
	}
	return true
}
