// Package config reads ringfence configuration files: exemptions and rule parameters.
//
//	exemptions:
//	  - rule: RF-NET-001
//	    namespace: legacy-*       # glob; omitted means any
//	    name: old-api             # glob; omitted means any
//	    kind: Deployment          # glob; omitted means any
//	    labels: {team: payments}  # all must match
//	    images: [registry.k8s.io/kube-proxy:*]  # only the containers running these images
//	    reason: migrating to the new mesh, tracked in OPS-123
//	    expires: 2027-03-31       # date or RFC 3339 time; omitted means never
//	parameters:
//	  RF-SURF-002:
//	    sensitive_ports: [22, 3306]
//	disabled: [RF-NET-022]        # rules switched off everywhere the config goes
//	podSecurity:                  # the Pod Security Standards rules' level and version
//	  level: baseline             # privileged, baseline or restricted (default)
//	  version: v1.30              # latest (default) or v1.N
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/catalog"
)

// Config is a ringfence configuration file.
type Config struct {
	Exemptions []Exemption               `json:"exemptions,omitempty"`
	Parameters map[string]map[string]any `json:"parameters,omitempty"`
	// Disabled switches rules off: cross-object rules, for example, when the scanned set
	// is only part of a cluster.
	Disabled []string `json:"disabled,omitempty"`
	// PodSecurity sets the level and version of every Pod Security Standards rule that
	// has no parameters of its own.
	PodSecurity *PodSecurity `json:"podSecurity,omitempty"`
	// Admission sets what the admission entry point (data.ringfence.admission) denies and
	// what it returns as warnings.
	Admission *Admission `json:"admission,omitempty"`
}

// Admission is the admission webhook's thresholds, severities as the rules carry them:
// findings at or above FailOn deny the request (default high), findings below it and at
// or above WarnOn are returned as warnings (default low: all of them), and the rest are
// left out.
type Admission struct {
	FailOn string `json:"failOn,omitempty"`
	WarnOn string `json:"warnOn,omitempty"`
}

func (a Admission) validate() []error {
	var problems []error
	for field, value := range map[string]string{"failOn": a.FailOn, "warnOn": a.WarnOn} {
		if value != "" && !slices.Contains(catalog.Severities, value) {
			problems = append(problems, fmt.Errorf("admission.%s %q is not one of %v", field, value, catalog.Severities))
		}
	}
	if a.FailOn != "" && a.WarnOn != "" && catalog.Rank(a.WarnOn) < catalog.Rank(a.FailOn) {
		problems = append(problems, fmt.Errorf("admission.warnOn %q is above failOn %q: findings at or above failOn deny, so warnOn must be failOn or lower", a.WarnOn, a.FailOn))
	}
	return problems
}

// PodSecurity is a Pod Security Standards level and version, as Pod Security Admission's
// namespace labels give them.
type PodSecurity struct {
	Level   string `json:"level,omitempty"`
	Version string `json:"version,omitempty"`
}

// PodSecurityLevels are the levels of the Pod Security Standards, least strict first.
var PodSecurityLevels = []string{"privileged", "baseline", "restricted"}

var podSecurityVersion = regexp.MustCompile(`^(latest|v1\.(0|[1-9][0-9]*))$`)

// ValidPodSecurityVersion reports whether v is a version Pod Security Admission accepts:
// latest or v1.N.
func ValidPodSecurityVersion(v string) bool { return podSecurityVersion.MatchString(v) }

func (p PodSecurity) validate() []error {
	var problems []error
	if p.Level != "" && !slices.Contains(PodSecurityLevels, p.Level) {
		problems = append(problems, fmt.Errorf("podSecurity.level %q is not one of %v", p.Level, PodSecurityLevels))
	}
	if p.Version != "" && !ValidPodSecurityVersion(p.Version) {
		problems = append(problems, fmt.Errorf("podSecurity.version %q is neither latest nor v1.N", p.Version))
	}
	return problems
}

