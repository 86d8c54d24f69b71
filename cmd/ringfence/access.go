package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ringfence/ringfence/harness/access"
)

func newWhoCanCommand(stdin io.Reader) *cobra.Command {
	var (
		output        string
		namespace     string
		allNamespaces bool
		subresource   string
		noDefaults    bool
		rf            renderFlags
	)
	cmd := &cobra.Command{
		Use:   "who-can VERB (TYPE[.GROUP][/NAME] | NONRESOURCEURL) [PATH...|-]",
		Short: "List who may make a request under the RBAC in the manifests",
		Long: `List the users, groups and service accounts that the Roles, ClusterRoles,
RoleBindings and ClusterRoleBindings in the manifests allow to make a request, with the
binding and role that allow it, as kubectl who-can does on a cluster.

The request is written as for kubectl auth can-i: a verb, then a resource type (plural,
singular, short name or kind; TYPE.GROUP for another group's or a custom resource's)
with an optional /NAME of one object, or a non-resource URL such as /metrics. A
subresource is given with --subresource (pods/exec is the pod named exec). The request is
in namespace --namespace (default "default"), or in every namespace at once with
--all-namespaces, which only ClusterRoleBindings grant; cluster-scoped types are asked
about cluster-wide.

Kubernetes' default roles and bindings (cluster-admin, admin, edit, view, the system:
roles) complete the manifests, as a new cluster has them, unless --no-default-policy;
a manifest that defines one of them replaces it. Aggregated ClusterRoles get the rules of
the ClusterRoles their aggregationRule selects. Members of system:masters may make every
request and are always listed.

PATH is a file, a directory (read recursively) or - for standard input; the default is
the current directory.

Exit codes: 0 the answer was printed, 2 usage error or input that could not be read
(reported after everything readable was resolved).`,
		Example: `  ringfence who-can get secrets -n shop deploy/
  ringfence who-can create pods --subresource exec -A k8s/
  ringfence who-can escalate clusterroles.rbac.authorization.k8s.io rbac.yaml
  ringfence who-can get /metrics cluster/`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(access.Formats, output) {
				return fmt.Errorf("--output %q: want one of %s", output, strings.Join(access.Formats, ", "))
			}
			req, warnings, err := access.ParseRequest(access.RequestArgs{
				Verb: args[0], Target: args[1], Subresource: subresource,
				Namespace: namespace, AllNamespaces: allNamespaces,
			})
			if err != nil {
				return err
			}
			paths := args[2:]
			if len(paths) == 0 {
				paths = []string{"."}
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			set := access.Load(cmd.Context(), paths, stdin, access.Options{NoDefaults: noDefaults, Read: read})
			res := set.WhoCan(req)
			res.Warnings = warnings
			return afterInput(set, access.WriteWhoCan(cmd.OutOrStdout(), res, output))
		},
	}
	f := cmd.Flags()
	outputFlag(f, &output)
	f.StringVarP(&namespace, "namespace", "n", access.DefaultNamespace, "the namespace of the request")
	f.BoolVarP(&allNamespaces, "all-namespaces", "A", false, "ask about every namespace at once (only ClusterRoleBindings grant that)")
	f.StringVar(&subresource, "subresource", "", "the subresource of the request (exec, log, status, scale, ...)")
	f.BoolVar(&noDefaults, "no-default-policy", false, "leave out Kubernetes' default roles and bindings")
	rf.register(f, false)
	return cmd
}

func newPermissionsCommand(stdin io.Reader) *cobra.Command {
	var (
		output     string
		namespace  string
		groups     []string
		noDefaults bool
		rf         renderFlags
	)
	cmd := &cobra.Command{
		Use:   "permissions SUBJECT [PATH...|-]",
		Short: "List what a service account, user, group or workload may do under the RBAC in the manifests",
		Long: `List every rule the RoleBindings and ClusterRoleBindings in the manifests give a
subject, with the namespace it applies in ("*" for every namespace), the binding, the
role and the rule, as kubectl auth can-i --list does on a cluster.

SUBJECT is a service account (serviceaccount/NAME or sa/NAME in --namespace, or
system:serviceaccount:NAMESPACE:NAME), a user (user/NAME, who is also in
system:authenticated), a group (group/NAME), or a workload as KIND/NAME
(deployment/web, deploy/web, statefulset/db, pod/debug, cronjob/nightly, ...) found in
the manifests in --namespace, whose service account is then listed, with whether its
pods get the account's token. A service account is in the groups system:serviceaccounts,
system:serviceaccounts:NAMESPACE and system:authenticated; --group adds more.

Kubernetes' default roles and bindings complete the manifests unless
--no-default-policy, so every subject shows the few permissions all authenticated users
have; aggregated ClusterRoles get the rules of the ClusterRoles they select.

Exit codes: 0 the answer was printed, 2 usage error, unknown subject, or input that
could not be read (reported after everything readable was resolved).`,
		Example: `  ringfence permissions deployment/web -n shop deploy/
  ringfence permissions system:serviceaccount:kube-system:coredns cluster/
  ringfence permissions user/alice --group dev rbac/ -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(access.Formats, output) {
				return fmt.Errorf("--output %q: want one of %s", output, strings.Join(access.Formats, ", "))
			}
			paths := args[1:]
			if len(paths) == 0 {
				paths = []string{"."}
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			set := access.Load(cmd.Context(), paths, stdin, access.Options{NoDefaults: noDefaults, Read: read})
			sub, err := set.ResolveSubject(args[0], namespace, groups)
			if err != nil {
				for _, e := range set.Errors {
					fmt.Fprintln(cmd.ErrOrStderr(), e.Error())
				}
				return err
			}
			return afterInput(set, access.WritePermissions(cmd.OutOrStdout(), set.Permissions(sub), output))
		},
	}
	f := cmd.Flags()
	outputFlag(f, &output)
	f.StringVarP(&namespace, "namespace", "n", access.DefaultNamespace, "the namespace of a service account or workload subject")
	f.StringSliceVar(&groups, "group", nil, "extra groups the subject is in (repeatable)")
	f.BoolVar(&noDefaults, "no-default-policy", false, "leave out Kubernetes' default roles and bindings")
	rf.register(f, false)
	return cmd
}

func outputFlag(f *pflag.FlagSet, output *string) {
	f.StringVarP(output, "output", "o", "text", "output format: "+strings.Join(access.Formats, ", "))
}

// afterInput is a command's result once its answer is written: the write error, else
// exit 2 when some input could not be read (it was reported with the answer).
func afterInput(set *access.Set, writeErr error) error {
	if writeErr != nil {
		return writeErr
	}
	if len(set.Errors) > 0 {
		return exitCode(exitError)
	}
	return nil
}
