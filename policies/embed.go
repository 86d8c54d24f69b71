// Package policies embeds ringfence's Rego rules and libraries so Go programs get them
// without files on disk.
package policies

import "embed"

// FS holds lib/, main/ and one folder per area, each with its .rego files.
//
//go:embed */*.rego
var FS embed.FS

// Capabilities is capabilities.json: the OPA built-ins rules may call (see
// harness/capabilities, which generates it).
//
//go:embed capabilities.json
var Capabilities []byte
