package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"
)

// maxListDepth bounds how deep Lists inside Lists are expanded.
const maxListDepth = 4

// chunk is the text of one YAML document and the line of the file it starts on.
type chunk struct {
	text      string
	startLine int // file line of the chunk's first line, from 1
}

// Bytes parses the contents of one file: every non-empty document becomes objects or a
// located error.
func Bytes(name string, data []byte) Result {
	var res Result
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	index := 0
	for _, c := range split(text) {
		first := firstContentLine(c.text)
		if first == 0 {
			continue // empty or comments only
		}
		line := c.startLine + first - 1
		docs, errs, empty := parseDocument(name, index, line, c)
		if empty {
			continue // "null" or "~": nothing to evaluate, like an empty document
		}
		res.Documents = append(res.Documents, docs...)
		res.Errors = append(res.Errors, errs...)
		index++
	}
	return res
}

// split cuts text into YAML documents at "---" and "..." marker lines. The text after a
// "---" on the same line belongs to the next document.
func split(text string) []chunk {
	lines := strings.SplitAfter(text, "\n")
	var chunks []chunk
	var cur strings.Builder
	start := 1
	flush := func(next int) {
		chunks = append(chunks, chunk{text: cur.String(), startLine: start})
		cur.Reset()
		start = next
	}
	for i, l := range lines {
		lineNo := i + 1
		body := strings.TrimRight(l, "\n")
		switch {
		case isMarker(body, "---"):
			flush(lineNo)
			// Keep the line so columns and line numbers stay right; blank out the marker.
			cur.WriteString("   " + strings.TrimPrefix(l, "---"))
		case isMarker(body, "..."):
			flush(lineNo + 1)
		case strings.HasPrefix(body, "%") && firstContentLine(cur.String()) == 0:
			cur.WriteString("\n") // a directive before the document starts
		default:
			cur.WriteString(l)
		}
	}
	flush(0)
	return chunks
}

func isMarker(line, marker string) bool {
	if !strings.HasPrefix(line, marker) {
		return false
	}
	rest := line[len(marker):]
	return rest == "" || rest[0] == ' ' || rest[0] == '\t'
}

// firstContentLine returns the 1-based line of the first line that is neither blank nor
// a comment, or 0 when there is none.
func firstContentLine(text string) int {
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		n++
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			return n
		}
	}
	return 0
}

// lastContentLine returns the 1-based line of the last line that is neither blank nor a
// comment, or 0 when there is none.
func lastContentLine(text string) int {
	n, last := 0, 0
	for l := range strings.SplitSeq(text, "\n") {
		n++
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			last = n
		}
	}
	return last
}

// lineContaining returns the 1-based line of the first line containing s, or 0.
func lineContaining(text, s string) int {
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		n++
		if strings.Contains(l, s) {
			return n
		}
	}
	return 0
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseDocument turns one chunk into objects or errors; empty reports a document that is
// only a null.
func parseDocument(file string, index, line int, c chunk) (docs []Document, errs []Error, empty bool) {
	fail := func(at int, format string, args ...any) ([]Document, []Error, bool) {
		return nil, []Error{{File: file, Document: index, Line: at, Message: fmt.Sprintf(format, args...)}}, false
	}
	v, err := decodeYAML([]byte(c.text))
	var invalidJSON errInvalidJSON
	if errors.As(err, &invalidJSON) {
		return fail(line, "invalid document: %v", invalidJSON.err)
	}
	if err != nil {
		at := line
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			// The parser's line is approximate (often the enclosing block); keep it inside
			// the document, from its first content line (line) to its last.
			if n, convErr := strconv.Atoi(m[1]); convErr == nil {
				at = min(max(c.startLine+n-1, line), c.startLine+lastContentLine(c.text)-1)
			}
			msg = strings.Replace(msg, m[0]+": ", "", 1)
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if strings.HasPrefix(msg, "invalid map key") {
			// An unquoted {{ ... }} parses as a mapping used as a key: a template.
			msg = "a mapping is used as a key (an unrendered template expression such as {{ ... }}?)"
			if n := lineContaining(c.text, "{{"); n > 0 {
				at = c.startLine + n - 1
			}
		}
		return fail(at, "invalid YAML: %s", msg)
	}
	if v == nil {
		return nil, nil, true
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fail(line, "document is %s, not a Kubernetes object", describe(v))
	}
	var itemLines []int
	if isList(obj) {
		itemLines = listItemLines(c)
	}
	docs, errs = expandObject(file, index, line, obj, itemLines, c.startLine, 0)
	return docs, errs, false
}

// expandObject checks obj and, when it is a List, returns its items instead.
func expandObject(file string, index, line int, obj map[string]any, itemLines []int, startLine, depth int) ([]Document, []Error) {
	src := Source{File: file, Document: index, Line: line}
	if msg := missingTypeMeta(obj); msg != "" {
		return nil, []Error{{File: file, Document: index, Line: line, Message: msg}}
	}
	if !isList(obj) {
		return []Document{{Source: src, Object: obj}}, nil
	}
	if depth >= maxListDepth {
		return nil, []Error{{File: file, Document: index, Line: line, Message: fmt.Sprintf("List nested more than %d deep", maxListDepth)}}
	}
	items := obj["items"].([]any)
	listKind := obj["kind"].(string)
	var docs []Document
	var errs []Error
	for i, it := range items {
		at := line
		if i < len(itemLines) && depth == 0 {
			at = startLine + itemLines[i] - 1
		}
		item, ok := it.(map[string]any)
		if !ok {
			errs = append(errs, Error{File: file, Document: index, Line: at, Message: fmt.Sprintf("%s item %d is %s, not a Kubernetes object", listKind, i, describe(it))})
			continue
		}
		// Typed lists (PodList) from the API omit apiVersion and kind on their items.
		if listKind != "List" {
			if _, ok := item["kind"]; !ok {
				item["kind"] = strings.TrimSuffix(listKind, "List")
			}
			if _, ok := item["apiVersion"]; !ok {
				item["apiVersion"] = obj["apiVersion"]
			}
		}
		d, e := expandObject(file, index, at, item, nil, startLine, depth+1)
		for k := range e {
			e[k].Message = fmt.Sprintf("%s item %d: %s", listKind, i, e[k].Message)
		}
		docs = append(docs, d...)
		errs = append(errs, e...)
	}
	return docs, errs
}

// isList reports whether obj is a kind: List or a typed *List with an items array.
func isList(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	_, hasItems := obj["items"].([]any)
	return hasItems && strings.HasSuffix(kind, "List")
}

func missingTypeMeta(obj map[string]any) string {
	for _, key := range []string{"apiVersion", "kind"} {
		s, ok := obj[key].(string)
		if !ok || s == "" {
			if _, present := obj[key]; present {
				return fmt.Sprintf("%s must be a non-empty string", key)
			}
			return fmt.Sprintf("document has no %s", key)
		}
	}
	return ""
}

// listItemLines returns the line (within the chunk) of each item of a List document.
func listItemLines(c chunk) []int {
	var root yamlv3.Node
	if err := yamlv3.Unmarshal([]byte(c.text), &root); err != nil || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yamlv3.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "items" && m.Content[i+1].Kind == yamlv3.SequenceNode {
			var lines []int
			for _, item := range m.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}

func describe(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
