// Command cilium-oracle evaluates flows against Cilium's own policy engine.
//
// It reads JSON on stdin: one Input object, or an array of Inputs, and writes
// one Output object, or an array of Outputs in the same order, on stdout (see
// package oracle for the protocol). Errors go to stderr, with exit status 1.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ringfence/ringfence/internal/difftest/cilium/oracle"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cilium-oracle:", err)
		os.Exit(1)
	}
}

func run(r io.Reader, w io.Writer) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	var result any
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var ins []oracle.Input
		if err := json.Unmarshal(data, &ins); err != nil {
			return fmt.Errorf("decoding inputs: %w", err)
		}
		outs, err := oracle.EvaluateAll(ins)
		if err != nil {
			return err
		}
		result = outs
	} else {
		var in oracle.Input
		if err := json.Unmarshal(data, &in); err != nil {
			return fmt.Errorf("decoding input: %w", err)
		}
		out, err := oracle.Evaluate(in)
		if err != nil {
			return err
		}
		result = out
	}
	bw := bufio.NewWriter(w)
	if err := json.NewEncoder(bw).Encode(result); err != nil {
		return err
	}
	return bw.Flush()
}
