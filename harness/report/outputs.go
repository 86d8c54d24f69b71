package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ringfence/ringfence/harness"
)

// Output is where one report goes: a format, and the file to write ("" for standard
// output). F is the formats' type: Format for evaluation reports, or another command's
// own (such as diff's).
type Output[F any] struct {
	Format string
	File   string
	format F
}

// ParseOutputs reads output specifications, each FORMAT (standard output) or
// FORMAT=FILE, with lookup (For, or one that configures formats) giving each format. It
// rejects unknown formats, an empty FILE, more than one format for standard output and
// a file named twice, so that usage errors surface before any work is done.
func ParseOutputs[F any](specs []string, lookup func(string) (F, error)) ([]Output[F], error) {
	var outs []Output[F]
	stdout := ""
	files := map[string]string{}
	for _, spec := range specs {
		name, file, toFile := strings.Cut(spec, "=")
		f, err := lookup(name)
		if err != nil {
			return nil, fmt.Errorf("--output %q: %w", spec, err)
		}
		switch {
		case toFile && file == "":
			return nil, fmt.Errorf("--output %q: want FORMAT or FORMAT=FILE, with a file name after =", spec)
		case !toFile && stdout != "":
			return nil, fmt.Errorf("--output %q: %s already goes to standard output; send the others to files with FORMAT=FILE", spec, stdout)
		case !toFile:
			stdout = name
		default:
			clean := filepath.Clean(file)
			if other, dup := files[clean]; dup {
				return nil, fmt.Errorf("--output %q: %s is already written by --output %q", spec, file, other)
			}
			files[clean] = spec
		}
		outs = append(outs, Output[F]{Format: name, File: file, format: f})
	}
	return outs, nil
}

// Outputs are outputs opened for writing: their files created (or truncated) up front,
// so that a file that cannot be written is a usage error before the evaluation.
type Outputs[F any] struct {
	outs   []Output[F]
	files  []*os.File // by index into outs; nil for standard output
	stdout io.Writer
}

// Open creates the outputs' files; the reports for standard output go to stdout. On
// error, the files opened so far are closed again.
func Open[F any](outs []Output[F], stdout io.Writer) (*Outputs[F], error) {
	o := &Outputs[F]{outs: outs, files: make([]*os.File, len(outs)), stdout: stdout}
	for i, out := range outs {
		if out.File == "" {
			continue
		}
		f, err := os.Create(out.File)
		if err != nil {
			_ = o.Close()
			return nil, fmt.Errorf("--output %s=%s: %w", out.Format, out.File, err)
		}
		o.files[i] = f
	}
	return o, nil
}

// Of writes r in a Format: what Outputs.Write takes for evaluation reports.
func Of(r *harness.Report) func(Format, io.Writer) error {
	return func(f Format, w io.Writer) error { return f.Report(w, r) }
}

// Write writes the report with write in every output's format, to its file or standard
// output, and closes the files. It writes all it can; the error names every output that
// failed.
func (o *Outputs[F]) Write(write func(F, io.Writer) error) error {
	var errs []error
	for i, out := range o.outs {
		w := o.stdout
		if f := o.files[i]; f != nil {
			w = f
		}
		if err := write(out.format, w); err != nil {
			errs = append(errs, o.describe(out, err))
		}
		if f := o.files[i]; f != nil {
			o.files[i] = nil
			if err := f.Close(); err != nil {
				errs = append(errs, o.describe(out, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (o *Outputs[F]) describe(out Output[F], err error) error {
	if out.File == "" {
		return fmt.Errorf("writing the %s report: %w", out.Format, err)
	}
	return fmt.Errorf("writing the %s report to %s: %w", out.Format, out.File, err)
}

// Close closes the files Write has not: those of a run that ended before its report.
func (o *Outputs[F]) Close() error {
	var errs []error
	for i, f := range o.files {
		if f != nil {
			o.files[i] = nil
			if err := f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s: %w", f.Name(), err))
			}
		}
	}
	return errors.Join(errs...)
}
