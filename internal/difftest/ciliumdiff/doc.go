// Package ciliumdiff holds the differential test of ringfence's model of Cilium's
// network policies (harness/netmodel: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy
// and Kubernetes NetworkPolicy as Cilium enforces them) against Cilium's own policy
// engine. The engine runs in cilium-oracle, a program of its own module
// (internal/difftest/cilium, built by .ci/tools.sh cilium), since Cilium's module cannot
// share a build with ringfence's Kubernetes libraries; its verdicts on the generated
// cases are recorded in testdata/cilium-verdicts.json for runs without it.
package ciliumdiff
