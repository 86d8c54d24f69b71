// Package bundle builds, signs, verifies and inspects OPA bundles of ringfence's rules
// with OPA's own bundle package: the tarball is laid out as `opa build -b` lays out a
// policy directory, and any OPA (opa run, the bundle plugin, conftest) can load it.
//
// A bundle holds every .rego module of the policy tree at its path in the tree, and
// data.json with data.ringfence.catalog and data.ringfence.dispatch (the rule ids and
// the kind dispatch table the entry point data.ringfence.main reads) and, when given,
// data.ringfence.config. Its .manifest owns the root "ringfence" and lists every rule.
package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/config"
)

// Root is the data and package root every ringfence bundle owns.
const Root = "ringfence"

// BuildOptions says what goes into a bundle.
type BuildOptions struct {
	// Policies is the policy tree (policies.FS for the embedded rules).
	Policies fs.FS
	// PolicyDir is the directory Policies was read from, where `git describe` runs when
	// no revision is given; empty for the embedded rules.
	PolicyDir string
	// Manifest is the contents of bundle.manifest: roots, rego_version and metadata.
	// Empty means roots ["ringfence"] and Rego v1.
	Manifest []byte
	// Revision overrides the revision; empty means `git describe` in PolicyDir, else a
	// hash of the bundle's contents.
	Revision string
	// Config, when set, is written to data.ringfence.config so an OPA server applies its
	// exemptions and parameters.
	Config *config.Config
}

// RuleSummary is what the manifest says about each rule.
type RuleSummary struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
}

// Build compiles the policy tree (with ringfence's capabilities: a rule calling a
// forbidden built-in fails the build), checks every rule's metadata, and returns the
// bundle.
func Build(ctx context.Context, opts BuildOptions) (*opabundle.Bundle, error) {
	if opts.Policies == nil {
		return nil, errors.New("bundle: no policies")
	}
	compiler, err := harness.Compile(opts.Policies)
	if err != nil {
		return nil, err
	}
	rules, err := catalog.FromCompiler(compiler)
	if err != nil {
		return nil, fmt.Errorf("rule metadata: %w", err)
	}
	manifest, err := parseManifest(opts.Manifest)
	if err != nil {
		return nil, err
	}

	b := &opabundle.Bundle{Manifest: manifest}
	for _, name := range sortedKeys(compiler.Modules) {
		raw, err := fs.ReadFile(opts.Policies, name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		parsed, err := ast.ParseModuleWithOpts(name, string(raw), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		path := "/" + name
		b.Modules = append(b.Modules, opabundle.ModuleFile{URL: path, Path: path, RelativePath: path, Raw: raw, Parsed: parsed})
	}

	var cfg map[string]any
	if opts.Config != nil {
		if err := opts.Config.Validate(harness.RuleInfos(rules)); err != nil {
			return nil, fmt.Errorf("invalid config: %w", err)
		}
		if cfg, err = opts.Config.Data(); err != nil {
			return nil, err
		}
	}
	ringfence := harness.PolicyData(rules, rules, cfg)
	// Round-trip through JSON so the data is what data.json will hold.
	data, err := jsonValue(map[string]any{Root: ringfence})
	if err != nil {
		return nil, fmt.Errorf("encoding bundle data: %w", err)
	}
	b.Data = data.(map[string]any)

	summaries := make([]RuleSummary, 0, len(rules))
	for _, r := range rules {
		summaries = append(summaries, RuleSummary{ID: r.ID, Title: r.Title, Severity: r.Severity})
	}
	listed, err := jsonValue(summaries)
	if err != nil {
		return nil, fmt.Errorf("encoding rule list: %w", err)
	}
	if b.Manifest.Metadata == nil {
		b.Manifest.Metadata = map[string]any{}
	}
	b.Manifest.Metadata["rules"] = listed

	switch {
	case opts.Revision != "":
		b.Manifest.Revision = opts.Revision
	default:
		rev, err := gitDescribe(ctx, opts.PolicyDir)
		if err != nil {
			rev, err = contentHash(b)
			if err != nil {
				return nil, err
			}
		}
		b.Manifest.Revision = rev
	}
	return b, nil
}

// parseManifest reads bundle.manifest the way OPA reads .manifest, and checks that it
// owns the ringfence root the rules and data live under.
func parseManifest(raw []byte) (opabundle.Manifest, error) {
	var m opabundle.Manifest
	if len(bytes.TrimSpace(raw)) == 0 {
		// Not AddRoot: it starts from the root "" that owns everything.
		m.Roots = &[]string{Root}
		m.SetRegoVersion(ast.RegoV1)
		return m, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("reading bundle manifest: %w", err)
	}
	if m.Roots == nil || !opabundle.RootPathsContain(*m.Roots, Root) {
		return m, fmt.Errorf("bundle manifest: roots must contain %q, which holds the rules and their data", Root)
	}
	if m.RegoVersion == nil {
		m.SetRegoVersion(ast.RegoV1)
	} else if *m.RegoVersion != ast.RegoV1.Int() {
		return m, fmt.Errorf("bundle manifest: rego_version %d, but the rules are Rego v1", *m.RegoVersion)
	}
	return m, nil
}

// gitDescribe names the commit the policy directory is at, as `git describe` does.
func gitDescribe(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no policy directory")
	}
	cmd := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git describe: %w", err)
	}
	rev := strings.TrimSpace(string(out))
	if rev == "" {
		return "", errors.New("git describe printed nothing")
	}
	return rev, nil
}

