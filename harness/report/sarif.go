package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"unicode"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/catalog"
	"github.com/ringfence/ringfence/harness/load"
)

// SARIF writes reports as SARIF 2.1.0 logs, as code-scanning services (GitHub, Azure
// DevOps) read them: one run whose driver describes every rule of the evaluation, one
// result per finding (exempted findings as suppressed results), and the input errors and
// warnings as tool execution notifications.
type SARIF struct {
	// Root is the directory the artifact URIs are relative to; "" is the working
	// directory. Files outside it get absolute file: URIs.
	Root string
}

// WithSARIFRoot sets the directory SARIF artifact URIs are relative to when f is the
// SARIF format, and returns f unchanged otherwise.
func WithSARIFRoot(f Format, root string) Format {
	if s, ok := f.(SARIF); ok {
		s.Root = root
		return s
	}
	return f
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// toolURI is the tool's home page, and rulesURI the README section that documents
	// the rules, for the rules whose references name no web page.
	toolURI  = "https://github.com/ringfence/ringfence"
	rulesURI = toolURI + "#rules"
	// FingerprintKey names ringfence's partial fingerprint: a hash of what identifies a
	// finding apart from where it sits in its file.
	FingerprintKey = "ringfence/v1"
)

// securitySeverity is GitHub's security-severity score for each severity: GitHub maps
// scores of 9.0 and above to critical, 7.0-8.9 to high, 4.0-6.9 to medium, below to low.
var securitySeverity = map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}

// The SARIF 2.1.0 subset ringfence writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations,omitempty"`
		Results     []sarifResult     `json:"results"`
		ColumnKind  string            `json:"columnKind,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string            `json:"name"`
		InformationURI string            `json:"informationUri"`
		Version        string            `json:"version,omitempty"`
		Rules          []sarifDescriptor `json:"rules"`
	}
	sarifDescriptor struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name,omitempty"`
		ShortDescription     *sarifText        `json:"shortDescription,omitempty"`
		FullDescription      *sarifText        `json:"fullDescription,omitempty"`
		Help                 *sarifHelp        `json:"help,omitempty"`
		HelpURI              string            `json:"helpUri,omitempty"`
		DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
		Properties           sarifRuleProperty `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProperty struct {
		Tags             []string `json:"tags,omitempty"`
		SecuritySeverity string   `json:"security-severity,omitempty"`
		Severity         string   `json:"severity,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          *sarifResultProps  `json:"properties,omitempty"`
	}
	sarifResultProps struct {
		Field string `json:"field,omitempty"`
		// Rendered says where an object rendered from a Helm chart or a kustomization
		// sits in the rendered output, and which chart or kustomization it came from.
		Rendered *load.Rendered `json:"rendered,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification,omitempty"`
	}
)

// Report writes r as a SARIF log.
func (s SARIF) Report(w io.Writer, r *harness.Report) error {
	rules := r.Rules
	for _, f := range r.Findings {
		rules = withRule(rules, f)
	}
	for _, f := range r.ExemptedFindings {
		rules = withRule(rules, f.Finding)
	}
	slices.SortFunc(rules, func(a, b catalog.Rule) int { return strings.Compare(a.ID, b.ID) })
	run, index := s.run(rules)
	base, err := s.base()
	if err != nil {
		return err
	}
	for _, f := range r.Findings {
		run.Results = append(run.Results, s.result(base, index, f))
	}
	for _, f := range r.ExemptedFindings {
		res := s.result(base, index, f.Finding)
		res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Reason}}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{Text: e.Message}}
		if loc := physical(base, e.File, e.Line); loc != nil {
			n.Locations = []sarifLocation{{PhysicalLocation: loc}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	for _, warning := range r.Warnings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "warning", Message: sarifText{Text: warning}})
	}
	run.Invocations = []sarifInvocation{inv}
	return WriteJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// Rules writes the rules as a SARIF log without results: the driver's rule descriptors.
func (s SARIF) Rules(w io.Writer, rules []catalog.Rule) error {
	run, _ := s.run(rules)
	return WriteJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// withRule adds a minimal rule for f's rule when rules lacks it, as in a report not made
// by an Engine.
func withRule(rules []catalog.Rule, f harness.Finding) []catalog.Rule {
	if slices.ContainsFunc(rules, func(r catalog.Rule) bool { return r.ID == f.Rule }) {
		return rules
	}
	return append(slices.Clip(rules), catalog.Rule{ID: f.Rule, Title: f.Title, Severity: f.Severity})
}

func (s SARIF) run(rules []catalog.Rule) (sarifRun, map[string]int) {
	driver := sarifDriver{Name: "ringfence", InformationURI: toolURI, Version: toolVersion(), Rules: []sarifDescriptor{}}
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, descriptor(r))
	}
	return sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}, index
}

