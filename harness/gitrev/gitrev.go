// Package gitrev reads manifests as they are in a git revision, with the git program,
// for comparing two revisions of a repository without checking either out.
package gitrev

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ringfence/ringfence/harness/load"
)

// Range is what a revision range names: the revision to compare from, and the one to
// compare to ("" for the working tree).
type Range struct {
	Base, Head string
}

// ParseRange reads a revision range as git diff takes it: "A..B" compares A with B,
// "A...B" the merge base of A and B with B (what a pull request from B into A changes),
// and "A" or "A.." compares A with the working tree. The revisions are resolved in dir
// and returned as commit hashes.
func ParseRange(ctx context.Context, dir, spec string) (Range, error) {
	base, head, threeDot := spec, "", false
	if i := strings.Index(spec, "..."); i >= 0 {
		base, head, threeDot = spec[:i], spec[i+3:], true
	} else if i := strings.Index(spec, ".."); i >= 0 {
		base, head = spec[:i], spec[i+2:]
	}
	if base == "" {
		return Range{}, fmt.Errorf("revision range %q: name the revision to compare from, as in main..HEAD", spec)
	}
	if threeDot && head == "" {
		head = "HEAD"
	}
	var r Range
	var err error
	if r.Base, err = resolve(ctx, dir, base); err != nil {
		return Range{}, err
	}
	if head != "" {
		if r.Head, err = resolve(ctx, dir, head); err != nil {
			return Range{}, err
		}
	}
	if threeDot {
		out, err := git(ctx, dir, nil, "merge-base", r.Base, r.Head)
		if err != nil {
			return Range{}, fmt.Errorf("revision range %q: %w", spec, err)
		}
		r.Base = strings.TrimSpace(string(out))
	}
	return r, nil
}

