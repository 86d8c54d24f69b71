// Package load reads Kubernetes manifests from files, directories and standard input.
//
// It splits multi-document YAML, expands List documents, and turns every document that
// cannot become an object into a located Error instead of failing the whole input: a
// broken document costs only itself.
package load

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// StdinName is the file name that stands for standard input, in paths and in sources.
const StdinName = "-"

// Source locates an object in its input: the file, the document's index among the
// file's non-empty documents (from 0), and the line where the object starts (from 1).
type Source struct {
	File     string `json:"file"`
	Document int    `json:"document"`
	Line     int    `json:"line"`
}

// Document is one Kubernetes object read from the input, with where it came from.
type Document struct {
	Source Source
	Object map[string]any
}

// Error is input that could not be turned into an object, located like a Source.
type Error struct {
	File     string `json:"file"`
	Document int    `json:"document"`
	Line     int    `json:"line"`
	Message  string `json:"message"`
}

// Err locates msg at s: the error for the object read from there.
func (s Source) Err(msg string) Error {
	return Error{File: s.File, Document: s.Document, Line: s.Line, Message: msg}
}

func (e Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: document %d, line %d: %s", e.File, e.Document, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// Result is everything read from the input: the objects, and the located errors.
type Result struct {
	Documents []Document
	Errors    []Error
}

func (r *Result) append(o Result) {
	r.Documents = append(r.Documents, o.Documents...)
	r.Errors = append(r.Errors, o.Errors...)
}

// IsManifest reports whether a file found while walking a directory is read as a manifest.
func IsManifest(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Paths reads every path in order: files as given, directories recursively (only
// .yaml, .yml and .json files, in lexical order), and "-" from stdin. Files are parsed
// concurrently; the result keeps the order of the input.
func Paths(ctx context.Context, paths []string, stdin io.Reader) Result {
	var res Result
	var files []string
	for _, p := range paths {
		if p == StdinName {
			files = append(files, p)
			continue
		}
		found, errs := expand(p)
		files = append(files, found...)
		res.Errors = append(res.Errors, errs...)
	}

	results := make([]Result, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = readFile(files[i], stdin)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			results[i] = Result{Errors: []Error{{File: files[i], Message: ctx.Err().Error()}}}
			continue
		}
		work <- i
	}
	close(work)
	wg.Wait()
	for _, r := range results {
		res.append(r)
	}
	return res
}

// expand turns a path into the manifest files it names.
func expand(path string) ([]string, []Error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, []Error{{File: path, Message: describeFSError(err)}}
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	var errs []Error
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, Error{File: p, Message: describeFSError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && IsManifest(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, Error{File: path, Message: describeFSError(err)})
	}
	return files, errs
}

func describeFSError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Sprintf("cannot read: %v", pe.Err)
	}
	return fmt.Sprintf("cannot read: %v", err)
}

func readFile(name string, stdin io.Reader) Result {
	var data []byte
	var err error
	if name == StdinName {
		if stdin == nil {
			return Result{Errors: []Error{{File: name, Message: "standard input is not available"}}}
		}
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return Result{Errors: []Error{{File: name, Message: describeFSError(err)}}}
	}
	return Bytes(name, data)
}
