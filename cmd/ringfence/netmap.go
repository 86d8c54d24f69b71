package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness/netmap"
)

func newNetmapCommand(stdin io.Reader) *cobra.Command {
	var (
		output      string
		namespace   string
		infer       bool
		hostNetwork string
		rf          renderFlags
	)
	cmd := &cobra.Command{
		Use:   "netmap [PATH...|-]",
		Short: "Show who can reach whom under the NetworkPolicies in the manifests",
		Long: `Compute the reachability map of Kubernetes manifests: for every pair of workloads
(Pods and the pod templates of every workload kind), and for each workload and the
outside world, the protocols and ports their NetworkPolicies allow, and the policies
that allow them on each side.

PATH is a file, a directory (read recursively) or - for standard input; the default is
the current directory. Namespaces come from Namespace objects (with their labels) and from
the namespaces workloads and policies live in; every namespace carries the
kubernetes.io/metadata.name label, as the API server sets it.

The map judges the scanned set only. For policies without their workloads (a policy
repository, a recipe), --infer adds the pods the selectors describe: a group per
matchLabels podSelector, in the namespaces its namespaceSelector names, and in each policy
namespace and one other namespace a group of other pods that no selector names; a set
with policies and no workloads is always mapped that way.

Pods that a controller made (kubectl get pods -o yaml) are mapped as their controller:
left out when the controller is in the input (its pod template stands for them), else
grouped into one workload named after it, namespace/name[Kind]. Replicas that differ in
labels, ports or hostNetwork are kept apart, named by what differs
(namespace/name{key=value}[Kind]); the labels controllers set on each replica
(statefulset.kubernetes.io/pod-name, controller-revision-hash, ...) count only when a
selector reads them. The legend and the "groups" of the JSON map list the pods.

Host-network pods are outside NetworkPolicy by default (--host-network unprotected:
never isolated, and not selected as peers); --host-network pod applies the policies that
select them as to any pod, as most network plugins do. A pod's traffic to itself and to
the other pods of its own workload is not listed.

Exit codes: 0 the map was printed, 2 usage error or input that could not be read
(reported after everything readable was mapped).`,
		Example: `  ringfence netmap deploy/
  ringfence netmap k8s/ --namespace shop --output dot | dot -Tsvg > shop.svg
  helm template my-chart | ringfence netmap - --output mermaid`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(netmap.Formats, output) {
				return fmt.Errorf("--output %q: want one of %s", output, strings.Join(netmap.Formats, ", "))
			}
			h, err := parseHostNetwork(hostNetwork)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			m, err := netmap.FromFiles(cmd.Context(), args, stdin, netmap.Options{Namespace: namespace, Infer: infer, HostNetwork: h, Read: read})
			if err != nil {
				return err
			}
			if err := netmap.Write(cmd.OutOrStdout(), m, output); err != nil {
				return err
			}
			if len(m.Errors) > 0 {
				if output != "text" && output != "json" {
					for _, e := range m.Errors {
						fmt.Fprintln(cmd.ErrOrStderr(), e.Error())
					}
				}
				return exitCode(exitError)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: "+strings.Join(netmap.Formats, ", "))
	f.StringVarP(&namespace, "namespace", "n", "", "only connections with an end in this namespace")
	rf.register(f, false)
	registerHostNetwork(f, &hostNetwork)
	f.BoolVar(&infer, "infer", false, "add the pods the policies' selectors describe (always done when the input has policies and no workloads)")
	return cmd
}