// contentHash is a revision that changes whenever a module or the data does.
func contentHash(b *opabundle.Bundle) (string, error) {
	h := sha256.New()
	for _, m := range b.Modules {
		fmt.Fprintf(h, "%s\x00%d\x00", m.Path, len(m.Raw))
		h.Write(m.Raw)
	}
	data, err := json.Marshal(b.Data) // map keys are sorted
	if err != nil {
		return "", fmt.Errorf("hashing bundle data: %w", err)
	}
	h.Write(data)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// Write writes b as a .tar.gz bundle.
func Write(w io.Writer, b *opabundle.Bundle) error {
	if err := opabundle.NewWriter(w).Write(*b); err != nil {
		return fmt.Errorf("writing bundle: %w", err)
	}
	return nil
}

// Read reads a bundle without verifying its signature (see Verify); the signature, if
// any, is kept in Signatures, for Describe or to be replaced by Sign.
func Read(r io.Reader) (*opabundle.Bundle, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	b, err := opabundle.NewReader(bytes.NewReader(raw)).
		WithSkipBundleVerification(true).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotations(true).
		Read()
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	// OPA's reader drops the signatures when it skips verification.
	sigs, err := readSignatures(raw)
	if err != nil {
		return nil, err
	}
	b.Signatures = sigs
	return &b, nil
}

// readSignatures reads the .signatures.json file at the bundle's root, if any.
func readSignatures(raw []byte) (opabundle.SignaturesConfig, error) {
	var sc opabundle.SignaturesConfig
	loader := opabundle.NewTarballLoader(bytes.NewReader(raw))
	for {
		f, err := loader.NextFile()
		if errors.Is(err, io.EOF) {
			return sc, nil
		}
		if err != nil {
			return sc, fmt.Errorf("reading bundle: %w", err)
		}
		if strings.TrimPrefix(f.Path(), "/") != ".signatures.json" {
			f.Close()
			continue
		}
		var buf bytes.Buffer
		_, err = f.Read(&buf, maxSignaturesSize)
		f.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return sc, fmt.Errorf("reading .signatures.json: %w", err)
		}
		if err := json.Unmarshal(buf.Bytes(), &sc); err != nil {
			return sc, fmt.Errorf(".signatures.json: %w", err)
		}
		return sc, nil
	}
}

// maxSignaturesSize bounds how much of .signatures.json is read.
const maxSignaturesSize = 1 << 20

// Rules returns the rule list the manifest carries.
func Rules(b *opabundle.Bundle) ([]RuleSummary, error) {
	raw, ok := b.Manifest.Metadata["rules"]
	if !ok {
		return nil, nil
	}
	enc, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("manifest rules: %w", err)
	}
	var out []RuleSummary
	if err := json.Unmarshal(enc, &out); err != nil {
		return nil, fmt.Errorf("manifest rules: %w", err)
	}
	return out, nil
}

// jsonValue converts v to the generic value encoding/json would decode it to.
func jsonValue(v any) (any, error) {
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(enc, &out)
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
