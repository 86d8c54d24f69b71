// Package baseline records the findings of a run so that later runs report only new ones.
//
// A baseline file accepts findings by fingerprint: the rule, the object's identity (API
// group, kind, the namespace the API server would put it in, name), the field and the
// message with its whitespace collapsed. Nothing about where the object was found (file,
// document, line) is part of it, so reformatting, moving, renaming or splitting files
// keeps findings accepted. Identical objects in two files give identical fingerprints,
// so a baseline counts the occurrences of each fingerprint: a third copy is new.
//
// The functions are pure: Build makes a File from findings, Write and Parse turn it into
// bytes and back, Check splits findings into the accepted and the new.
package baseline

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/inventory"
)

// Version is the version of the file format this package writes and reads.
const Version = 1

// Entry is one accepted fingerprint with the parts it is made of and its count.
type Entry = harness.BaselineEntry

// Object is an object's identity as a fingerprint sees it.
type Object = harness.BaselineObject

// File is a baseline: the findings a run accepted.
type File struct {
	// Version is the file format's version, Version.
	Version int `json:"version"`
	// Tool names the program that wrote the file, with its version when known.
	Tool string `json:"tool,omitempty"`
	// Entries are sorted by rule, object, field and message; each fingerprint occurs
	// once, with the number of findings that have it.
	Entries []Entry `json:"entries"`
}

// ObjectOf returns the identity a fingerprint uses for ref: the API group instead of
// the apiVersion (the same object read through another version stays the same), and the
// namespace the API server would put it in: none for the well-known cluster-scoped
// kinds, "default" for other objects that name none. A custom cluster-scoped kind is
// not known here and so also lands in "default" when it names no namespace, which is
// stable from run to run.
func ObjectOf(ref harness.ObjectRef) Object {
	ns := ref.Namespace
	switch {
	case inventory.WellKnownClusterScoped(ref.APIVersion, ref.Kind):
		ns = ""
	case ns == "":
		ns = inventory.DefaultNamespace
	}
	return Object{Group: inventory.Group(ref.APIVersion), Kind: ref.Kind, Namespace: ns, Name: ref.Name}
}

// NormalizeMessage collapses every run of whitespace to one space and trims the ends.
// Messages name objects and fields, never files or lines, so nothing else in them
// depends on how the manifests are laid out.
func NormalizeMessage(msg string) string { return strings.Join(strings.Fields(msg), " ") }

// Fingerprint identifies a finding across runs: a hash of its rule, object identity,
// field and message, written as 16 hexadecimal digits. The arguments are taken as they
// are; EntryOf normalises a finding first.
func Fingerprint(rule string, obj Object, field, message string) string {
	h := sha256.New()
	for _, part := range []string{"ringfence-baseline-v1", rule, obj.Group, obj.Kind, obj.Namespace, obj.Name, field, message} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// EntryOf returns the entry of one finding (count 1).
func EntryOf(f harness.Finding) Entry {
	obj := ObjectOf(f.Object)
	msg := NormalizeMessage(f.Message)
	return Entry{Fingerprint: Fingerprint(f.Rule, obj, f.Field, msg), Rule: f.Rule, Object: obj, Field: f.Field, Message: msg, Count: 1}
}

// Build returns the baseline that accepts exactly findings. tool names the program
// writing it ("" for none).
func Build(tool string, findings []harness.Finding) *File {
	byPrint := map[string]*Entry{}
	for _, f := range findings {
		e := EntryOf(f)
		if old, ok := byPrint[e.Fingerprint]; ok {
			old.Count++
			continue
		}
		byPrint[e.Fingerprint] = &e
	}
	entries := make([]Entry, 0, len(byPrint))
	for _, e := range byPrint {
		entries = append(entries, *e)
	}
	sortEntries(entries)
	return &File{Version: Version, Tool: tool, Entries: entries}
}

func sortEntries(entries []Entry) {
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Object.Namespace, b.Object.Namespace), cmp.Compare(a.Object.Kind, b.Object.Kind),
			cmp.Compare(a.Object.Name, b.Object.Name), cmp.Compare(a.Object.Group, b.Object.Group),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
}

