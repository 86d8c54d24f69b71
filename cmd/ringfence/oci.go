package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/oci"
)

// ociFlags are how bundle push and pull reach a registry.
type ociFlags struct {
	opts oci.Options
}

func (o *ociFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.opts.PlainHTTP, "plain-http", false, "talk HTTP, not HTTPS, to the registry (a registry on loopback)")
	f.StringVar(&o.opts.DockerConfig, "registry-config", "", "Docker config file with the registry credentials (default: DOCKER_CONFIG, else ~/.docker/config.json, as docker login and oras login write it)")
}

func newBundlePushCommand() *cobra.Command {
	var o ociFlags
	cmd := &cobra.Command{
		Use:   "push BUNDLE REF",
		Short: "Push a bundle to an OCI registry, in the layout OPA's OCI downloader reads",
		Long: `Push a bundle (.tar.gz, signed or not) to an OCI registry as REF
(registry/repository[:tag], default tag latest): an OCI image manifest whose layer is the
bundle tarball, as OPA's bundle plugin downloads it from a service of type oci.
Signatures stay inside the bundle, where opa run --verification-key checks them.`,
		Example: `  ringfence bundle push ringfence.tar.gz registry.example.com/policy/ringfence:v1
  ringfence bundle push ringfence.tar.gz 127.0.0.1:5000/ringfence:dev --plain-http`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if _, err := bundle.Read(bytes.NewReader(data)); err != nil {
				return fmt.Errorf("%s: not a bundle: %w", args[0], err)
			}
			d, err := oci.Push(cmd.Context(), data, args[1], o.opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pushed %s: %s\n", args[1], d)
			return nil
		},
	}
	o.add(cmd)
	return cmd
}

func newBundlePullCommand() *cobra.Command {
	var (
		o      ociFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "pull REF -o FILE",
		Short: "Pull a bundle from an OCI registry",
		Long: `Pull the bundle REF names from an OCI registry and write the tarball to FILE: the
layer OPA's OCI downloader would take. Check it with ringfence bundle verify.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return fmt.Errorf("--output is required")
			}
			data, d, err := oci.Pull(cmd.Context(), args[0], o.opts)
			if err != nil {
				return err
			}
			if _, err := bundle.Read(bytes.NewReader(data)); err != nil {
				return fmt.Errorf("%s (%s): not a bundle: %w", args[0], d, err)
			}
			if err := os.WriteFile(output, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "pulled %s: %s\n", args[0], d)
			return nil
		},
	}
	o.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write the bundle to (required)")
	return cmd
}
