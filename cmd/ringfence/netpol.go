package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/netgen"
	"github.com/ringfence/ringfence/harness/netmodel"
)

// isolationRules are the rules a generated set must leave silent.
var isolationRules = []string{"RF-NET-001", "RF-NET-003", "RF-NET-020", "RF-NET-021"}

func newNetpolCommand(stdin io.Reader) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "netpol",
		Short: "Generate least-privilege NetworkPolicies from the manifests",
	}
	cmd.AddCommand(newNetpolGenerateCommand(stdin))
	return cmd
}

// netpolReport is the report of netpol generate, as --report writes it in JSON.
type netpolReport struct {
	Policies    []string            `json:"policies"`
	Connections []netpolConnection  `json:"connections"`
	Unresolved  []netgen.Unresolved `json:"unresolved"`
	Notes       []string            `json:"notes"`
	Existing    []string            `json:"existing"`
	Replaced    []string            `json:"replaced"`
	Proof       netpolProof         `json:"proof"`
	Errors      []load.Error        `json:"errors"`
}

type netpolConnection struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Ports    []string `json:"ports"` // empty: every port
	Evidence []string `json:"evidence"`
}

type netpolProof struct {
	Checked   int      `json:"checked"`
	Unchecked int      `json:"unchecked"`
	Missing   []string `json:"missing"`
	Extra     []string `json:"extra"`
	Kept      []string `json:"kept"`
	Findings  []string `json:"isolationFindings"`
}

