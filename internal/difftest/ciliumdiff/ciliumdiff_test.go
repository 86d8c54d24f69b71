package ciliumdiff

// TestCiliumDifferential compares ringfence's verdicts (harness/netmodel) with Cilium's
// own policy engine on random policy sets (gen.go).
//
// Cilium's verdicts come from cilium-oracle (internal/difftest/cilium, built into the
// tool cache by bash .ci/tools.sh cilium; looked up in $RINGFENCE_TOOLS/bin, default
// ~/.cache/ringfence-tools/bin, then on PATH), asked once for all sets. They are recorded
// in testdata/cilium-verdicts.json with the SHA-256 of the cases they answer:
//
//   - with the oracle, the test fails when the recording differs from its answers, unless
//     RINGFENCE_RECORD=1, which rewrites it;
//   - without the oracle, the test uses the recording when it was made for the same cases
//     and fails when it was not; RINGFENCE_CILIUM_ORACLE=require makes a missing oracle a
//     failure.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/ringfence/ringfence/harness/netmodel"
	"github.com/ringfence/ringfence/internal/ciliumgen"
)

const (
	// baseSeed is the seed of set 0; set i has seed baseSeed+i.
	baseSeed = 20260714
	numSets  = 300
	// ciliumVersion is the version internal/difftest/cilium/go.mod requires.
	ciliumVersion = "v1.20.2"
	recordPath    = "testdata/cilium-verdicts.json"
	// maxReports caps the detailed reports of disagreeing sets.
	maxReports = 10
	// maxFlowsPerReport caps the flows shown per reported set.
	maxFlowsPerReport = 8
)

// recording is the content of testdata/cilium-verdicts.json.
type recording struct {
	Comment  string `json:"comment"`
	Cilium   string `json:"cilium"`
	BaseSeed uint64 `json:"baseSeed"`
	Sets     int    `json:"sets"`
	// SHA256 is the hash of the JSON array of the oracle inputs (cases and flows).
	SHA256  string        `json:"sha256"`
	Results []recordedSet `json:"results,omitempty"`
}

// recordedSet is the oracle's answer for one set: two characters per flow, in the order
// of ciliumgen.Set.Flows(), the egress verdict then the ingress verdict, each a (allow), d (deny)
// or - (that end is an IP address); and the policies Cilium refuses.
type recordedSet struct {
	Verdicts string   `json:"verdicts"`
	Refused  []string `json:"refused,omitempty"`
}

const recordingComment = "Cilium's verdicts on the cases internal/difftest/ciliumdiff generates " +
	"(written by RINGFENCE_RECORD=1 go test -run TestCiliumDifferential with cilium-oracle available). " +
	"verdicts: two characters per flow (egress, ingress): a allow, d deny, - an IP address."

