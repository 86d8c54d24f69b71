// Command readfloor only reads manifests, the floor that make bench times ringfence
// against: it walks the directories given, splits every .yaml, .yml and .json file into
// documents at "---" lines and unmarshals each with sigs.k8s.io/yaml, on one thread, and
// prints how many documents it read.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: readfloor DIR...")
		os.Exit(2)
	}
	docs := 0
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
			default:
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n, err := readDocuments(data)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			docs += n
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "readfloor:", err)
			os.Exit(1)
		}
	}
	fmt.Println(docs, "documents")
}

// readDocuments splits data at "---" lines and unmarshals every non-empty document.
func readDocuments(data []byte) (int, error) {
	n := 0
	var doc bytes.Buffer
	flush := func() error {
		defer doc.Reset()
		if len(bytes.TrimSpace(doc.Bytes())) == 0 {
			return nil
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc.Bytes(), &obj); err != nil {
			return err
		}
		if obj != nil {
			n++
		}
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.Equal(bytes.TrimRight(line, " \t\r"), []byte("---")) {
			if err := flush(); err != nil {
				return n, err
			}
			continue
		}
		doc.Write(line)
		doc.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	return n, flush()
}