func newNetpolGenerateCommand(stdin io.Reader) *cobra.Command {
	var (
		output, intents, report, clusterDomain, dnsNamespace string
		dnsLabels                                            map[string]string
		ingressNamespaces, apiServer                         []string
		replace, noDNS                                       bool
		rf                                                   renderFlags
	)
	cmd := &cobra.Command{
		Use:   "generate [PATH...|-]",
		Short: "Write the NetworkPolicies that allow exactly the connections the manifests need",
		Long: `Generate, for every namespace of the manifests, a default deny for both directions and
a policy that lets the pods of the whole namespace resolve names with cluster DNS, and,
for every workload, the ingress and egress rules for exactly the connections it needs:

  - the Services its containers name in environment variables, arguments and command,
    and in the ConfigMaps they read (env valueFrom, envFrom) or mount: name, name.ns,
    name.ns.svc and name.ns.svc.<cluster domain>, with or without a scheme and a port;
    the port, by number or name, is the Service's, and the rule opens the container
    port it targets (by the container port's name when it has one);
  - Ingress backends, from the ingress controller (--ingress-namespace, else the
    workloads of the input that look like one), and Gateway API route backends, from
    the namespace of the route's Gateway;
  - LoadBalancer and NodePort Services, from outside the cluster (loadBalancerSourceRanges);
  - the API server, for workloads whose service account the input's RBAC grants
    something and whose pods mount a token (--api-server gives its address);
  - the intents file (--intents), for what manifests cannot show.

Each workload is selected by the smallest set of its stable pod labels that selects only
its pods in its namespace. The policies are named ringfence-<workload> (and
ringfence-default-deny, ringfence-dns) and labelled app.kubernetes.io/managed-by=ringfence,
so a second run replaces them. The input's own NetworkPolicies are kept: the generated
ones only add what they do not already allow; --replace generates the whole set and lists
the policies it stands in for.

Before writing, ringfence proves the result with its connectivity model: every derived
connection must be allowed, no connection may be allowed by a generated policy that was
not derived, and RF-NET-001, RF-NET-003, RF-NET-020 and RF-NET-021 must not fire. A
disagreement is an error: nothing is written.

The report (standard error, or --report FILE in JSON) lists every allowed connection
with its evidence, every reference that could not be resolved, and the proof.

Exit codes: 0 the policies were written, 2 usage error, input that could not be read
(after everything readable was used), or a proof that failed.`,
		Example: `  ringfence netpol generate k8s/ -o netpol/
  ringfence netpol generate k8s/ --intents intents.yaml --ingress-namespace ingress-nginx > policies.yaml
  helm template shop ./chart | ringfence netpol generate - --replace`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if report == "-" && output == "-" {
				return fmt.Errorf("--report - needs --output DIR: the policies go to standard output")
			}
			opts := netgen.Options{
				ClusterDomain:     clusterDomain,
				DNS:               netgen.DNS{Disabled: noDNS, Namespace: dnsNamespace, Labels: dnsLabels},
				IngressNamespaces: ingressNamespaces,
				APIServer:         apiServer,
				Replace:           replace,
			}
			if intents != "" {
				var err error
				if opts.Intents, err = netgen.LoadIntents(intents); err != nil {
					return err
				}
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			return runNetpolGenerate(cmd.Context(), cmd, read(cmd.Context(), args, stdin), opts, output, report)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "-", "where to write the policies: - for standard output (one YAML stream), or a directory (one file per namespace, <namespace>.yaml)")
	f.StringVar(&intents, "intents", "", "intents file: connections the manifests cannot show (from, to, ports)")
	f.StringVar(&report, "report", "", "write the report as JSON to this file (- for standard output when the policies go to a directory)")
	f.BoolVar(&replace, "replace", false, "generate the whole set as if the input held no NetworkPolicy, and list the policies it replaces")
	f.StringSliceVar(&ingressNamespaces, "ingress-namespace", nil, "namespace the ingress controller runs in (repeatable)")
	f.StringSliceVar(&apiServer, "api-server", nil, "the API server's address, a CIDR or an IP (repeatable; default: any address on ports 443 and 6443)")
	f.StringVar(&clusterDomain, "cluster-domain", "cluster.local", "the cluster's DNS domain")
	f.StringVar(&dnsNamespace, "dns-namespace", "kube-system", "namespace cluster DNS runs in")
	f.StringToStringVar(&dnsLabels, "dns-labels", map[string]string{"k8s-app": "kube-dns"}, "pod labels of cluster DNS")
	f.BoolVar(&noDNS, "no-dns", false, "do not generate the DNS egress policies")
	rf.register(f, true)
	return cmd
}

func runNetpolGenerate(ctx context.Context, cmd *cobra.Command, res load.Result, opts netgen.Options, output, reportFile string) error {
	objs := make([]map[string]any, len(res.Documents))
	for i, d := range res.Documents {
		objs[i] = d.Object
	}
	rep := netpolReport{Errors: slices.Clone(res.Errors)}
	_, modelErrs := netmodel.FromObjects(objs)
	for _, e := range modelErrs {
		rep.Errors = append(rep.Errors, res.Documents[e.Index].Source.Err(e.Error()))
	}
	result, err := netgen.Generate(objs, opts)
	if err != nil {
		return err
	}
	proof, err := netgen.Prove(objs, result)
	if err != nil {
		return err
	}
	applied, err := result.Objects(objs)
	if err != nil {
		return err
	}
	findings, err := isolationFindings(ctx, applied)
	if err != nil {
		return err
	}
	for _, p := range result.Policies {
		rep.Policies = append(rep.Policies, p.Namespace+"/"+p.Name)
	}
	for _, c := range result.Connections {
		nc := netpolConnection{From: c.From.Name, To: c.To.Name, Ports: []string{}, Evidence: c.Evidence}
		for _, p := range c.Ports {
			nc.Ports = append(nc.Ports, p.String())
		}
		rep.Connections = append(rep.Connections, nc)
	}
	rep.Unresolved, rep.Notes, rep.Existing, rep.Replaced = result.Unresolved, result.Notes, result.Existing, result.Replaced
	rep.Proof = netpolProof{Checked: proof.Checked, Unchecked: proof.Unchecked, Missing: proof.Missing, Extra: proof.Extra, Kept: proof.Kept, Findings: findings}
	failed := !proof.OK() || len(findings) > 0

	if err := writeNetpolReport(cmd, rep, reportFile, output); err != nil {
		return err
	}
	if failed {
		fmt.Fprintln(cmd.ErrOrStderr(), "ringfence: the generated policies do not allow exactly the derived connections (see the proof above); nothing was written")
		return exitCode(exitError)
	}
	if err := writePolicies(cmd.OutOrStdout(), result.Policies, output); err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return exitCode(exitError)
	}
	return nil
}

