// Command gen writes the rules' capabilities file: go run ./harness/capabilities/gen > policies/capabilities.json
package main

import (
	"fmt"
	"os"

	"github.com/ringfence/ringfence/harness/capabilities"
)

func main() {
	out, err := capabilities.JSON(capabilities.Generate())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