func resolve(ctx context.Context, dir, rev string) (string, error) {
	out, err := git(ctx, dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("revision %q: not a commit in %s", rev, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

// Short abbreviates a commit hash for people.
func Short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// Read reads the manifests that paths (files or directories, relative to dir, as for a
// scan of the working tree) name in revision rev: their .yaml, .yml and .json files,
// each parsed as load.Bytes parses a file, and named by its path relative to dir, as a
// scan of the working tree from dir names it. A path that names nothing in rev is not an
// error (a change may add or remove it); the names of such paths are returned, for the
// caller to tell a misspelt path from one the change adds.
//
// With read (a renderer's reader), a revision whose paths hold a Helm chart or a
// kustomization is read as the working tree would be: its files under paths are
// written to a temporary directory, read there with read, and named as from dir.
func Read(ctx context.Context, dir, rev string, paths []string, read load.Reader) (load.Result, []string, error) {
	var files []file
	var missing []string
	render := false
	for _, p := range paths {
		// One path at a time, to tell which name nothing; ls-tree names files relative
		// to the working directory, as a scan from there would.
		out, err := git(ctx, dir, nil, "ls-tree", "-r", "-z", "--end-of-options", rev, "--", p)
		if err != nil {
			return load.Result{}, nil, fmt.Errorf("listing %s in %s: %w", p, Short(rev), err)
		}
		found := 0
		for _, entry := range strings.Split(string(out), "\x00") {
			// <mode> SP <type> SP <object> TAB <file>
			meta, name, ok := strings.Cut(entry, "\t")
			fields := strings.Fields(meta)
			if !ok || len(fields) != 3 {
				continue
			}
			found++
			// Regular files only: not symbolic links (120000) or submodules (commit).
			if fields[1] != "blob" || fields[0] == "120000" {
				continue
			}
			base := filepath.Base(name)
			if base == "Chart.yaml" || slices.Contains(load.KustomizationFiles, base) ||
				(name == filepath.Clean(p) && load.IsChartArchive(name)) {
				render = true
			}
			files = append(files, file{name, fields[2], load.IsManifest(name) || name == filepath.Clean(p)})
		}
		if found == 0 {
			missing = append(missing, p)
		}
	}
	if render && read != nil {
		res, err := readRendered(ctx, dir, rev, paths, files, read)
		return res, missing, err
	}
	files = slices.DeleteFunc(files, func(f file) bool { return !f.manifest })
	var res load.Result
	err := catFiles(ctx, dir, rev, files, func(name string, data []byte) error {
		one := load.Bytes(name, data)
		res.Documents = append(res.Documents, one.Documents...)
		res.Errors = append(res.Errors, one.Errors...)
		return nil
	})
	if err != nil {
		return load.Result{}, nil, err
	}
	return res, missing, nil
}

// file is a file of a revision: its name, its blob, and whether a scan reads it as
// manifests.
type file struct {
	name, object string
	manifest     bool
}

// catFiles reads the files' contents with one git cat-file --batch and hands each to
// use, in order.
func catFiles(ctx context.Context, dir, rev string, files []file, use func(name string, data []byte) error) error {
	if len(files) == 0 {
		return nil
	}
	var req bytes.Buffer
	for _, f := range files {
		req.WriteString(f.object + "\n")
	}
	out, err := git(ctx, dir, &req, "cat-file", "--batch")
	if err != nil {
		return fmt.Errorf("reading files of %s: %w", Short(rev), err)
	}
	br := bufio.NewReader(bytes.NewReader(out))
	for _, f := range files {
		data, err := readObject(br, f.object)
		if err != nil {
			return fmt.Errorf("reading %s of %s: %w", f.name, Short(rev), err)
		}
		if err := use(f.name, data); err != nil {
			return err
		}
	}
	return nil
}

// readRendered writes files into a temporary directory, reads paths there with read,
// and names what it read as from dir.
func readRendered(ctx context.Context, dir, rev string, paths []string, files []file, read load.Reader) (load.Result, error) {
	tmp, err := os.MkdirTemp("", "ringfence-rev-")
	if err != nil {
		return load.Result{}, fmt.Errorf("reading %s: %w", Short(rev), err)
	}
	defer os.RemoveAll(tmp)
	err = catFiles(ctx, dir, rev, files, func(name string, data []byte) error {
		// ls-tree names files relative to dir, and may go up from it ("../x").
		p := filepath.Join(tmp, "w", name)
		if !strings.HasPrefix(p, tmp+string(filepath.Separator)) {
			return fmt.Errorf("reading %s of %s: outside the repository", name, Short(rev))
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	})
	if err != nil {
		return load.Result{}, err
	}
	// The working directory sits one level down, so that paths going up from it stay
	// inside the temporary directory.
	root := filepath.Join(tmp, "w")
	in := make([]string, len(paths))
	for i, p := range paths {
		in[i] = filepath.Join(root, p)
		if _, err := os.Stat(in[i]); err != nil {
			in[i] = "" // the path names nothing in rev
		}
	}
	in = slices.DeleteFunc(in, func(p string) bool { return p == "" })
	res := read(ctx, in, nil)
	rel := func(name string) string {
		if r, err := filepath.Rel(root, name); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return name
	}
	for i := range res.Documents {
		s := &res.Documents[i].Source
		s.File = rel(s.File)
		if s.Rendered != nil {
			r := *s.Rendered
			r.From = rel(r.From)
			s.Rendered = &r
		}
	}
	for i := range res.Errors {
		e := &res.Errors[i]
		e.File = rel(e.File)
		e.Message = strings.ReplaceAll(e.Message, root+string(filepath.Separator), "")
	}
	return res, nil
}

// readObject reads one object of git cat-file --batch's output: a header line
// "<object> blob <size>", the contents, and a newline.
func readObject(br *bufio.Reader, object string) ([]byte, error) {
	header, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	fields := strings.Fields(header)
	if len(fields) != 3 || fields[0] != object || fields[1] != "blob" {
		return nil, fmt.Errorf("git cat-file: unexpected %q for %s", strings.TrimSpace(header), object)
	}
	size, err := strconv.Atoi(fields[2])
	if err != nil || size < 0 {
		return nil, fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(br, data); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return data[:size], nil
}

// git runs git in dir and returns its standard output; the error carries its standard
// error.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return nil, fmt.Errorf("git %s: %s", args[0], msg)
			}
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}
