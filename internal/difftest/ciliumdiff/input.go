package ciliumdiff

import (
	"encoding/json"

	"github.com/ringfence/ringfence/internal/ciliumgen"
)

// input is the set as the oracle reads it, with the flows.
func input(s *ciliumgen.Set) oracleInput {
	in := oracleInput{Namespaces: []oracleNamespace{}, Endpoints: []oracleEndpoint{}, Policies: []json.RawMessage{}, Flows: []oracleFlow{}}
	for _, ns := range s.Namespaces {
		in.Namespaces = append(in.Namespaces, oracleNamespace{Name: ns.Name, Labels: ns.Labels})
	}
	for _, p := range s.Pods {
		in.Endpoints = append(in.Endpoints, oracleEndpoint{Name: p.Key(), Namespace: p.Namespace, Labels: p.Labels, ServiceAccount: p.ServiceAccount, Ports: p.Ports})
	}
	for _, p := range s.Policies {
		raw, err := json.Marshal(p)
		if err != nil {
			panic(err)
		}
		in.Policies = append(in.Policies, raw)
	}
	peer := func(end string) oraclePeer {
		if s.IsPod(end) {
			return oraclePeer{Endpoint: end}
		}
		return oraclePeer{IP: end}
	}
	for _, f := range s.Flows() {
		in.Flows = append(in.Flows, oracleFlow{From: peer(f.From), To: peer(f.To), Port: f.Port, Protocol: f.Protocol})
	}
	return in
}