func TestCiliumDifferential(t *testing.T) {
	sets := make([]*ciliumgen.Set, numSets)
	inputs := make([]oracleInput, numSets)
	for i := range sets {
		sets[i] = ciliumgen.Generate(baseSeed + uint64(i))
		inputs[i] = input(sets[i])
	}
	payload, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload)
	hash := hex.EncodeToString(sum[:])

	recorded, recErr := loadRecording()
	record := os.Getenv("RINGFENCE_RECORD") == "1"
	var results []recordedSet
	if oracle := oraclePath(); oracle != "" {
		start := time.Now()
		outs, err := runOracle(oracle, payload)
		t.Logf("%s answered in %v", oracle, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("%s: %v", oracle, err)
		}
		if len(outs) != numSets {
			t.Fatalf("%s answered %d sets, want %d", oracle, len(outs), numSets)
		}
		for i, out := range outs {
			rs, err := encodeVerdicts(out, len(inputs[i].Flows))
			if err != nil {
				t.Fatalf("%s, set %d: %v", oracle, i, err)
			}
			results = append(results, rs)
		}
		fresh := recording{Comment: recordingComment, Cilium: ciliumVersion, BaseSeed: baseSeed, Sets: numSets, SHA256: hash, Results: results}
		switch {
		case recErr == nil && recorded.SHA256 == hash && recorded.Cilium == ciliumVersion && slices.EqualFunc(recorded.Results, results, equalSet):
		case record:
			if err := writeRecording(fresh); err != nil {
				t.Fatal(err)
			}
			t.Logf("recorded %s", recordPath)
		default:
			why := "its verdicts differ from the oracle's"
			if recErr != nil {
				why = recErr.Error()
			} else if recorded.SHA256 != hash {
				why = "it was recorded for other cases (the generator changed)"
			}
			t.Errorf("%s is stale: %s; rerun with RINGFENCE_RECORD=1 to rewrite it", recordPath, why)
		}
	} else {
		switch {
		case os.Getenv("RINGFENCE_CILIUM_ORACLE") == "require":
			t.Fatalf("cilium-oracle not found in $RINGFENCE_TOOLS/bin or PATH (RINGFENCE_CILIUM_ORACLE=require): build it with bash .ci/tools.sh cilium")
		case record:
			t.Fatalf("RINGFENCE_RECORD=1 needs cilium-oracle: build it with bash .ci/tools.sh cilium")
		case recErr != nil:
			t.Fatalf("cilium-oracle is not available and %s cannot be used: %v; build the oracle with bash .ci/tools.sh cilium", recordPath, recErr)
		case recorded.SHA256 != hash || len(recorded.Results) != numSets:
			t.Fatalf("cilium-oracle is not available and %s was recorded for other cases (sha256 %s, the generated cases have %s): "+
				"build the oracle with bash .ci/tools.sh cilium and rerun with RINGFENCE_RECORD=1", recordPath, recorded.SHA256, hash)
		}
		t.Logf("cilium-oracle not available: using the verdicts recorded in %s", recordPath)
		results = recorded.Results
	}

	start := time.Now()
	var st stats
	var reports []string
	for i, s := range sets {
		rep := compareSet(s, results[i], &st)
		if rep != "" && len(reports) < maxReports {
			reports = append(reports, rep)
		}
	}
	summary := st.summary()
	t.Logf("ringfence compared in %v: %s", time.Since(start).Round(time.Millisecond), summary)
	for _, r := range reports {
		t.Error(r)
	}
	if st.disagreeSets > 0 {
		t.Errorf("ringfence disagrees with Cilium %s: %s", ciliumVersion, summary)
	}
}

// stats counts what the comparison saw.
type stats struct {
	sets, disagreeSets           int
	egress, ingress              int // verdicts compared
	egressDiffs, ingressDiffs    int
	policies, refused, refusedDf int
	otherErrors                  int
	kinds                        map[string]int // disagreement kinds
}

func (st *stats) note(kind string) {
	if st.kinds == nil {
		st.kinds = map[string]int{}
	}
	st.kinds[kind]++
}

func (st *stats) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d sets, %d verdicts compared (%d egress, %d ingress): %d disagree (%d egress, %d ingress) in %d sets; "+
		"%d policies, %d refused by Cilium, %d refusal disagreements; %d model errors on other objects",
		st.sets, st.egress+st.ingress, st.egress, st.ingress, st.egressDiffs+st.ingressDiffs, st.egressDiffs, st.ingressDiffs,
		st.disagreeSets, st.policies, st.refused, st.refusedDf, st.otherErrors)
	for _, k := range slices.Sorted(maps.Keys(st.kinds)) {
		fmt.Fprintf(&b, "\n  %6d  %s", st.kinds[k], k)
	}
	return b.String()
}

