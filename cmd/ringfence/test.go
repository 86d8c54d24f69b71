package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/report"
)

func newTestCommand(stdin io.Reader) *cobra.Command {
	var ef evalFlags
	var rf renderFlags
	cmd := &cobra.Command{
		Use:   "test [PATH...|-]",
		Short: "Check manifests (files, directories, or - for stdin) against the rules",
		Long: `Check Kubernetes manifests against the rules.

PATH is a file, a directory (read recursively: .yaml, .yml, .json) or - for standard
input; the default is the current directory. Every readable document is evaluated, even
when others cannot be read.

Helm charts (a directory with Chart.yaml, or a packaged .tgz named as a PATH) and
kustomizations (a directory with kustomization.yaml) are rendered in-process, as helm
template and kustomize build render them, whether named or met in a directory; their
files are not read again as plain manifests, and a kustomization another one in the walk
uses (a base, a component) is read through it only; components met in a walk are
not built alone. Findings name the template or the
resource file each object came from, and the chart or overlay it was rendered from.
--values, --set, --set-string, --release-name, --namespace, --kube-version and
--api-versions are helm template's, for every chart among the PATHs. Dependencies must
be vendored (helm dependency build) and kustomizations must be local: nothing is fetched.

--host-network says how the connectivity model (the segmentation invariants of
RF-NET-030) treats host-network pods: unprotected, the default, or pod; the JSON report
names the choice under "settings".

--write-baseline FILE records the findings (after exemptions) in FILE; --baseline FILE
then reports only the findings FILE does not accept, counts the accepted ones, lists
FILE's stale entries, and applies --fail-on to the new findings only. With both flags
the report is checked against the old file and the new one records every finding.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error
or input that could not be read (reported after everything readable was evaluated).`,
		Example: `  ringfence test deploy/
  ringfence test charts/shop --values charts/shop/values-prod.yaml --release-name shop --namespace shop
  ringfence test deploy/overlays/prod
  helm template my-chart | ringfence test - --output json
  ringfence test k8s/ --fail-on high --config ringfence.yaml
  ringfence test k8s/ --pod-security baseline:v1.30`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			reader, err := rf.reader()
			if err != nil {
				return err
			}
			// The files are read while the rules compile.
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			read := make(chan *harness.Input, 1)
			go func() { read <- harness.ReadWith(ctx, reader, args, stdin) }()
			outputs, eng, err := ef.engine(cmd)
			if err != nil {
				return err
			}
			defer outputs.Close()
			rep, err := eng.EvaluateInput(cmd.Context(), <-read)
			if err != nil {
				return err
			}
			if err := ef.baseline.apply(rep, nil); err != nil {
				return err
			}
			if err := outputs.Write(report.Of(rep)); err != nil {
				return err
			}
			if err := ef.writeProfile(cmd, rep); err != nil {
				return err
			}
			return exitFor(rep, ef.failOn)
		},
	}
	ef.register(cmd)
	rf.register(cmd.Flags(), true)
	return cmd
}

// evalFlags are the flags of the commands that evaluate the rules and report on it
// (test, audit).
type evalFlags struct {
	engineFlags
	output    []string
	profile   bool
	sarifRoot string
	baseline  baselineFlags
}

func (ef *evalFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVarP(&ef.output, "output", "o", []string{"text"}, "report format, FORMAT for standard output (one at most) or FORMAT=FILE to write a file (repeatable); formats: "+strings.Join(report.Names(), ", "))
	f.StringVar(&ef.sarifRoot, "sarif-root", "", "with --output sarif: the directory file locations are relative to, such as the repository root (default: the working directory)")
	ef.engineFlags.register(f)
	f.BoolVar(&ef.profile, "profile", false, "print what the evaluation cost on stderr: each phase, and each rule's time per object and in total, costliest first (each rule is timed again on its own)")
	ef.baseline.register(f)
}

// engine checks the flags, opens the files --output names (so that one that cannot be
// written stops the run before the evaluation) and compiles the engine the flags ask
// for. The caller closes the outputs.
func (ef *evalFlags) engine(cmd *cobra.Command, extra ...harness.Option) (*report.Outputs[report.Format], *harness.Engine, error) {
	outs, err := report.ParseOutputs(ef.output, func(name string) (report.Format, error) {
		f, err := report.For(name)
		if err != nil {
			return nil, err
		}
		return report.WithSARIFRoot(f, ef.sarifRoot), nil
	})
	if err != nil {
		return nil, nil, err
	}
	opts, err := ef.options()
	if err != nil {
		return nil, nil, err
	}
	if err := ef.baseline.load(); err != nil {
		return nil, nil, err
	}
	if ef.profile {
		opts = append(opts, harness.WithProfiling())
	}
	opts = append(opts, extra...)
	outputs, err := report.Open(outs, cmd.OutOrStdout())
	if err != nil {
		return nil, nil, err
	}
	eng, err := harness.New(cmd.Context(), opts...)
	if err != nil {
		return nil, nil, errors.Join(err, outputs.Close())
	}
	return outputs, eng, nil
}

