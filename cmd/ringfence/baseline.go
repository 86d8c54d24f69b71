package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/spf13/pflag"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/baseline"
)

// baselineFlags are --baseline and --write-baseline, of the commands that evaluate the
// rules; the baseline read is kept for the report.
type baselineFlags struct {
	read  string
	write string
	old   *baseline.File
}

func (bf *baselineFlags) register(f *pflag.FlagSet) {
	f.StringVar(&bf.read, "baseline", "", "report only findings this baseline file does not accept, count the accepted ones, and list its stale entries; --fail-on looks at the new findings only")
	f.StringVar(&bf.write, "write-baseline", "", "record the findings of this run (after exemptions, and all of them even with --baseline) in this baseline file")
}

// load reads the --baseline file, before anything is evaluated: a baseline that cannot
// be read is a usage error.
func (bf *baselineFlags) load() error {
	if bf.read == "" {
		return nil
	}
	data, err := os.ReadFile(bf.read)
	if err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	b, err := baseline.Parse(data)
	if err != nil {
		return fmt.Errorf("--baseline %s: %w", bf.read, err)
	}
	bf.old = b
	return nil
}

// apply writes the --write-baseline file from every finding of rep, then takes out of
// rep what the --baseline file accepts. Stale entries are those of the baseline that
// inScope says the run could have seen (nil: all).
func (bf *baselineFlags) apply(rep *harness.Report, inScope func(baseline.Object) bool) error {
	if bf.write != "" {
		if err := writeBaseline(bf.write, baseline.Build(toolVersion(), rep.Findings)); err != nil {
			return err
		}
	}
	if bf.old == nil {
		return nil
	}
	baseline.Apply(rep, bf.old, bf.read)
	if inScope != nil {
		rep.Baseline.Stale = slices.DeleteFunc(rep.Baseline.Stale, func(e baseline.Entry) bool { return !inScope(e.Object) })
	}
	return nil
}

// writeBaseline replaces name with b, or leaves it as it was when writing fails.
func writeBaseline(name string, b *baseline.File) error {
	var buf bytes.Buffer
	if err := baseline.Write(&buf, b); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".ringfence-baseline-*")
	if err != nil {
		return fmt.Errorf("--write-baseline %s: %w", name, err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("--write-baseline %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("--write-baseline %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("--write-baseline %s: %w", name, err)
	}
	return nil
}

// toolVersion names this program and its module version, when the build recorded one.
func toolVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return "ringfence " + info.Main.Version
	}
	return "ringfence"
}

// namespaceScope is what an audit limited to namespace ns sees: its objects and the
// Namespace itself (nil for every namespace).
func namespaceScope(ns string) func(baseline.Object) bool {
	if ns == "" {
		return nil
	}
	return func(o baseline.Object) bool {
		return o.Namespace == ns || (o.Group == "" && o.Kind == "Namespace" && o.Namespace == "" && o.Name == ns)
	}
}
