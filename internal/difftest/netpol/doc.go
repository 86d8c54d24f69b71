// Package netpol holds the differential tests of ringfence's NetworkPolicy model
// (harness/netmodel) against cyclonus's matcher. It lives in its own module so the
// reference implementations and their dependencies never reach ringfence's go.mod.
package netpol
