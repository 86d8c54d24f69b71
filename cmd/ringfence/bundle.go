package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/policies"
)

func newBundleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "Build, sign, verify and inspect OPA bundles of the rules",
		Long: `Build, sign, verify and inspect OPA bundles (.tar.gz) of the rules, for OPA servers
(opa run --server --bundle, or the bundle plugin) and anything else that loads bundles.

Query a server with POST /v1/data/ringfence/main/findings and {"input": <object>}; push
the inventory for cross-object rules to PUT /v1/data/inventory (see ringfence inventory).`,
		// Runnable, so that an unknown subcommand is a usage error rather than help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBundleBuildCommand(), newBundleSignCommand(), newBundleVerifyCommand(), newBundleInspectCommand(),
		newBundlePushCommand(), newBundlePullCommand())
	return cmd
}

// signFlags are the signing flags build and sign share.
type signFlags struct {
	key, alg, keyID, claims string
}

func (s *signFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.key, "signing-key", "", "file with the PEM private key, or the shared secret for HS256/384/512")
	f.StringVar(&s.alg, "signing-alg", "RS256", "signing algorithm: "+strings.Join(bundle.Algorithms, ", "))
	f.StringVar(&s.keyID, "key-id", bundle.DefaultKeyID, "key id written into the signature (kid)")
	f.StringVar(&s.claims, "claims-file", "", "JSON file with extra claims for the signature, such as {\"scope\": \"prod\"}")
}

func (s *signFlags) options() (bundle.SignOptions, error) {
	key, err := readKey(s.key, "--signing-key")
	if err != nil {
		return bundle.SignOptions{}, err
	}
	if s.claims != "" {
		if _, err := os.Stat(s.claims); err != nil {
			return bundle.SignOptions{}, fmt.Errorf("--claims-file: %w", err)
		}
	}
	return bundle.SignOptions{Key: key, Algorithm: s.alg, KeyID: s.keyID, ClaimsFile: s.claims}, nil
}

// readKey reads a key file. Errors name the file, never its contents.
func readKey(path, flag string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("%s is required", flag)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%s: %s is empty", flag, path)
	}
	return key, nil
}

