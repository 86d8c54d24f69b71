package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/report"
)

func newRulesCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules with their metadata",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := report.For(output)
			if err != nil {
				return err
			}
			eng, err := harness.New(cmd.Context())
			if err != nil {
				return err
			}
			return format.Rules(cmd.OutOrStdout(), eng.Rules())
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: "+strings.Join(report.Names(), ", "))
	return cmd
}
