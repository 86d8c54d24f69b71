// Command ringfence checks Kubernetes manifests against ringfence's network-security rules.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// Exit codes, as conftest and the design fix them.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// exitError carries an exit code out of a command without printing anything more.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand(stdin)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintln(stderr, "Error:", err)
		return exitError
	}
}

func newRootCommand(stdin io.Reader) *cobra.Command {
	root := &cobra.Command{
		Use:           "ringfence",
		Short:         "Kubernetes network-security rules for manifests, clusters, OPA, conftest and Gatekeeper",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newTestCommand(stdin), newAuditCommand(), newRulesCommand(), newGatekeeperCommand(), newNetmapCommand(stdin), newDiffCommand(stdin))
	root.AddCommand(newBundleCommand(), newInventoryCommand(stdin), newWhoCanCommand(stdin), newPermissionsCommand(stdin), newNetpolCommand(stdin), newReportCommand(stdin))
	return root
}