func newBundleBuildCommand() *cobra.Command {
	var (
		policyDir, manifest, revision, output, configFile string
		sign                                              signFlags
	)
	cmd := &cobra.Command{
		Use:   "build -o FILE",
		Short: "Build an OPA bundle of the rules, optionally signed",
		Long: `Build an OPA bundle (.tar.gz) of the rules with OPA's bundle package, laid out as
"opa build -b" lays out the policy directory: every .rego file, data.json with the rule
catalog and dispatch table under data.ringfence (and the --config file's exemptions and
parameters), and .manifest with the roots, rego_version, revision and the list of rules.

The rules are compiled first with the capabilities in capabilities.json: a rule calling a
built-in that reaches the network or the host, or is not deterministic, fails the build.

The revision is --revision, else "git describe --tags --always --dirty" in the policy
directory, else the SHA-256 of the modules and data.`,
		Example: `  ringfence bundle build -o ringfence.tar.gz
  ringfence bundle build --policies policies --manifest bundle.manifest -o ringfence.tar.gz \
    --signing-key private.pem --signing-alg RS256 --key-id ringfence`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return errors.New("-o/--output is required")
			}
			opts := bundle.BuildOptions{Policies: policies.FS, Revision: revision}
			if policyDir != "" {
				opts.Policies, opts.PolicyDir = os.DirFS(policyDir), policyDir
			}
			if manifest != "" {
				raw, err := os.ReadFile(manifest)
				if err != nil {
					return fmt.Errorf("--manifest: %w", err)
				}
				opts.Manifest = raw
			}
			if configFile != "" {
				cfg, err := config.Load(configFile)
				if err != nil {
					return err
				}
				opts.Config = &cfg
			}
			var signOpts *bundle.SignOptions
			if sign.key != "" {
				o, err := sign.options()
				if err != nil {
					return err
				}
				signOpts = &o
			}
			b, err := bundle.Build(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if signOpts != nil {
				if err := bundle.Sign(b, *signOpts); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := bundle.Write(&buf, b); err != nil {
				return err
			}
			if err := writeFileAtomic(output, buf.Bytes()); err != nil {
				return err
			}
			signed := "unsigned"
			if signOpts != nil {
				signed = fmt.Sprintf("signed with %s, key id %s", signOpts.Algorithm, signOpts.KeyID)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: revision %s, %d modules, %s\n", output, b.Manifest.Revision, len(b.Modules), signed)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&policyDir, "policies", "", "policy directory (default: the rules built into ringfence)")
	f.StringVar(&manifest, "manifest", "", "bundle manifest source with roots, rego_version and metadata (default: roots [ringfence], Rego v1)")
	f.StringVar(&revision, "revision", "", "bundle revision (default: git describe, else a content hash)")
	f.StringVarP(&output, "output", "o", "", "bundle file to write")
	f.StringVar(&configFile, "config", "", "ringfence configuration to ship as data.ringfence.config")
	sign.add(cmd)
	return cmd
}

func newBundleSignCommand() *cobra.Command {
	var (
		output string
		sign   signFlags
	)
	cmd := &cobra.Command{
		Use:   "sign BUNDLE --signing-key FILE",
		Short: "Sign an existing bundle, replacing any signature it has",
		Example: `  ringfence bundle sign ringfence.tar.gz --signing-key private.pem --signing-alg PS384
  ringfence bundle sign ringfence.tar.gz --signing-key secret.txt --signing-alg HS256 -o signed.tar.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := sign.options()
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			b, err := bundle.Read(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := bundle.Sign(b, opts); err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := bundle.Write(&buf, b); err != nil {
				return err
			}
			if output == "" {
				output = args[0]
			}
			if err := writeFileAtomic(output, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: signed with %s, key id %s\n", output, opts.Algorithm, opts.KeyID)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the signed bundle here (default: replace BUNDLE)")
	sign.add(cmd)
	return cmd
}

// verifyFlags are the verification flags verify and inspect share.
type verifyFlags struct {
	key, keyID, scope, alg string
}

func (v *verifyFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&v.key, "verification-key", "", "file with the PEM public key (or certificate), or the shared secret for HS256/384/512")
	f.StringVar(&v.keyID, "key-id", bundle.DefaultKeyID, "id of the verification key: a signature naming another key id is rejected")
	f.StringVar(&v.scope, "scope", "", "scope the signature must carry")
	f.StringVar(&v.alg, "signing-alg", "", "algorithm the signature must use (default: the signature's, if it suits the key)")
}

func (v *verifyFlags) options() (bundle.VerifyOptions, error) {
	key, err := readKey(v.key, "--verification-key")
	if err != nil {
		return bundle.VerifyOptions{}, err
	}
	return bundle.VerifyOptions{Key: key, KeyID: v.keyID, Scope: v.scope, Algorithm: v.alg}, nil
}

func newBundleVerifyCommand() *cobra.Command {
	var verify verifyFlags
	cmd := &cobra.Command{
		Use:   "verify BUNDLE --verification-key FILE",
		Short: "Check a bundle's signature, key id, scope and every file's digest",
		Long: `Check that the bundle carries a signature made with the key, under the key id and
with the scope given, and that every file in it is signed and unmodified and every signed
file is present, as "opa run --verification-key" does before it activates a bundle.

Exit codes: 0 verified, 1 not verified, 2 usage error or unreadable bundle or key.`,
		Example: `  ringfence bundle verify ringfence.tar.gz --verification-key public.pem --key-id ringfence`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := verify.options()
			if err != nil {
				return err
			}
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			b, sig, err := bundle.Verify(bytes.NewReader(raw), opts)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: not verified: %v\n", args[0], err)
				return exitCode(exitFindings)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: verified: revision %s, %d signed files, key id %s, %s\n",
				args[0], b.Manifest.Revision, sig.Files, sig.KeyID, sig.Algorithm)
			return nil
		},
	}
	verify.add(cmd)
	return cmd
}

func newBundleInspectCommand() *cobra.Command {
	var (
		output string
		verify verifyFlags
	)
	cmd := &cobra.Command{
		Use:   "inspect BUNDLE",
		Short: "Show a bundle's revision, roots, rules, files and signature",
		Long: `Show a bundle's revision, roots, rules and files, and its signature: absent, or present
with its key id and algorithm, and verified or not when --verification-key is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			var opts *bundle.VerifyOptions
			if verify.key != "" {
				o, err := verify.options()
				if err != nil {
					return err
				}
				opts = &o
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			info, err := bundle.Inspect(f, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			printInfo(cmd.OutOrStdout(), info)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	verify.add(cmd)
	return cmd
}

func printInfo(w io.Writer, info *bundle.Info) {
	fmt.Fprintf(w, "Revision:  %s\n", info.Revision)
	fmt.Fprintf(w, "Roots:     %s\n", strings.Join(info.Roots, ", "))
	if info.RegoVersion != nil {
		fmt.Fprintf(w, "Rego:      v%d\n", *info.RegoVersion)
	}
	switch s := info.Signature; {
	case s == nil:
		fmt.Fprintln(w, "Signature: none")
	case s.Verified:
		fmt.Fprintf(w, "Signature: verified (key id %s, %s, %d files)\n", s.KeyID, s.Algorithm, s.Files)
	case s.Error != "":
		fmt.Fprintf(w, "Signature: NOT verified (key id %s, %s): %s\n", s.KeyID, s.Algorithm, s.Error)
	default:
		fmt.Fprintf(w, "Signature: present, not checked (key id %s, %s, %d files; pass --verification-key to verify)\n", s.KeyID, s.Algorithm, s.Files)
	}
	if s := info.Signature; s != nil && s.Scope != "" {
		fmt.Fprintf(w, "Scope:     %s\n", s.Scope)
	}
	fmt.Fprintf(w, "Rules (%d):\n", len(info.Rules))
	for _, r := range info.Rules {
		fmt.Fprintf(w, "  %-12s %-8s %s\n", r.ID, r.Severity, r.Title)
	}
	fmt.Fprintf(w, "Files (%d):\n", len(info.Files))
	for _, f := range info.Files {
		fmt.Fprintf(w, "  %8d  %s\n", f.Size, f.Path)
	}
}

// writeFileAtomic writes data to a temporary file beside path and renames it, so a
// failed write never leaves half a bundle behind.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), fs.FileMode(0o644)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
