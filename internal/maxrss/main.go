// Command maxrss runs a command and prints on stderr the largest resident set size it
// reached (its own and that of the children it waited for), as make bench reports memory:
//
//	maxrss ringfence test --fail-on none -o json dir/ > /dev/null
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: maxrss COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(2)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// Linux reports ru_maxrss in KiB.
		fmt.Fprintf(os.Stderr, "maxrss: %.0f MiB max RSS, %.2f s wall, %.2f s user, %.2f s system: %s\n",
			float64(ru.Maxrss)/1024, wall.Seconds(),
			time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds(), os.Args[1])
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
