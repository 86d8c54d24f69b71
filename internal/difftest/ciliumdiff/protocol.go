package ciliumdiff

import (
	"encoding/json"

	"github.com/ringfence/ringfence/internal/ciliumgen"
)

// The JSON protocol of cilium-oracle (internal/difftest/cilium/oracle): it reads one
// oracleInput, or an array of them, on stdin and writes one oracleOutput, or an array in
// the same order, on stdout.

type oracleInput struct {
	Namespaces []oracleNamespace `json:"namespaces"`
	Endpoints  []oracleEndpoint  `json:"endpoints"`
	Policies   []json.RawMessage `json:"policies"`
	Flows      []oracleFlow      `json:"flows"`
}

type oracleNamespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// oracleEndpoint is a pod; Name is "<namespace>/<name>".
type oracleEndpoint struct {
	Name           string            `json:"name"`
	Namespace      string            `json:"namespace"`
	Labels         map[string]string `json:"labels,omitempty"`
	ServiceAccount string            `json:"serviceAccount,omitempty"`
	Ports          []ciliumgen.Port  `json:"ports,omitempty"`
}

// oraclePeer is an endpoint by name or an IP address.
type oraclePeer struct {
	Endpoint string `json:"endpoint,omitempty"`
	IP       string `json:"ip,omitempty"`
}

type oracleFlow struct {
	From     oraclePeer `json:"from"`
	To       oraclePeer `json:"to"`
	Port     int32      `json:"port"`
	Protocol string     `json:"protocol"`
}

// oracleOutput has one verdict per flow; Refused lists the policies Cilium would not
// import, as "<kind>/<namespace>/<name>: <reason>".
type oracleOutput struct {
	Verdicts []oracleVerdict `json:"verdicts"`
	Refused  []string        `json:"refused"`
}

// oracleVerdict is "allow", "deny", or "" for the side that is an IP address.
type oracleVerdict struct {
	Egress  string `json:"egress"`
	Ingress string `json:"ingress"`
}
