package netgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/harness/segment"
)

// Intent declares connections the manifests cannot show, in the selector vocabulary of
// the segmentation invariants: from and to select workloads of the set (namespaces,
// namespaceSelector, podSelector), or pods outside it, or addresses outside the cluster
// (cidr). Ports are numbers, names, or "8080/UDP"; none means every port.
type Intent struct {
	Name   string            `json:"name"`
	Reason string            `json:"reason,omitempty"`
	From   *segment.Selector `json:"from,omitempty"`
	To     *segment.Selector `json:"to,omitempty"`
	Ports  []IntentPort      `json:"ports,omitempty"`
}

// IntentPort is a port as an intent writes it: 8080, "8080/UDP", "metrics".
type IntentPort struct{ Port }

// UnmarshalJSON reads a number or a string.
func (p *IntentPort) UnmarshalJSON(b []byte) error {
	var n int32
	if err := json.Unmarshal(b, &n); err == nil {
		*p = IntentPort{Port{Port: intstr.FromInt32(n), Protocol: corev1.ProtocolTCP}}
		return p.check()
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a port is a number or a string such as 8080/UDP or metrics, not %s", b)
	}
	port, proto, found := strings.Cut(s, "/")
	p.Protocol = corev1.ProtocolTCP
	if found {
		p.Protocol = corev1.Protocol(strings.ToUpper(proto))
	}
	if n, err := strconv.ParseInt(port, 10, 32); err == nil {
		p.Port.Port = intstr.FromInt32(int32(n))
	} else {
		p.Port.Port = intstr.FromString(port)
	}
	return p.check()
}

func (p IntentPort) check() error {
	switch p.Protocol {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
	default:
		return fmt.Errorf("port %s: the protocol is TCP, UDP or SCTP", p.Port)
	}
	if p.Port.Port.Type == intstr.Int && (p.Port.Port.IntVal < 1 || p.Port.Port.IntVal > 65535) {
		return fmt.Errorf("port %d is not between 1 and 65535", p.Port.Port.IntVal)
	}
	if p.Port.Port.Type == intstr.String && !portName.MatchString(p.Port.Port.StrVal) {
		return fmt.Errorf("port %q is neither a number nor a port name", p.Port.Port.StrVal)
	}
	return nil
}

// Intents is an intents file.
type Intents struct {
	Intents []Intent `json:"intents"`
}

// LoadIntents reads an intents file (YAML or JSON). Unknown fields are errors.
func LoadIntents(file string) ([]Intent, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading intents: %w", err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var in Intents
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if _, err := compileIntents(in.Intents); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return in.Intents, nil
}

type compiledIntent struct {
	Intent
	from, to *segment.Matcher
}

func compileIntents(in []Intent) ([]compiledIntent, error) {
	var out []compiledIntent
	var errs []error
	seen := map[string]bool{}
	for i, it := range in {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("intent %d (%s): %s", i, it.Name, fmt.Sprintf(format, args...)))
		}
		switch {
		case it.Name == "":
			fail("needs a name")
			continue
		case seen[it.Name]:
			fail("the name is used twice")
			continue
		case it.From == nil || it.To == nil:
			fail("needs from and to")
			continue
		case it.From.CIDR != "" && it.To.CIDR != "":
			fail("from and to cannot both be addresses outside the cluster")
			continue
		}
		seen[it.Name] = true
		c := compiledIntent{Intent: it}
		var err error
		if c.from, err = segment.CompileSelector(it.From); err != nil {
			fail("from: %v", err)
			continue
		}
		if c.to, err = segment.CompileSelector(it.To); err != nil {
			fail("to: %v", err)
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// intents adds the connections intents declare: between the workloads of the set their
// selectors match, or, for an end that matches none, to the pods or addresses it names.
func (s *set) intents(in []compiledIntent) error {
	for _, it := range in {
		evidence := "intent " + it.Name
		if it.Reason != "" {
			evidence += " (" + it.Reason + ")"
		}
		from, err := s.intentEnds(it.From, it.from)
		if err != nil {
			return fmt.Errorf("intent %s: from: %w", it.Name, err)
		}
		to, err := s.intentEnds(it.To, it.to)
		if err != nil {
			return fmt.Errorf("intent %s: to: %w", it.Name, err)
		}
		if len(from) == 0 || len(to) == 0 {
			s.unresolved(evidence, "it selects nothing")
			continue
		}
		var ports []Port
		for _, p := range it.Ports {
			ports = append(ports, p.Port)
		}
		n := 0
		for _, f := range from {
			for _, t := range to {
				if f.Workload == nil && t.Workload == nil {
					continue // neither end is in the set: no policy of the set is involved
				}
				if f.Workload != nil && f.Workload == t.Workload {
					continue
				}
				s.connect(f, t, ports, evidence)
				n++
			}
		}
		if n == 0 {
			s.unresolved(evidence, "neither end is a workload of the input")
		}
	}
	return nil
}

// intentEnds are the ends a selector of an intent picks: an address block, the
// workloads of the set it matches, or else the pods outside the set it describes.
func (s *set) intentEnds(sel *segment.Selector, m *segment.Matcher) ([]End, error) {
	if sel.CIDR != "" {
		peer, err := ipPeer(sel.CIDR)
		if err != nil {
			return nil, err
		}
		return []End{{Peer: peer, Outside: true, Name: peer.IPBlock.CIDR}}, nil
	}
	var out []End
	for _, w := range s.workloads {
		if m.Matches(s.model, netmodel.Peer{Workload: w}) {
			out = append(out, workloadEnd(w))
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	// Pods outside the set: the selector as a NetworkPolicy peer.
	peer := &networkingv1.NetworkPolicyPeer{PodSelector: sel.PodSelector, NamespaceSelector: sel.NamespaceSelector}
	if peer.PodSelector == nil {
		peer.PodSelector = &metav1.LabelSelector{}
	}
	if len(sel.Namespaces) > 0 {
		if peer.NamespaceSelector != nil {
			return nil, errors.New("namespaces and namespaceSelector together select pods outside the input, which one NetworkPolicy peer cannot express")
		}
		peer.NamespaceSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: netmodel.NamespaceNameLabel, Operator: metav1.LabelSelectorOpIn, Values: sel.Namespaces,
		}}}
	}
	if peer.NamespaceSelector == nil {
		peer.NamespaceSelector = &metav1.LabelSelector{}
	}
	raw, _ := json.Marshal(sel)
	return []End{{Peer: peer, Name: "pods outside the input " + string(raw)}}, nil
}
