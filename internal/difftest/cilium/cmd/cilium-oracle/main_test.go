package main

import (
	"bytes"
	"strings"
	"testing"
)

const input = `{"namespaces":[{"name":"a"}],
 "endpoints":[{"name":"a/web","namespace":"a","labels":{"app":"web"}},{"name":"a/db","namespace":"a","labels":{"app":"db"}}],
 "policies":[{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"p","namespace":"a"},
   "spec":{"endpointSelector":{"matchLabels":{"app":"db"}},"ingress":[{"fromEndpoints":[{"matchLabels":{"app":"web"}}],"toPorts":[{"ports":[{"port":"5432","protocol":"TCP"}]}]}]}},
  {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"bad","namespace":"a"},"spec":{"endpointSelector":{}}}],
 "flows":[{"from":{"endpoint":"a/web"},"to":{"endpoint":"a/db"},"port":5432,"protocol":"TCP"},
  {"from":{"ip":"8.8.8.8"},"to":{"endpoint":"a/db"},"port":5432,"protocol":"TCP"}]}`

const output = `{"verdicts":[{"egress":"allow","ingress":"allow"},{"egress":"","ingress":"deny"}],` +
	`"refused":["CiliumNetworkPolicy/a/bad: Invalid CiliumNetworkPolicy spec: rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny"]}`

func TestRunOne(t *testing.T) {
	var out bytes.Buffer
	if err := run(strings.NewReader(input), &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != output {
		t.Errorf("got  %s\nwant %s", got, output)
	}
}

func TestRunBatch(t *testing.T) {
	var out bytes.Buffer
	if err := run(strings.NewReader(" ["+input+","+input+"]"), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), "["+output+","+output+"]"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestRunErrors(t *testing.T) {
	for _, in := range []string{
		`{"endpoints":[],"flows":[{"from":{"endpoint":"a/x"},"to":{"ip":"1.2.3.4"},"port":1,"protocol":"TCP"}]}`,
		`{"policies":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]}`,
		`not json`,
	} {
		if err := run(strings.NewReader(in), &bytes.Buffer{}); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}
