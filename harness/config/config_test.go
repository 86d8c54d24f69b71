package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var rules = map[string]RuleInfo{
	"RF-POD-003":  {Parameters: []string{"allowed_host_ports"}, PodSpecs: true},
	"RF-POD-001":  {PodSpecs: true},
	"RF-SURF-001": {},
}

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
		{"images", "exemptions:\n- {rule: RF-POD-001, images: ['registry.k8s.io/kube-proxy:*', 'busybox:1.36'], reason: node agent}\n", ""},
		{"images empty", "exemptions:\n- {rule: RF-POD-001, images: [], reason: x}\n", "images is empty"},
		{"image blank", "exemptions:\n- {rule: RF-POD-001, images: [' '], reason: x}\n", `images[0] " " names no image`},
		{"image star alone", "exemptions:\n- {rule: RF-POD-001, images: ['a', '*'], reason: x}\n", `images[1] "*" names no image`},
		{"image star inside", "exemptions:\n- {rule: RF-POD-001, images: ['registry.example.com/*/agent'], reason: x}\n", "* may only end an image prefix"},
		{"images for a rule without pod specs", "exemptions:\n- {rule: RF-SURF-001, images: [busybox], reason: x}\n", "rule RF-SURF-001 inspects no pod specs"},
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

// TestResolve checks the precedence the policies apply: a rule's own parameter, then, for
// a Pod Security Standards rule's level and version, the podSecurity block, then the
// default; a value set to null stays null.
func TestResolve(t *testing.T) {
	infos := map[string]RuleInfo{
		"RF-POD-001": {Parameters: []string{"level", "version"}, Defaults: map[string]any{"level": "restricted", "version": "latest"}, PodSecurity: true},
		"RF-POD-019": {Parameters: []string{"level", "version"}, Defaults: map[string]any{"level": "restricted", "version": "latest"}, PodSecurity: true},
		"RF-POD-035": {Parameters: []string{"default_level", "level"}, Defaults: map[string]any{"default_level": "privileged", "level": "x"}},
		"RF-NET-001": {},
	}
	cfg, err := Parse([]byte("parameters:\n  RF-POD-001: {version: v1.25}\n  RF-POD-035: {default_level: null}\npodSecurity: {level: baseline}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Resolve(infos)
	want := map[string]map[string]any{
		"RF-POD-001": {"level": "baseline", "version": "v1.25"},
		"RF-POD-019": {"level": "baseline", "version": "latest"},
		// podSecurity is for Pod Security Standards rules only.
		"RF-POD-035": {"default_level": nil, "level": "x"},
		"RF-NET-001": {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	if got := (Config{}).Resolve(infos)["RF-POD-001"]; got["level"] != "restricted" || got["version"] != "latest" {
		t.Errorf("without configuration: %v, want the defaults", got)
	}
}