// compareSet compares the model with Cilium's answer for one set and returns a report
// of the disagreements ("" when there are none).
func compareSet(s *ciliumgen.Set, want recordedSet, st *stats) string {
	st.sets++
	m, errs := netmodel.FromObjects(s.Objects())
	errsAt := map[int][]string{}
	for _, e := range errs {
		errsAt[e.Index] = append(errsAt[e.Index], e.Error())
	}
	var lines []string
	diff := func(kind, line string) {
		st.note(kind)
		lines = append(lines, line)
	}

	// Objects other than policies must not fail.
	for i := range s.PolicyObject(0) {
		for _, e := range errsAt[i] {
			st.otherErrors++
			diff("model error on a Namespace or Pod", fmt.Sprintf("object %d: ringfence error: %s", i, e))
		}
	}
	// Refusals.
	refused := map[int]string{}
	for _, r := range want.Refused {
		i := policyIndex(s, r)
		if i < 0 {
			diff("oracle refusal of an unknown policy", "Cilium refuses an unknown policy: "+r)
			continue
		}
		refused[i] = r
	}
	for i, p := range s.Policies {
		st.policies++
		errs := errsAt[s.PolicyObject(i)]
		reason, isRefused := refused[i]
		if isRefused {
			st.refused++
		}
		switch {
		case isRefused && len(errs) == 0:
			st.refusedDf++
			diff("Cilium refuses a policy, ringfence takes it", fmt.Sprintf("%s: Cilium refuses it (%s); ringfence reports no error", policyID(p), reason))
		case !isRefused && len(errs) > 0:
			st.refusedDf++
			diff("Cilium imports a policy, ringfence reports errors", fmt.Sprintf("%s: Cilium imports it; ringfence reports %q", policyID(p), errs))
		}
	}

	// Verdicts.
	byKey := map[string]*netmodel.Workload{}
	for _, w := range m.Workloads() {
		byKey[w.Namespace+"/"+w.Name] = w
	}
	endpoint := func(end string) (netmodel.Endpoint, bool) {
		if s.IsPod(end) {
			w := byKey[end]
			return netmodel.Endpoint{Workload: w}, w != nil
		}
		return netmodel.Endpoint{IP: netip.MustParseAddr(end)}, true
	}
	shown := 0
	for j, f := range s.Flows() {
		src, okSrc := endpoint(f.From)
		dst, okDst := endpoint(f.To)
		if !okSrc || !okDst {
			diff("pod missing from the model", fmt.Sprintf("%s -> %s: a pod is not among the model's workloads", f.From, f.To))
			break
		}
		v := m.Check(src, dst, f.Port, corev1.Protocol(f.Protocol))
		wantE, wantI := want.Verdicts[2*j], want.Verdicts[2*j+1]
		var parts []string
		if src.Workload != nil {
			st.egress++
			if got := verdictChar(v.Egress.Allowed); got != wantE {
				st.egressDiffs++
				st.note(fmt.Sprintf("egress: Cilium %s, ringfence %s", word(wantE), word(got)))
				parts = append(parts, fmt.Sprintf("egress Cilium=%s ringfence=%s", word(wantE), word(got)))
			}
		}
		if dst.Workload != nil {
			st.ingress++
			if got := verdictChar(v.Ingress.Allowed); got != wantI {
				st.ingressDiffs++
				st.note(fmt.Sprintf("ingress: Cilium %s, ringfence %s", word(wantI), word(got)))
				parts = append(parts, fmt.Sprintf("ingress Cilium=%s ringfence=%s", word(wantI), word(got)))
			}
		}
		if len(parts) > 0 {
			if shown < maxFlowsPerReport {
				lines = append(lines, fmt.Sprintf("%s -> %s %d/%s: %s", f.From, f.To, f.Port, f.Protocol, strings.Join(parts, ", ")))
			}
			shown++
		}
	}
	if shown > maxFlowsPerReport {
		lines = append(lines, fmt.Sprintf("... and %d more disagreeing flows", shown-maxFlowsPerReport))
	}
	if len(lines) == 0 {
		return ""
	}
	st.disagreeSets++
	return describe(s) + "  disagreements:\n    " + strings.Join(lines, "\n    ")
}

func verdictChar(allowed bool) byte {
	if allowed {
		return 'a'
	}
	return 'd'
}

func word(c byte) string {
	switch c {
	case 'a':
		return "allow"
	case 'd':
		return "deny"
	}
	return string(c)
}

// describe shows a set compactly: its seed, namespaces, pods and policies as YAML.
func describe(s *ciliumgen.Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set with seed %d (set %d):\n  namespaces:", s.Seed, s.Seed-baseSeed)
	for _, ns := range s.Namespaces {
		fmt.Fprintf(&b, " %s%s", ns.Name, labelString(ns.Labels))
	}
	b.WriteString("\n  pods:\n")
	for _, p := range s.Pods {
		sa := p.ServiceAccount
		if p.OmitServiceAccount {
			sa += " (unset in the Pod)"
		}
		var ports []string
		for _, cp := range p.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d/%s", cp.Name, cp.Port, cp.Protocol))
		}
		fmt.Fprintf(&b, "    %s%s sa=%s ports=[%s]\n", p.Key(), labelString(p.Labels), sa, strings.Join(ports, " "))
	}
	b.WriteString("  policies:\n")
	for _, p := range s.Policies {
		out, err := yaml.Marshal(p)
		if err != nil {
			out = []byte(err.Error())
		}
		b.WriteString("    ---\n")
		for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	return b.String()
}

