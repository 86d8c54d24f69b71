package pss_test

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain lets the heap grow to five times what is live between collections (GOGC=400)
// unless GOGC says otherwise: the tests evaluate hundreds of thousands of objects, each
// allocating short-lived values, and with the default the garbage collector took about
// a quarter of the time. A soft memory limit keeps the heap bounded all the same.
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(8 << 30)
	}
	os.Exit(m.Run())
}
