package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/htmlreport"
	"github.com/ringfence/ringfence/harness/live"
	"github.com/ringfence/ringfence/harness/report"
)

func newAuditCommand() *cobra.Command {
	var (
		ef            evalFlags
		kubeconfig    string
		kubeContext   string
		namespace     string
		allNamespaces bool
		includeOwned  bool
		pageSize      int64
		timeout       time.Duration
		reviewFile    string
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the objects of a live cluster against the rules",
		Long: `Check what is running in a cluster against the rules, cross-object rules and the
connectivity model included, exactly as "ringfence test" checks manifests.

The kubeconfig is found as kubectl finds it: --kubeconfig, else $KUBECONFIG, else
~/.kube/config, else the in-cluster service account when run in a pod. ringfence
discovers which of the kinds its rules read the API server serves (CRDs such as Calico,
Cilium, Istio, Gateway API or AdminNetworkPolicy only when installed), lists each page by page,
and evaluates them all. The whole cluster is audited unless --namespace names one; then
only objects of that namespace (and the Namespace itself) are reported, though
cluster-scoped objects are still read for the cross-object rules.

A kind the user may not list, one that disappears, or one the API server keeps failing
on (after retries with back-off) becomes a warning naming the kind, and the audit goes
on; the report lists what was not seen. Objects a controller owns (the ReplicaSets of a
Deployment, their Pods) are skipped, as their owner is checked, unless --include-owned;
the connectivity model folds them into their owner either way. --host-network says how
that model treats host-network pods (unprotected, the default, or pod), and the JSON
report names the choice under "settings". --baseline and --write-baseline work as
for "ringfence test"; with --namespace, only that namespace's baseline entries can be
stale.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage
error or an API server that cannot be reached.`,
		Example: `  ringfence audit
  ringfence audit --context prod --output json
  ringfence audit --namespace shop --fail-on high`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if namespace != "" && allNamespaces {
				return errors.New("--namespace and --all-namespaces exclude each other")
			}
			outputs, eng, err := ef.engine(cmd, harness.ForRuntime("audit"))
			if err != nil {
				return err
			}
			defer outputs.Close()
			rules := clientcmd.NewDefaultClientConfigLoadingRules()
			rules.ExplicitPath = kubeconfig
			overrides := &clientcmd.ConfigOverrides{CurrentContext: kubeContext}
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			if timeout > 0 {
				cfg.Timeout = timeout
			}
			bar := newProgressBar(cmd.ErrOrStderr())
			audit, err := live.Run(cmd.Context(), eng, cfg, live.AuditOptions{
				Options:      live.Options{Namespace: namespace, PageSize: pageSize, Progress: bar.listed},
				IncludeOwned: includeOwned,
			})
			bar.done()
			if err != nil {
				return err
			}
			rep := audit.Report
			if err := ef.baseline.apply(rep, namespaceScope(namespace)); err != nil {
				return err
			}
			if os.Getenv("RINGFENCE_AUDIT_TIMING") != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "listed %d objects of %d kinds in %s, evaluated %d in %s\n",
					len(audit.Objects), len(audit.Listed), audit.ListTime.Round(time.Millisecond), audit.Evaluated, audit.EvalTime.Round(time.Millisecond))
			}
			if err := outputs.Write(report.Of(rep)); err != nil {
				return err
			}
			if err := ef.writeProfile(cmd, rep); err != nil {
				return err
			}
			if reviewFile != "" {
				title := cfg.Host
				if kubeContext != "" {
					title = kubeContext + " (" + cfg.Host + ")"
				}
				if err := writeReview(cmd.Context(), reviewFile, "", htmlreport.Build(eng, audit.Inputs, rep), "cluster "+title); err != nil {
					return err
				}
			}
			return exitFor(rep, ef.failOn)
		},
	}
	ef.register(cmd)
	f := cmd.Flags()
	f.StringVar(&kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG, then ~/.kube/config)")
	f.StringVar(&kubeContext, "context", "", "the kubeconfig context to use (default its current context)")
	f.StringVarP(&namespace, "namespace", "n", "", "report only the objects of this namespace")
	f.BoolVarP(&allNamespaces, "all-namespaces", "A", false, "audit every namespace (the default)")
	f.BoolVar(&includeOwned, "include-owned", false, "also check objects a controller owns (ReplicaSets of Deployments, their Pods)")
	f.Int64Var(&pageSize, "page-size", 500, "objects per list call")
	f.StringVar(&reviewFile, "report", "", "also write the review of the cluster as one HTML page to this file (as ringfence report does for manifests; JSON when the name ends in .json)")
	f.DurationVar(&timeout, "request-timeout", 30*time.Second, "the longest to wait for one API request")
	return cmd
}

// progressBar shows how far an audit got on stderr when that is a terminal, and nothing
// otherwise.
type progressBar struct {
	w  io.Writer
	on bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progressBar) listed(pr live.Progress) {
	if !p.on {
		return
	}
	const width = 30
	filled := width * pr.Kinds / max(pr.KindsTotal, 1)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r\033[Klisting [%s] %d/%d kinds, %d objects", bar, pr.Kinds, pr.KindsTotal, pr.Objects)
	if pr.Kinds == pr.KindsTotal {
		fmt.Fprintf(p.w, "\r\033[Kevaluating %d objects...", pr.Objects)
	}
}

func (p *progressBar) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
