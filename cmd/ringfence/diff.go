package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/change"
	"github.com/ringfence/ringfence/harness/gitrev"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/harness/report"
)

func newDiffCommand(stdin io.Reader) *cobra.Command {
	var (
		ef      engineFlags
		rf      renderFlags
		output  []string
		gitSpec string
	)
	cmd := &cobra.Command{
		Use:   "diff BASE HEAD | diff --git REV1..REV2 [PATH...]",
		Short: "Show what a change to manifests does: the findings it adds and removes, the connections it opens and closes",
		Long: `Compare two versions of a set of manifests: the findings the change adds and removes,
and the connections it opens and closes under the NetworkPolicies (source, destination,
the ports newly allowed or no longer allowed, and the policies that allow them on each
side), with the segmentation invariants of RF-NET-030 (configured with --config) checked
on every opened connection.

BASE and HEAD are files or directories (read recursively, as ringfence test reads them),
one of them may be - for standard input. With --git, the versions are two revisions of
the repository in the working directory, and the arguments are the paths to compare
(default .), named as from the working directory:

  --git A..B     A with B
  --git A...B    the merge base of A and B with B: what a pull request from B into A changes
  --git A        A with the working tree (so is A..)

Findings are matched by rule, object, field and message, never by file or line, so
moving, renaming or reformatting manifests adds and removes nothing. Both versions are
judged by the same rules and configuration.

Exit codes: 0 the change adds no finding at or above --fail-on and opens no connection
that breaks a segmentation invariant, 1 it does, 2 usage error or HEAD input that could
not be read (BASE input that could not be read is reported, and its objects' findings
show as added).`,
		Example: `  ringfence diff old/ new/
  ringfence diff --git origin/main...HEAD deploy/ --output markdown=diff.md
  ringfence diff --git HEAD~1 k8s/ --config ringfence.yaml --fail-on high`,
		RunE: func(cmd *cobra.Command, args []string) error {
			outs, err := report.ParseOutputs(output, change.For)
			if err != nil {
				return err
			}
			opts, err := ef.options()
			if err != nil {
				return err
			}
			reader, err := rf.reader()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			base, head, err := diffInputs(ctx, gitSpec, args, stdin, reader)
			if err != nil {
				return err
			}
			outputs, err := report.Open(outs, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			defer outputs.Close()
			// The files are read while the rules compile.
			read := make(chan [2]*harness.Input, 1)
			go func() { read <- [2]*harness.Input{base.read(), head.read()} }()
			eng, err := harness.New(ctx, opts...)
			if err != nil {
				return err
			}
			in := <-read
			baseSnap, err := change.Take(ctx, eng, base.label, in[0])
			if err != nil {
				return err
			}
			headSnap, err := change.Take(ctx, eng, head.label, in[1])
			if err != nil {
				return err
			}
			rep := change.Compare(baseSnap, headSnap, eng.Invariants())
			if err := outputs.Write(func(f change.Format, w io.Writer) error { return f(w, rep) }); err != nil {
				return err
			}
			if len(headSnap.Report.Errors) > 0 {
				return exitCode(exitError)
			}
			if rep.Fails(ef.failOn) {
				return exitCode(exitFindings)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&output, "output", "o", []string{"text"}, "report format, FORMAT for standard output (one at most) or FORMAT=FILE to write a file (repeatable); formats: "+strings.Join(change.Formats(), ", "))
	f.StringVar(&gitSpec, "git", "", "compare two revisions of the git repository in the working directory: A..B, A...B (from the merge base), or A (with the working tree); the arguments are the paths to compare")
	ef.register(f)
	rf.register(f, true)
	return cmd
}

// side is one version of the manifests: how to name it and how to read it.
type side struct {
	label string
	read  func() *harness.Input
}

// diffInputs checks the arguments and returns the two versions to compare. Git
// revisions are read here, so that a bad revision or path is a usage error before the
// rules compile.
func diffInputs(ctx context.Context, gitSpec string, args []string, stdin io.Reader, read load.Reader) (side, side, error) {
	if gitSpec == "" {
		if len(args) != 2 {
			return side{}, side{}, fmt.Errorf("want two paths, BASE and HEAD, or --git REV1..REV2 [PATH...] (got %d arguments)", len(args))
		}
		if args[0] == load.StdinName && args[1] == load.StdinName {
			return side{}, side{}, fmt.Errorf("only one of BASE and HEAD can be - (standard input)")
		}
		paths := func(p string) side {
			return side{label: p, read: func() *harness.Input { return harness.ReadWith(ctx, read, []string{p}, stdin) }}
		}
		return paths(args[0]), paths(args[1]), nil
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	for _, a := range args {
		if a == load.StdinName {
			return side{}, side{}, fmt.Errorf("with --git, the arguments are paths in the repository, not - (standard input)")
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return side{}, side{}, fmt.Errorf("--git: %w", err)
	}
	r, err := gitrev.ParseRange(ctx, dir, gitSpec)
	if err != nil {
		return side{}, side{}, fmt.Errorf("--git: %w", err)
	}
	baseRes, baseMissing, err := gitrev.Read(ctx, dir, r.Base, args, read)
	if err != nil {
		return side{}, side{}, fmt.Errorf("--git: %w", err)
	}
	base := side{label: gitrev.Short(r.Base), read: func() *harness.Input { return harness.InputOf(baseRes) }}
	var head side
	var headMissing []string
	if r.Head == "" {
		head = side{label: "working tree", read: func() *harness.Input { return harness.ReadWith(ctx, read, args, nil) }}
		for _, a := range args {
			if _, err := os.Stat(a); err != nil {
				headMissing = append(headMissing, a)
			}
		}
	} else {
		headRes, missing, err := gitrev.Read(ctx, dir, r.Head, args, read)
		if err != nil {
			return side{}, side{}, fmt.Errorf("--git: %w", err)
		}
		head = side{label: gitrev.Short(r.Head), read: func() *harness.Input { return harness.InputOf(headRes) }}
		headMissing = missing
	}
	// A path one version lacks was added or removed; one both lack is a mistake.
	for _, p := range baseMissing {
		for _, q := range headMissing {
			if p == q {
				return side{}, side{}, fmt.Errorf("--git: %s is in neither %s nor %s", p, base.label, head.label)
			}
		}
	}
	return base, head, nil
}
