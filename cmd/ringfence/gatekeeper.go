package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness/gatekeeper"
)

func newGatekeeperCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gatekeeper",
		Short: "Export the rules as OPA Gatekeeper policies",
		// Runnable, so that an unknown subcommand is a usage error rather than help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newGatekeeperExportCommand())
	return cmd
}

func newGatekeeperExportCommand() *cobra.Command {
	var (
		output, policiesDir, fixturesDir string
		noTests                          bool
	)
	cmd := &cobra.Command{
		Use:   "export -o DIR",
		Short: "Write a ConstraintTemplate and a Constraint per rule, a sync Config, and gator test suites",
		Long: `Export every rule as a Gatekeeper ConstraintTemplate (the rule's Rego v1 with the
libraries it needs) and a Constraint with the default parameters, the sync Config that
cross-object rules need, a kustomization.yaml, and gator test suites generated from the
rules' fixtures, whose expected violations are what ringfence itself reports.

Cross-object rules (those that read other objects) are exported with
enforcementAction: warn: denying at admission would reject objects whose companions
cannot exist yet. Objects annotated ringfence.dev/exempt: RF-XXX-NNN[,...] are exempt.

DIR must be new, empty, or hold a previous export, which is replaced. Fixtures are read
from --fixtures (default: ./fixtures); --no-tests exports without suites.

Exit codes: 0 exported, 2 usage error or failed export.`,
		Example: `  ringfence gatekeeper export -o deploy/gatekeeper
  kubectl apply -k deploy/gatekeeper
  gator verify deploy/gatekeeper/tests/...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" {
				return errors.New("gatekeeper export: -o/--output DIR is required")
			}
			if noTests && fixturesDir != "" {
				return errors.New("gatekeeper export: --fixtures and --no-tests exclude each other")
			}
			var policies fs.FS // nil: the embedded rules
			if policiesDir != "" {
				if err := isDir(policiesDir); err != nil {
					return fmt.Errorf("gatekeeper export: --policies: %w", err)
				}
				policies = os.DirFS(policiesDir)
			}
			var fixtures fs.FS
			if !noTests {
				dir := fixturesDir
				if dir == "" {
					dir = "fixtures"
					if isDir(dir) != nil {
						return errors.New("gatekeeper export: no ./fixtures directory: pass --fixtures DIR, or --no-tests to export without gator suites")
					}
				}
				if err := isDir(dir); err != nil {
					return fmt.Errorf("gatekeeper export: --fixtures: %w", err)
				}
				fixtures = os.DirFS(dir)
			}
			b, err := gatekeeper.Export(cmd.Context(), policies, fixtures)
			if err != nil {
				return fmt.Errorf("gatekeeper export: %w", err)
			}
			if err := b.Write(cmd.Context(), output); err != nil {
				return fmt.Errorf("gatekeeper export: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Exported %d rules to %s: templates/, constraints/", len(b.Rules), output)
			if _, ok := b.Files[gatekeeper.SyncConfigFile]; ok {
				fmt.Fprintf(out, ", %s", gatekeeper.SyncConfigFile)
			}
			fmt.Fprintf(out, ", %s\n", gatekeeper.KustomizationFile)
			if fixtures != nil {
				fmt.Fprintf(out, "gator suites in tests/: %d cases from %d fixtures\n", b.Cases(), b.Fixtures())
			}
			fmt.Fprintf(out, "Install: kubectl apply -k %s\n", output)
			if fixtures != nil {
				fmt.Fprintf(out, "Verify:  gator verify %s/...\n", filepath.Join(output, "tests"))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "", "directory to write the export to (required)")
	f.StringVar(&policiesDir, "policies", "", "export the rules in this directory (laid out like policies/) instead of the built-in ones")
	f.StringVar(&fixturesDir, "fixtures", "", "fixtures to generate the gator suites from (default ./fixtures)")
	f.BoolVar(&noTests, "no-tests", false, "export without gator test suites")
	return cmd
}

// isDir reports why path is not a readable directory, or nil.
func isDir(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", path)
	}
	return nil
}