// isolationFindings runs the isolation rules on the input with the generated policies.
func isolationFindings(ctx context.Context, objs []map[string]any) ([]string, error) {
	e, err := harness.New(ctx, harness.WithRules(isolationRules...))
	if err != nil {
		return nil, err
	}
	in := make([]harness.Object, len(objs))
	for i, o := range objs {
		in[i] = harness.FromMap(o)
	}
	r, err := e.Evaluate(ctx, in)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, f := range r.Findings {
		out = append(out, f.Rule+" "+f.Message)
	}
	return out, nil
}

// writePolicies writes the policies as one YAML stream, or one file per namespace.
func writePolicies(stdout io.Writer, policies []*networkingv1.NetworkPolicy, output string) error {
	byNS := map[string][]*networkingv1.NetworkPolicy{}
	var order []string
	for _, p := range policies {
		if byNS[p.Namespace] == nil {
			order = append(order, p.Namespace)
		}
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	encode := func(w io.Writer, ps []*networkingv1.NetworkPolicy) error {
		for _, p := range ps {
			out, err := yaml.Marshal(p)
			if err != nil {
				return fmt.Errorf("encoding NetworkPolicy %s/%s: %w", p.Namespace, p.Name, err)
			}
			// Server-set fields the typed object carries empty.
			text := strings.Replace(string(out), "  creationTimestamp: null\n", "", 1)
			if _, err := fmt.Fprintf(w, "---\n%s", text); err != nil {
				return err
			}
		}
		return nil
	}
	if output == "-" {
		return encode(stdout, policies)
	}
	if err := os.MkdirAll(output, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", output, err)
	}
	for _, ns := range order {
		var b strings.Builder
		b.WriteString("# Generated by ringfence netpol generate: a second run replaces this file.\n")
		if err := encode(&b, byNS[ns]); err != nil {
			return err
		}
		file := filepath.Join(output, ns+".yaml")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
	}
	return nil
}

// writeNetpolReport writes the report: as JSON to reportFile when given, else as text
// on standard error.
func writeNetpolReport(cmd *cobra.Command, rep netpolReport, reportFile, output string) error {
	if reportFile != "" {
		raw, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the report: %w", err)
		}
		raw = append(raw, '\n')
		if reportFile == "-" {
			_, err = cmd.OutOrStdout().Write(raw)
			return err
		}
		if err := os.WriteFile(reportFile, raw, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", reportFile, err)
		}
		return nil
	}
	w := cmd.ErrOrStderr()
	fmt.Fprintf(w, "Allowed connections (%d):\n", len(rep.Connections))
	for _, c := range rep.Connections {
		ports := "every port"
		if len(c.Ports) > 0 {
			ports = strings.Join(c.Ports, ", ")
		}
		fmt.Fprintf(w, "  %s -> %s on %s\n", c.From, c.To, ports)
		for _, e := range c.Evidence {
			fmt.Fprintf(w, "      because %s\n", e)
		}
	}
	if len(rep.Unresolved) > 0 {
		fmt.Fprintf(w, "Not resolved, nothing allowed (%d):\n", len(rep.Unresolved))
		for _, u := range rep.Unresolved {
			fmt.Fprintf(w, "  %s\n      %s\n", u.Evidence, u.Reason)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	if len(rep.Existing) > 0 {
		fmt.Fprintf(w, "Kept the input's policies, added to them: %s\n", strings.Join(rep.Existing, ", "))
	}
	if len(rep.Replaced) > 0 {
		fmt.Fprintf(w, "Replaces (remove these): %s\n", strings.Join(rep.Replaced, ", "))
	}
	p := rep.Proof
	fmt.Fprintf(w, "Proof by the connectivity model: %d connections checked (%d with pods outside the input not checked): %d missing, %d extra, %d isolation findings\n",
		p.Checked, p.Unchecked, len(p.Missing), len(p.Extra), len(p.Findings))
	for _, m := range p.Missing {
		fmt.Fprintf(w, "  missing: %s\n", m)
	}
	for _, x := range p.Extra {
		fmt.Fprintf(w, "  extra: %s\n", x)
	}
	for _, x := range p.Kept {
		fmt.Fprintf(w, "  kept: %s (the input's policies allow it, or a host-network pod that NetworkPolicy does not isolate)\n", x)
	}
	for _, x := range p.Findings {
		fmt.Fprintf(w, "  finding: %s\n", x)
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(w, e.Error())
	}
	return nil
}