// engineFlags are the flags that choose the rules and how they judge, and the severity
// that fails the run: every command that evaluates the rules has them.
type engineFlags struct {
	failOn      string
	rules       []string
	configFile  string
	disable     []string
	podSec      string
	hostNetwork string
}

func (ef *engineFlags) register(f *pflag.FlagSet) {
	f.StringVar(&ef.failOn, "fail-on", "low", "exit 1 when a finding is at or above this severity: critical, high, medium, low, or none")
	f.StringSliceVar(&ef.rules, "rule", nil, "only report these rule ids (repeatable, or comma-separated)")
	f.StringVar(&ef.configFile, "config", "", "configuration file with exemptions and rule parameters")
	f.StringSliceVar(&ef.disable, "disable", nil, "switch these rule ids off, such as cross-object rules on part of a cluster (repeatable, or comma-separated)")
	registerHostNetwork(f, &ef.hostNetwork)
	f.StringVar(&ef.podSec, "pod-security", "", "hold pods to this Pod Security Standards LEVEL[:VERSION], as the namespace labels spell them (restricted:latest unless the config's podSecurity says otherwise)")
}

// options checks the flags and returns the engine options they ask for.
func (ef *engineFlags) options() ([]harness.Option, error) {
	if ef.failOn != "none" && !slices.Contains(catalog.Severities, ef.failOn) {
		return nil, fmt.Errorf("--fail-on %q: want one of %s, none", ef.failOn, strings.Join(catalog.Severities, ", "))
	}
	hostNetwork, err := parseHostNetwork(ef.hostNetwork)
	if err != nil {
		return nil, err
	}
	opts := []harness.Option{harness.WithRules(ef.rules...), harness.WithHostNetwork(hostNetwork)}
	var cfg config.Config
	if ef.configFile != "" {
		if cfg, err = config.Load(ef.configFile); err != nil {
			return nil, err
		}
	}
	cfg.Disabled = append(cfg.Disabled, ef.disable...)
	if ef.podSec != "" {
		level, version, _ := strings.Cut(ef.podSec, ":")
		if !slices.Contains(config.PodSecurityLevels, level) || (version != "" && !config.ValidPodSecurityVersion(version)) {
			return nil, fmt.Errorf("--pod-security %q: want LEVEL[:VERSION], LEVEL one of %s and VERSION latest or v1.N", ef.podSec, strings.Join(config.PodSecurityLevels, ", "))
		}
		cfg.PodSecurity = &config.PodSecurity{Level: level, Version: version}
	}
	return append(opts, harness.WithConfig(cfg)), nil
}

// registerHostNetwork adds --host-network, for the commands that use the connectivity
// model.
func registerHostNetwork(f *pflag.FlagSet, into *string) {
	f.StringVar(into, "host-network", string(netmodel.HostNetworkUnprotected),
		"how the connectivity model treats host-network pods: unprotected (outside NetworkPolicy: never isolated, never selected as peers) or pod (policies apply to them as to any pod, as most network plugins do)")
}

func parseHostNetwork(value string) (netmodel.HostNetwork, error) {
	h, err := netmodel.ParseHostNetwork(value)
	if err != nil || value == "" {
		return "", fmt.Errorf("--host-network %q: want one of unprotected, pod", value)
	}
	return h, nil
}

// writeProfile prints the report's profile on stderr when --profile asked for it.
func (ef *evalFlags) writeProfile(cmd *cobra.Command, rep *harness.Report) error {
	if !ef.profile || rep.Profile == nil {
		return nil
	}
	return report.Profile(cmd.ErrOrStderr(), rep.Profile)
}

// exitFor turns a report into the exit status: unreadable input wins over findings.
func exitFor(rep *harness.Report, failOn string) error {
	if len(rep.Errors) > 0 {
		return exitCode(exitError)
	}
	if failOn == "none" {
		return nil
	}
	for _, f := range rep.Findings {
		if catalog.Rank(f.Severity) <= catalog.Rank(failOn) {
			return exitCode(exitFindings)
		}
	}
	return nil
}
