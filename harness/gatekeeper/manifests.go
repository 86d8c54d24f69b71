package gatekeeper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/inventory"
)

// Gatekeeper API versions and names the export writes.
const (
	templateAPIVersion   = "templates.gatekeeper.sh/v1"
	constraintAPIVersion = "constraints.gatekeeper.sh/v1beta1"
	configAPIVersion     = "config.gatekeeper.sh/v1alpha1"
	suiteAPIVersion      = "test.gatekeeper.sh/v1alpha1"
	admissionTarget      = "admission.k8s.gatekeeper.sh"
	// SyncAnnotation tells Gatekeeper which kinds a template reads from data.inventory.
	SyncAnnotation = "metadata.gatekeeper.sh/requires-sync-data"
	// ConfigNamespace and ConfigName are where Gatekeeper reads its sync Config.
	ConfigNamespace = "gatekeeper-system"
	ConfigName      = "config"
)

// Annotations the export puts on templates and constraints.
const (
	annotationRule        = "ringfence.dev/rule"
	annotationSeverity    = "ringfence.dev/severity"
	annotationEnforcement = "ringfence.dev/enforcement-action"
	annotationTitle       = "metadata.gatekeeper.sh/title"
	annotationDescription = "description"
)

// warnReason explains, on the constraints of cross-object rules, why they only warn.
const warnReason = "warn: this rule reads other objects from Gatekeeper's inventory, so an admission " +
	"deny would block objects whose companions do not exist yet (every new Namespace before its " +
	"default-deny NetworkPolicy can be created, every new workload before the policy that selects " +
	"it); audit reports the violations and admission only warns"

// Kind is the constraint kind of a rule: Ringfence, then its area and slug in camel case
// (network/namespace_default_deny is RingfenceNetworkNamespaceDefaultDeny).
func Kind(r catalog.Rule) string {
	var b strings.Builder
	b.WriteString("Ringfence")
	for _, part := range r.Path() {
		for word := range strings.SplitSeq(part, "_") {
			if word == "" {
				continue
			}
			b.WriteString(strings.ToUpper(word[:1]))
			b.WriteString(word[1:])
		}
	}
	return b.String()
}

// TemplateName is the ConstraintTemplate's name: Gatekeeper requires the kind in lower case.
func TemplateName(r catalog.Rule) string { return strings.ToLower(Kind(r)) }

// ConstraintName is the name of a rule's constraint: its id in lower case (rf-net-003).
func ConstraintName(r catalog.Rule) string { return strings.ToLower(r.ID) }

// fileName is the base name of a rule's files: rf-net-003-namespace-default-deny.yaml.
func fileName(r catalog.Rule) string {
	return ConstraintName(r) + "-" + strings.ReplaceAll(r.Path()[1], "_", "-") + ".yaml"
}

// object is a Kubernetes object as ordered YAML: apiVersion, kind, metadata, then the rest.
type object struct {
	APIVersion string    `yaml:"apiVersion"`
	Kind       string    `yaml:"kind"`
	Metadata   *meta     `yaml:"metadata,omitempty"`
	Spec       any       `yaml:"spec,omitempty"`
	Tests      []test    `yaml:"tests,omitempty"`
	Resources  []string  `yaml:"resources,omitempty"`
	Sort       *sortOpts `yaml:"sortOptions,omitempty"`
}