// Write writes b as JSON with one entry per line, so that accepting or fixing a finding
// changes one line of the file when it is kept in a repository.
func Write(w io.Writer, b *File) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	line := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encoding baseline: %w", err)
		}
		buf.Truncate(buf.Len() - 1) // Encode ends each value with a newline
		return nil
	}
	buf.WriteString("{\n  \"version\": ")
	if err := line(b.Version); err != nil {
		return err
	}
	if b.Tool != "" {
		buf.WriteString(",\n  \"tool\": ")
		if err := line(b.Tool); err != nil {
			return err
		}
	}
	buf.WriteString(",\n  \"entries\": [")
	for i, e := range b.Entries {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		if err := line(e); err != nil {
			return err
		}
	}
	if len(b.Entries) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing baseline: %w", err)
	}
	return nil
}

// Parse reads a baseline file. It rejects unknown fields, other versions, entries whose
// fingerprint does not match their parts (edited by hand), repeated fingerprints and
// counts below 1.
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("not a baseline file: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not a baseline file: more than one JSON value")
	}
	if b.Version != Version {
		return nil, fmt.Errorf("baseline version %d: this ringfence reads version %d", b.Version, Version)
	}
	seen := make(map[string]bool, len(b.Entries))
	for i, e := range b.Entries {
		if want := Fingerprint(e.Rule, e.Object, e.Field, e.Message); e.Fingerprint != want {
			return nil, fmt.Errorf("entry %d (%s %s): fingerprint %q does not match its rule, object, field and message (want %q)", i, e.Rule, e.Object.Name, e.Fingerprint, want)
		}
		if seen[e.Fingerprint] {
			return nil, fmt.Errorf("entry %d (%s %s): fingerprint %s repeated", i, e.Rule, e.Object.Name, e.Fingerprint)
		}
		seen[e.Fingerprint] = true
		if e.Count < 1 {
			return nil, fmt.Errorf("entry %d (%s %s): count %d, want 1 or more", i, e.Rule, e.Object.Name, e.Count)
		}
	}
	return &b, nil
}

// Outcome is how a baseline splits findings.
type Outcome struct {
	// New are the findings the baseline does not accept, in their order.
	New []harness.Finding
	// Accepted counts the findings the baseline accepted.
	Accepted int
	// Stale are the entries with occurrences that are gone, each with Count set to the
	// number missing, sorted as in a File; never nil.
	Stale []Entry
}

// Check splits findings by b. Each entry accepts up to its count of findings with its
// fingerprint, the first in the order given; further ones are new.
func Check(b *File, findings []harness.Finding) Outcome {
	left := make(map[string]int, len(b.Entries))
	for _, e := range b.Entries {
		left[e.Fingerprint] += e.Count
	}
	out := Outcome{Stale: []Entry{}}
	for _, f := range findings {
		fp := EntryOf(f).Fingerprint
		if left[fp] > 0 {
			left[fp]--
			out.Accepted++
			continue
		}
		out.New = append(out.New, f)
	}
	for _, e := range b.Entries {
		if n := left[e.Fingerprint]; n > 0 {
			e.Count = n
			left[e.Fingerprint] = 0
			out.Stale = append(out.Stale, e)
		}
	}
	sortEntries(out.Stale)
	return out
}

// Apply checks rep against b, read from file: the accepted findings leave the report,
// which counts them in Summary.Baselined and says what was accepted and what is stale in
// Baseline.
func Apply(rep *harness.Report, b *File, file string) {
	out := Check(b, rep.Findings)
	rep.Findings = out.New
	if rep.Findings == nil {
		rep.Findings = []harness.Finding{}
	}
	rep.Summary.Findings = len(rep.Findings)
	rep.Summary.Baselined = out.Accepted
	rep.Baseline = &harness.BaselineResult{File: file, Accepted: out.Accepted, Stale: out.Stale}
}