func labelString(l map[string]string) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		kv = append(kv, k+"="+l[k])
	}
	return "{" + strings.Join(kv, ",") + "}"
}

func policyID(p map[string]any) string {
	meta, _ := p["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	kind, _ := p["kind"].(string)
	return kind + "/" + ns + "/" + name
}

// policyIndex finds the policy an oracle refusal ("<kind>/<ns>/<name>: reason") names.
func policyIndex(s *ciliumgen.Set, refusal string) int {
	for i, p := range s.Policies {
		if refusedID(refusal) == policyID(p) {
			return i
		}
	}
	return -1
}

// encodeVerdicts turns an oracle answer into its recorded form.
func encodeVerdicts(out oracleOutput, flows int) (recordedSet, error) {
	if len(out.Verdicts) != flows {
		return recordedSet{}, fmt.Errorf("%d verdicts for %d flows", len(out.Verdicts), flows)
	}
	b := make([]byte, 0, 2*flows)
	for _, v := range out.Verdicts {
		for _, d := range []string{v.Egress, v.Ingress} {
			switch d {
			case "allow":
				b = append(b, 'a')
			case "deny":
				b = append(b, 'd')
			case "":
				b = append(b, '-')
			default:
				return recordedSet{}, fmt.Errorf("verdict %q", d)
			}
		}
	}
	return recordedSet{Verdicts: string(b), Refused: out.Refused}, nil
}

// equalSet compares two answers: the verdicts and which policies are refused, not the
// reasons (Cilium words some from a map iteration: "combining FromEndpoints and
// FromEntities" one run, "combining FromEntities and FromEndpoints" the next).
func equalSet(a, b recordedSet) bool {
	return a.Verdicts == b.Verdicts && slices.EqualFunc(a.Refused, b.Refused, func(x, y string) bool {
		return refusedID(x) == refusedID(y)
	})
}

// refusedID is the "<kind>/<namespace>/<name>" an oracle refusal starts with.
func refusedID(refusal string) string {
	id, _, _ := strings.Cut(refusal, ": ")
	return id
}

// oraclePath finds cilium-oracle in the tool cache or on PATH; "" when it is in neither.
func oraclePath() string {
	dir := os.Getenv("RINGFENCE_TOOLS")
	if dir == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(cache, "ringfence-tools")
		}
	}
	if dir != "" {
		p := filepath.Join(dir, "bin", "cilium-oracle")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("cilium-oracle"); err == nil {
		return p
	}
	return ""
}

// runOracle asks the oracle about every set at once.
func runOracle(path string, payload []byte) ([]oracleOutput, error) {
	cmd := exec.Command(path)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var outs []oracleOutput
	if err := json.Unmarshal(stdout.Bytes(), &outs); err != nil {
		return nil, fmt.Errorf("decoding its answer: %w", err)
	}
	return outs, nil
}

func loadRecording() (recording, error) {
	var r recording
	raw, err := os.ReadFile(recordPath)
	if errors.Is(err, os.ErrNotExist) {
		return r, fmt.Errorf("%s does not exist", recordPath)
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("%s: %w", recordPath, err)
	}
	return r, nil
}

// writeRecording writes the recording with one set per line.
func writeRecording(r recording) error {
	results := r.Results
	r.Results = nil
	head, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(bytes.TrimRight(head, "\n"), []byte("\n}")))
	b.WriteString(",\n  \"results\": [\n")
	for i, rs := range results {
		line, err := json.Marshal(rs)
		if err != nil {
			return err
		}
		b.WriteString("    ")
		b.Write(line)
		if i < len(results)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  ]\n}\n")
	if err := os.MkdirAll(filepath.Dir(recordPath), 0o755); err != nil {
		return err
	}
	return os.WriteFile(recordPath, b.Bytes(), 0o644)
}