type meta struct {
	Name        string            `yaml:"name,omitempty"`
	Namespace   string            `yaml:"namespace,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type sortOpts struct {
	Order string `yaml:"order"`
}

var labels = map[string]string{"app.kubernetes.io/part-of": "ringfence", "app.kubernetes.io/managed-by": "ringfence-gatekeeper-export"}

// templateSpec is a ConstraintTemplate's spec.
type templateSpec struct {
	CRD struct {
		Spec struct {
			Names struct {
				Kind string `yaml:"kind"`
			} `yaml:"names"`
			Validation struct {
				Schema map[string]any `yaml:"openAPIV3Schema"`
			} `yaml:"validation"`
		} `yaml:"spec"`
	} `yaml:"crd"`
	Targets []target `yaml:"targets"`
}

type target struct {
	Target string `yaml:"target"`
	Code   []code `yaml:"code"`
}

type code struct {
	Engine string `yaml:"engine"`
	Source source `yaml:"source"`
}

type source struct {
	Version string   `yaml:"version"`
	Rego    string   `yaml:"rego"`
	Libs    []string `yaml:"libs,omitempty"`
}

// template builds a rule's ConstraintTemplate around its Rego.
func template(r catalog.Rule, rego templateRego) (object, error) {
	schema, err := parameterSchema(r)
	if err != nil {
		return object{}, err
	}
	var spec templateSpec
	spec.CRD.Spec.Names.Kind = Kind(r)
	spec.CRD.Spec.Validation.Schema = schema
	spec.Targets = []target{{
		Target: admissionTarget,
		Code:   []code{{Engine: "Rego", Source: source{Version: "v1", Rego: rego.Entry, Libs: rego.Libs}}},
	}}
	annotations := map[string]string{
		annotationTitle:       r.Title,
		annotationDescription: r.Description,
		annotationRule:        r.ID,
		annotationSeverity:    r.Severity,
	}
	if r.Inventory {
		sync, err := syncRequirements(r)
		if err != nil {
			return object{}, err
		}
		annotations[SyncAnnotation] = sync
	}
	return object{
		APIVersion: templateAPIVersion,
		Kind:       "ConstraintTemplate",
		Metadata:   &meta{Name: TemplateName(r), Labels: labels, Annotations: annotations},
		Spec:       spec,
	}, nil
}

// parameterSchema is the openAPIV3Schema of a rule's parameters, from its METADATA.
func parameterSchema(r catalog.Rule) (map[string]any, error) {
	props := map[string]any{}
	for _, p := range r.Parameters {
		s := map[string]any{"type": p.Type, "description": p.Description}
		switch p.Type {
		case "array":
			if p.Items == "" {
				return nil, fmt.Errorf("rule %s: parameter %s is an array without items: add items (the element type) to its METADATA", r.ID, p.Name)
			}
			items := map[string]any{"type": p.Items}
			if p.Items == "object" {
				items["x-kubernetes-preserve-unknown-fields"] = true
			}
			s["items"] = items
		case "object":
			s["x-kubernetes-preserve-unknown-fields"] = true
		}
		props[p.Name] = s
	}
	if r.InspectsPodSpecs() {
		props[ExemptImagesParameter] = map[string]any{
			"type":        "array",
			"description": exemptImagesDescription,
			"items":       map[string]any{"type": "string"},
		}
	}
	return map[string]any{"type": "object", "properties": props}, nil
}

// ExemptImagesParameter is the constraint parameter of every rule that inspects pod
// specs which exempts containers by image, as in Gatekeeper's library.
const ExemptImagesParameter = "exemptImages"

const exemptImagesDescription = "Containers running one of these images are exempt from this rule: " +
	"an image exactly, or, ending in *, an image prefix (such as registry.example.com/agents/*). " +
	"The pod's other containers, and findings about the pod spec as a whole, are still reported. " +
	"Prefer fully qualified images, so that a prefix cannot match an untrusted registry."

// syncRequirements is the requires-sync-data annotation of an inventory rule, as
// Gatekeeper documents it: a JSON list of requirements that must all be met, each a list
// of equivalent {groups, versions, kinds} clauses of which one suffices. The versions of
// one kind (networking.k8s.io/v1 and extensions/v1beta1 NetworkPolicy) are equivalent.
func syncRequirements(r catalog.Rule) (string, error) {
	type clause struct {
		Groups   []string `json:"groups"`
		Versions []string `json:"versions"`
		Kinds    []string `json:"kinds"`
	}
	var order []string
	byKind := map[string][]clause{}
	for _, k := range r.Sync {
		if _, ok := byKind[k.Kind]; !ok {
			order = append(order, k.Kind)
		}
		byKind[k.Kind] = append(byKind[k.Kind], clause{
			Groups: []string{inventory.Group(k.APIVersion)}, Versions: []string{version(k.APIVersion)}, Kinds: []string{k.Kind},
		})
	}
	var reqs [][]clause
	for _, kind := range order {
		reqs = append(reqs, byKind[kind])
	}
	raw, err := json.Marshal(reqs)
	if err != nil {
		return "", fmt.Errorf("rule %s: sync requirements: %w", r.ID, err)
	}
	// Gatekeeper's examples quote the JSON list; its reader trims the quotes.
	return `"` + string(raw) + `"`, nil
}

// version is the version part of an apiVersion ("v1" for "apps/v1" and "v1").
func version(apiVersion string) string {
	return apiVersion[strings.LastIndex(apiVersion, "/")+1:]
}

// constraintSpec is a constraint's spec.
type constraintSpec struct {
	EnforcementAction string         `yaml:"enforcementAction"`
	Match             match          `yaml:"match"`
	Parameters        map[string]any `yaml:"parameters,omitempty"`
}

type match struct {
	Kinds []kindMatch `yaml:"kinds"`
}

type kindMatch struct {
	APIGroups []string `yaml:"apiGroups"`
	Kinds     []string `yaml:"kinds"`
}

// EnforcementAction is the constraint's enforcement action: deny for rules that judge an
// object by itself, warn for cross-object rules (see warnReason).
func EnforcementAction(r catalog.Rule) string {
	if r.Inventory {
		return "warn"
	}
	return "deny"
}

// constraint builds a rule's constraint with these parameters.
func constraint(r catalog.Rule, params map[string]any) object {
	annotations := map[string]string{annotationRule: r.ID, annotationSeverity: r.Severity}
	if r.Inventory {
		annotations[annotationEnforcement] = warnReason
	}
	return object{
		APIVersion: constraintAPIVersion,
		Kind:       Kind(r),
		Metadata:   &meta{Name: ConstraintName(r), Labels: labels, Annotations: annotations},
		Spec: constraintSpec{
			EnforcementAction: EnforcementAction(r),
			Match:             match{Kinds: matchKinds(r)},
			Parameters:        params,
		},
	}
}

// defaults returns a rule's parameters with their METADATA defaults.
func defaults(r catalog.Rule) map[string]any {
	if len(r.Parameters) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, p := range r.Parameters {
		out[p.Name] = p.Default
	}
	return out
}

// matchKinds groups a rule's METADATA kinds by API group, in the order they come.
func matchKinds(r catalog.Rule) []kindMatch {
	var out []kindMatch
	for _, k := range r.Kinds {
		g := inventory.Group(k.APIVersion)
		i := slices.IndexFunc(out, func(m kindMatch) bool { return m.APIGroups[0] == g })
		if i < 0 {
			out = append(out, kindMatch{APIGroups: []string{g}})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].Kinds, k.Kind) {
			out[i].Kinds = append(out[i].Kinds, k.Kind)
		}
	}
	return out
}

// matches reports whether a rule's constraint matches an object: its kind and API group
// are among the constraint's match kinds.
func matches(r catalog.Rule, obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	return slices.ContainsFunc(matchKinds(r), func(m kindMatch) bool {
		return m.APIGroups[0] == inventory.Group(apiVersion) && slices.Contains(m.Kinds, kind)
	})
}

// syncConfig is Gatekeeper's Config replicating every kind the rules read from the inventory.
func syncConfig(rules []catalog.Rule) (object, bool) {
	type gvk struct {
		Group   string `yaml:"group"`
		Version string `yaml:"version"`
		Kind    string `yaml:"kind"`
	}
	var only []gvk
	for _, r := range rules {
		for _, k := range r.Sync {
			e := gvk{inventory.Group(k.APIVersion), version(k.APIVersion), k.Kind}
			if !slices.Contains(only, e) {
				only = append(only, e)
			}
		}
	}
	if len(only) == 0 {
		return object{}, false
	}
	slices.SortFunc(only, func(a, b gvk) int {
		return strings.Compare(a.Group+"/"+a.Version+"/"+a.Kind, b.Group+"/"+b.Version+"/"+b.Kind)
	})
	spec := map[string]any{"sync": map[string]any{"syncOnly": only}}
	return object{
		APIVersion: configAPIVersion,
		Kind:       "Config",
		Metadata:   &meta{Name: ConfigName, Namespace: ConfigNamespace, Labels: labels},
		Spec:       spec,
	}, true
}

// kustomization lists the resources to apply, templates first.
func kustomization(resources []string) object {
	return object{
		APIVersion: "kustomize.config.k8s.io/v1beta1",
		Kind:       "Kustomization",
		Resources:  resources,
		// Keep the listed order: templates, then the constraints of their kinds.
		Sort: &sortOpts{Order: "fifo"},
	}
}

// marshal writes YAML documents with a comment header.
func marshal(header string, docs ...any) ([]byte, error) {
	var buf bytes.Buffer
	for line := range strings.SplitSeq(strings.TrimSpace(header), "\n") {
		if line != "" {
			buf.WriteString("# " + line + "\n")
		}
	}
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encoding YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encoding YAML: %w", err)
		}
	}
	return buf.Bytes(), nil
}
