package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness"
)

func newInventoryCommand(stdin io.Reader) *cobra.Command {
	var output string
	var rf renderFlags
	cmd := &cobra.Command{
		Use:   "inventory [PATH...|-]",
		Short: "Print data.inventory for manifests, for OPA servers and conftest --data",
		Long: `Print data.inventory (Gatekeeper's shape: namespace[ns][apiVersion][kind][name] and
cluster[apiVersion][kind][name]) built from manifests exactly as ringfence test builds it.
The cross-object rules read it: push it to an OPA server with
  curl -X PUT --data-binary @inventory.json http://127.0.0.1:8181/v1/data/inventory
Namespaced objects without metadata.namespace land in "default", as with kubectl apply.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			read, err := rf.reader()
			if err != nil {
				return err
			}
			res := read(cmd.Context(), args, stdin)
			objs := make([]harness.Object, len(res.Documents))
			for i, d := range res.Documents {
				objs[i] = harness.Object{Data: d.Object}
			}
			inv, err := harness.Inventory(objs)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if output != "" && output != "-" {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(inv); err != nil {
				return fmt.Errorf("writing inventory: %w", err)
			}
			var errs []error
			for _, e := range res.Errors {
				errs = append(errs, e)
			}
			if len(errs) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), errors.Join(errs...))
				return exitCode(exitError)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "-", "file to write (default: standard output)")
	rf.register(cmd.Flags(), true)
	return cmd
}
