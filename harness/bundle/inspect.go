package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"
)

// File is one file in a bundle tarball.
type File struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Info is what `ringfence bundle inspect` reports.
type Info struct {
	Revision    string         `json:"revision"`
	Roots       []string       `json:"roots"`
	RegoVersion *int           `json:"regoVersion,omitempty"`
	Rules       []RuleSummary  `json:"rules"`
	Files       []File         `json:"files"`
	Signature   *SignatureInfo `json:"signature"`
}

// SignatureInfo says whether a bundle is signed, by which key, and whether the key
// given to inspect verified it.
type SignatureInfo struct {
	Signature
	Verified bool   `json:"verified"`
	Error    string `json:"error,omitempty"` // why verification failed
}

// Inspect describes a bundle. With verify set, the signature is also checked with that
// key; a failed check is reported in Info, not as an error.
func Inspect(r io.Reader, verify *VerifyOptions) (*Info, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	files, err := listFiles(raw)
	if err != nil {
		return nil, err
	}
	b, err := Read(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	rules, err := Rules(b)
	if err != nil {
		return nil, err
	}
	info := &Info{Revision: b.Manifest.Revision, RegoVersion: b.Manifest.RegoVersion, Rules: rules, Files: files}
	if b.Manifest.Roots != nil {
		info.Roots = *b.Manifest.Roots
	}
	sig, err := Describe(b)
	if err != nil {
		return nil, err
	}
	if sig != nil {
		info.Signature = &SignatureInfo{Signature: *sig}
		if verify != nil {
			if _, checked, err := Verify(bytes.NewReader(raw), *verify); err != nil {
				info.Signature.Error = err.Error()
			} else {
				info.Signature.Signature = *checked
				info.Signature.Verified = true
			}
		}
	}
	return info, nil
}

// listFiles lists the tarball's files with OPA's tarball loader.
func listFiles(raw []byte) ([]File, error) {
	loader := opabundle.NewTarballLoader(bytes.NewReader(raw))
	var files []File
	for {
		f, err := loader.NextFile()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading bundle: %w", err)
		}
		// Read stops at the end of the file with io.EOF.
		n, err := f.Read(io.Discard, 1<<40)
		f.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading %s: %w", f.Path(), err)
		}
		files = append(files, File{Path: f.Path(), Size: n})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}