// Exemption silences one rule for the objects it matches.
type Exemption struct {
	Rule      string            `json:"rule"`
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name,omitempty"`
	Kind      string            `json:"kind,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	// Images narrows the exemption to the findings in containers that run one of these
	// images, as Gatekeeper's exemptImages does: an image exactly, or, ending in *, an
	// image prefix. The object's other containers, and findings about the pod spec as a
	// whole, are still reported.
	Images  []string `json:"images,omitempty"`
	Reason  string   `json:"reason"`
	Expires string   `json:"expires,omitempty"`
}

// RuleInfo is what validation and resolution need to know about a rule: its parameter
// names, their defaults, and whether it is a Pod Security Standards rule (whose level
// and version the podSecurity block sets).
type RuleInfo struct {
	Parameters  []string
	Defaults    map[string]any
	PodSecurity bool
	// PodSpecs is true for a rule that inspects kinds carrying pod specs, whose findings
	// an exemption's images can narrow to containers.
	PodSpecs bool
}

// Resolve returns the value every parameter of every rule takes, as the policies resolve
// it outside Gatekeeper (lib/core's parameter and lib/pss's setting): the rule's own
// value in parameters, else, for the level and version of a Pod Security Standards rule,
// the podSecurity block's, else the default. The engine gives the policies this as
// data.ringfence.config.parameters so that no rule resolves a parameter again for every
// object; the result is the same.
func (c Config) Resolve(rules map[string]RuleInfo) map[string]map[string]any {
	out := make(map[string]map[string]any, len(rules))
	for id, info := range rules {
		params := make(map[string]any, len(info.Parameters))
		for _, name := range info.Parameters {
			if v, ok := c.Parameters[id][name]; ok {
				params[name] = v
				continue
			}
			if v := c.podSecurity(name); info.PodSecurity && v != "" {
				params[name] = v
				continue
			}
			if v, ok := info.Defaults[name]; ok {
				params[name] = v
			}
		}
		out[id] = params
	}
	return out
}

// podSecurity returns the podSecurity block's value for a Pod Security Standards rule's
// parameter ("level" or "version"), or "" when the block does not set it.
func (c Config) podSecurity(name string) string {
	if c.PodSecurity == nil {
		return ""
	}
	switch name {
	case "level":
		return c.PodSecurity.Level
	case "version":
		return c.PodSecurity.Version
	}
	return ""
}

// Load reads and parses a configuration file. Unknown fields are errors, so a typo does
// not silently disable an exemption.
func Load(file string) (Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", file, err)
	}
	return cfg, nil
}

// Parse parses configuration from YAML or JSON.
func Parse(data []byte) (Config, error) {
	var cfg Config
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// validateImages checks an exemption's images: when given, a non-empty list of images or
// prefixes, with * only at the end, for a rule that inspects pod specs.
func (e Exemption) validateImages(where string, info RuleInfo, known bool) []error {
	if e.Images == nil {
		return nil
	}
	var problems []error
	if len(e.Images) == 0 {
		problems = append(problems, fmt.Errorf("%s: images is empty: omit it to exempt the whole object", where))
	}
	for j, image := range e.Images {
		switch {
		case strings.TrimSpace(image) == "" || image == "*":
			problems = append(problems, fmt.Errorf("%s: images[%d] %q names no image (to exempt every container, omit images)", where, j, image))
		case strings.Contains(strings.TrimSuffix(image, "*"), "*"):
			problems = append(problems, fmt.Errorf("%s: images[%d] %q: * may only end an image prefix, as in registry.example.com/agents/*", where, j, image))
		}
	}
	if known && !info.PodSpecs {
		problems = append(problems, fmt.Errorf("%s: rule %s inspects no pod specs, so images cannot narrow its findings to containers", where, e.Rule))
	}
	return problems
}

var date = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Validate checks the configuration against the known rules (id -> info).
func (c Config) Validate(rules map[string]RuleInfo) error {
	var problems []error
	for i, e := range c.Exemptions {
		where := fmt.Sprintf("exemptions[%d]", i)
		if _, ok := rules[e.Rule]; !ok {
			problems = append(problems, fmt.Errorf("%s: unknown rule %q", where, e.Rule))
		}
		if e.Reason == "" {
			problems = append(problems, fmt.Errorf("%s: reason is required", where))
		}
		for field, pattern := range map[string]string{"namespace": e.Namespace, "name": e.Name, "kind": e.Kind} {
			if _, err := path.Match(pattern, ""); err != nil {
				problems = append(problems, fmt.Errorf("%s: %s %q is not a valid glob", where, field, pattern))
			}
		}
		info, known := rules[e.Rule]
		problems = append(problems, e.validateImages(where, info, known)...)
		if e.Expires != "" {
			if _, err := ParseExpiry(e.Expires); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", where, err))
			}
		}
	}
	for _, id := range c.Disabled {
		if _, ok := rules[id]; !ok {
			problems = append(problems, fmt.Errorf("disabled: unknown rule %q", id))
		}
	}
	if c.PodSecurity != nil {
		problems = append(problems, c.PodSecurity.validate()...)
	}
	if c.Admission != nil {
		problems = append(problems, c.Admission.validate()...)
	}
	for id, params := range c.Parameters {
		info, ok := rules[id]
		if !ok {
			problems = append(problems, fmt.Errorf("parameters: unknown rule %q", id))
			continue
		}
		for name := range params {
			if !slices.Contains(info.Parameters, name) {
				problems = append(problems, fmt.Errorf("parameters.%s: rule has no parameter %q (it has %v)", id, name, info.Parameters))
			}
		}
	}
	return errors.Join(problems...)
}

// ParseExpiry reads an expiry: a date (the exemption ends as that day begins, UTC) or an
// RFC 3339 time.
func ParseExpiry(s string) (time.Time, error) {
	if date.MatchString(s) {
		s += "T00:00:00Z"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires %q is neither a date (2027-03-31) nor an RFC 3339 time", s)
	}
	return t, nil
}

// Data is the configuration as data.ringfence.config, as the policies read it.
func (c Config) Data() (map[string]any, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return out, nil
}
