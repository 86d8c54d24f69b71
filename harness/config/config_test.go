package config

import (
	"strings"
	"testing"
	"time"
)

var rules = map[string]RuleInfo{"RF-POD-003": {Parameters: []string{"allowed_host_ports"}}, "RF-POD-001": {}}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"valid", "exemptions:\n- {rule: RF-POD-001, namespace: 'kube-*', reason: agents, expires: 2030-01-01}\nparameters:\n  RF-POD-003: {allowed_host_ports: [53]}\n", ""},
		{"unknown rule", "exemptions:\n- {rule: RF-POD-999, reason: x}\n", `unknown rule "RF-POD-999"`},
		{"no reason", "exemptions:\n- {rule: RF-POD-001}\n", "reason is required"},
		{"bad expiry", "exemptions:\n- {rule: RF-POD-001, reason: x, expires: next week}\n", "neither a date"},
		{"bad glob", "exemptions:\n- {rule: RF-POD-001, reason: x, name: '[oops'}\n", "not a valid glob"},
		{"unknown parameter", "parameters:\n  RF-POD-003: {allowed_ports: [53]}\n", `rule has no parameter "allowed_ports"`},
		{"parameters of an unknown rule", "parameters:\n  RF-X-001: {a: 1}\n", `parameters: unknown rule "RF-X-001"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.yaml))
			if err == nil {
				err = cfg.Validate(rules)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	if _, err := Parse([]byte("exemptions:\n- {rule: RF-POD-001, reason: x, nmae: web}\n")); err == nil {
		t.Error("a misspelt field was accepted")
	}
}

func TestParseExpiry(t *testing.T) {
	got, err := ParseExpiry("2027-03-31")
	if err != nil || !got.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseExpiry(date) = %v, %v", got, err)
	}
	got, err = ParseExpiry("2027-03-31T12:00:00+02:00")
	if err != nil || !got.Equal(time.Date(2027, 3, 31, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseExpiry(RFC 3339) = %v, %v", got, err)
	}
}