// toolVersion is ringfence's module version when the binary was built from a tagged
// module (go install ...@v1.2.3), or "" for development builds.
func toolVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}

func descriptor(r catalog.Rule) sarifDescriptor {
	d := sarifDescriptor{
		ID:                   r.ID,
		Name:                 pascalCase(r.Title),
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(r.Severity)},
		HelpURI:              rulesURI,
		Properties:           sarifRuleProperty{SecuritySeverity: securitySeverity[r.Severity], Severity: r.Severity},
	}
	if r.Title != "" {
		d.ShortDescription = &sarifText{Text: r.Title}
	}
	if r.Description != "" {
		d.FullDescription = &sarifText{Text: r.Description}
	}
	var urls, tags []string
	for _, ref := range r.References {
		if isWebURL(ref) {
			urls = append(urls, ref)
		} else {
			tags = append(tags, ref)
		}
	}
	if len(urls) > 0 {
		d.HelpURI = urls[0]
	}
	tags = append(tags, "security")
	if r.Area != "" {
		tags = append(tags, r.Area)
	}
	d.Properties.Tags = tags
	if r.Remediation != "" || len(r.References) > 0 {
		text, md := r.Remediation, r.Remediation
		if len(r.References) > 0 {
			var tl, ml []string
			for _, ref := range r.References {
				tl = append(tl, "- "+ref)
				if isWebURL(ref) {
					ml = append(ml, "- <"+ref+">")
				} else {
					ml = append(ml, "- "+ref)
				}
			}
			text = strings.TrimSpace(text + "\n\nReferences:\n" + strings.Join(tl, "\n"))
			md = strings.TrimSpace(md + "\n\n**References**\n\n" + strings.Join(ml, "\n"))
		}
		d.Help = &sarifHelp{Text: text, Markdown: md}
	}
	return d
}

func isWebURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// sarifLevel maps a severity to a SARIF level: critical and high are errors, medium
// warnings, low notes.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	default:
		return "note"
	}
}

// pascalCase turns a title into a SARIF rule name: "Privileged container" becomes
// "PrivilegedContainer".
func pascalCase(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		runes := []rune(word)
		b.WriteRune(unicode.ToUpper(runes[0]))
		b.WriteString(string(runes[1:]))
	}
	return b.String()
}

// base is the absolute directory artifact URIs are relative to.
func (s SARIF) base() (string, error) {
	dir := s.Root
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("SARIF: finding the working directory: %w", err)
		}
		return wd, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("SARIF root %q: %w", dir, err)
	}
	return abs, nil
}

func (s SARIF) result(base string, index map[string]int, f harness.Finding) sarifResult {
	res := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           index[f.Rule],
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{Text: f.Message},
		PartialFingerprints: map[string]string{FingerprintKey: Fingerprint(f)},
	}
	loc := sarifLocation{LogicalLocations: []sarifLogical{{
		Name: f.Object.Name, FullyQualifiedName: qualifiedName(f.Object), Kind: "resource",
	}}}
	if f.Source != nil {
		loc.PhysicalLocation = physical(base, f.Source.File, f.Source.Line)
	}
	res.Locations = []sarifLocation{loc}
	if f.Field != "" || (f.Source != nil && f.Source.Rendered != nil) {
		res.Properties = &sarifResultProps{Field: f.Field}
		if f.Source != nil && f.Source.Rendered != nil {
			r := *f.Source.Rendered
			r.From = artifactURI(base, r.From)
			res.Properties.Rendered = &r
		}
	}
	return res
}

// qualifiedName names an object as namespace/Kind/name, or Kind/name when it has no
// namespace.
func qualifiedName(o harness.ObjectRef) string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Namespace + "/" + o.Kind + "/" + o.Name
}

// physical locates a file and line, or returns nil for input without a file (standard
// input, live objects).
func physical(base, file string, line int) *sarifPhysical {
	if file == "" || file == load.StdinName {
		return nil
	}
	loc := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(base, file)}}
	if line > 0 {
		loc.Region = &sarifRegion{StartLine: line}
	}
	return loc
}

// artifactURI is file relative to base with forward slashes, or an absolute file: URI
// when file lies outside base.
func artifactURI(base, file string) string {
	abs, err := filepath.Abs(file)
	if err == nil {
		if rel, err := filepath.Rel(base, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return (&url.URL{Path: filepath.ToSlash(rel)}).String()
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	return (&url.URL{Path: filepath.ToSlash(file)}).String()
}

// Fingerprint identifies a finding apart from its place in its file: a SHA-256 of the
// rule, the object, the field and the message, so a finding keeps it when lines move.
func Fingerprint(f harness.Finding) string {
	h := sha256.New()
	for _, part := range []string{f.Rule, f.Object.APIVersion, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Field, f.Message} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
