package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/load"
	"github.com/ringfence/ringfence/internal/fixtures"
	"github.com/ringfence/ringfence/internal/testkeys"
	"github.com/ringfence/ringfence/policies"
)

const opaStartLimit = 30 * time.Second

// signedBundle builds the rules into a bundle signed with alg under key id "rf" and
// writes it, with the public key, into dir.
func signedBundle(t *testing.T, dir, alg string, cfg *config.Config) (bundlePath, pubPath string, keys testkeys.Pair) {
	t.Helper()
	keys, err := testkeys.For(alg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(context.Background(), bundle.BuildOptions{Policies: policies.FS, Revision: "e2e-" + alg, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if err := bundle.Sign(b, bundle.SignOptions{Key: keys.Private, Algorithm: alg, KeyID: "rf"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, alg+".tar.gz", buf.Bytes()), writeFile(t, dir, alg+".pub", keys.Public), keys
}

// opaServer is an `opa run --server` on loopback.
type opaServer struct {
	url  string
	proc *process
}

func startOPA(t *testing.T, args ...string) (*opaServer, error) {
	t.Helper()
	addr := freeAddr(t)
	args = append([]string{"run", "--server", "--addr", addr, "--log-level", "error"}, args...)
	p := start(t, 10*time.Minute, tool(t, "opa"), args...)
	s := &opaServer{url: "http://" + addr, proc: p}
	return s, waitHTTP(t, p, s.url+"/health?bundles=true", opaStartLimit)
}

func (s *opaServer) do(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, out)
	}
	return out
}

// findings asks the server for the findings on one object, as the README documents.
func (s *opaServer) findings(t *testing.T, obj any) []verdict {
	t.Helper()
	var resp struct {
		Result []struct {
			Rule  string `json:"rule"`
			Msg   string `json:"msg"`
			Field string `json:"field"`
		} `json:"result"`
	}
	if err := json.Unmarshal(s.do(t, http.MethodPost, "/v1/data/ringfence/main/findings", map[string]any{"input": obj}), &resp); err != nil {
		t.Fatal(err)
	}
	var out []verdict
	for _, r := range resp.Result {
		out = append(out, verdict{r.Rule, r.Msg, r.Field})
	}
	return out
}

// serverVerdicts pushes the fixture's inventory and asks for every object's findings.
func (s *opaServer) serverVerdicts(t *testing.T, f fixtures.Fixture) []verdict {
	t.Helper()
	res := load.Paths(context.Background(), []string{f.Path}, nil)
	objs := make([]harness.Object, len(res.Documents))
	for i, d := range res.Documents {
		objs[i] = harness.Object{Data: d.Object}
	}
	inv, err := harness.Inventory(objs)
	if err != nil {
		t.Fatal(err)
	}
	s.do(t, http.MethodPut, "/v1/data/inventory", inv)
	out := []verdict{}
	for _, o := range objs {
		out = append(out, s.findings(t, o.Data)...)
	}
	return sortVerdicts(out)
}

// Every fixture gets the same findings from a stock OPA serving the signed bundle as
// from the library. Fixtures with parameters run in groups (parameterGroups), each on a
// server whose bundle carries the group's configuration.
func TestOPAServerParity(t *testing.T) {
	t.Parallel() // the parallel tests share GOMAXPROCS slots: conftest, gator and opa processes fill both cores
	compared, findings := 0, 0
	groups := parameterGroups(allFixtures(t))
	for i, g := range groups {
		// The defaults' bundle is signed with RS256, the groups' with ES256.
		alg, cfg := "RS256", (*config.Config)(nil)
		if i > 0 {
			alg, cfg = "ES256", &g.Config
		}
		bundlePath, pub, _ := signedBundle(t, t.TempDir(), alg, cfg)
		srv, err := startOPA(t, "--bundle", bundlePath, "--verification-key", pub, "--verification-key-id", "rf", "--signing-alg", alg)
		if err != nil {
			t.Fatalf("configuration group %d: %v", i, err)
		}
		for _, f := range g.Fixtures {
			want := libraryVerdictsUnder(t, f, g.Config, "opa")
			got := srv.serverVerdicts(t, f)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (configuration group %d): opa server differs from the library (-library +opa):\n%s", f.Path, i, diff)
			}
			compared++
			findings += len(want)
		}
		srv.proc.cmd.Cancel()
	}
	t.Logf("opa server: %d fixture comparisons in %d configurations, %d findings, all equal to the library's", compared, len(groups), findings)
}

// A bundle signed with each algorithm loads in `opa run --verification-key` and answers.
func TestOPALoadsEveryAlgorithm(t *testing.T) {
	pod := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "namespace": "shop"},
		"spec":     map[string]any{"hostNetwork": true, "containers": []any{map[string]any{"name": "app"}}},
	}
	for _, alg := range bundle.Algorithms {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			bp, pub, _ := signedBundle(t, dir, alg, nil)
			srv, err := startOPA(t, "--bundle", bp, "--verification-key", pub, "--verification-key-id", "rf", "--signing-alg", alg)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.findings(t, pod)
			if !strings.Contains(fmt.Sprint(got), "RF-POD-002") {
				t.Errorf("findings %v lack RF-POD-002 (hostNetwork)", got)
			}
		})
	}
}

// tampered rewrites a signed bundle with OPA's reader and writer, keeping its signature.
func tampered(t *testing.T, signed string, f func(*opabundle.Bundle)) []byte {
	t.Helper()
	raw, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	f(b)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Each tampered or mis-keyed bundle is rejected by ringfence bundle verify and by
// opa run, each with a message that says why.
func TestTamperedBundlesRejected(t *testing.T) {
	dir := t.TempDir()
	signed, pub, keys := signedBundle(t, dir, "ES384", nil)
	other, err := testkeys.For("ES384")
	if err != nil {
		t.Fatal(err)
	}
	otherPub := writeFile(t, dir, "other.pub", other.Public)
	claims := writeFile(t, dir, "claims.json", []byte(`{"scope": "prod"}`))
	scoped := func() []byte {
		raw, _ := os.ReadFile(signed)
		b, err := bundle.Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := bundle.Sign(b, bundle.SignOptions{Key: keys.Private, Algorithm: "ES384", KeyID: "rf", ClaimsFile: claims}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	unsigned := func() []byte {
		b, err := bundle.Build(context.Background(), bundle.BuildOptions{Policies: policies.FS, Revision: "unsigned"})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()

	type check struct {
		key, keyID, scope string
	}
	good := check{pub, "rf", ""}
	tests := []struct {
		name      string
		bundle    []byte
		check     check
		ringfence string // in ringfence's message
		opa       string // in opa's message
	}{
		{"modified rego", tampered(t, signed, func(b *opabundle.Bundle) {
			changed := false
			for i, m := range b.Modules {
				if strings.HasSuffix(m.Path, "lib/pss.rego") {
					b.Modules[i].Raw = bytes.Replace(m.Raw, []byte("privileged == true"), []byte("privileged == false"), 1)
					changed = !bytes.Equal(b.Modules[i].Raw, m.Raw)
				}
			}
			if !changed {
				t.Fatal("the tampering found nothing to change in lib/pss.rego")
			}
		}), good, "lib/pss.rego: digest mismatch", "lib/pss.rego: digest mismatch"},
		{"modified data", tampered(t, signed, func(b *opabundle.Bundle) {
			b.Data["ringfence"].(map[string]any)["config"] = map[string]any{"exemptions": []any{map[string]any{"rule": "RF-POD-001", "reason": "forged"}}}
		}), good, "data.json: digest mismatch", "data.json: digest mismatch"},
		{"modified manifest", tampered(t, signed, func(b *opabundle.Bundle) { b.Manifest.Revision = "forged" }), good, ".manifest: digest mismatch", ".manifest: digest mismatch"},
		{"added file", tampered(t, signed, func(b *opabundle.Bundle) {
			m := b.Modules[0]
			m.URL, m.Path, m.Raw = "/lib/backdoor.rego", "/lib/backdoor.rego", []byte("package ringfence.lib.backdoor\n\nx := 1\n")
			b.Modules = append(b.Modules, m)
		}), good, "lib/backdoor.rego not included in bundle signature", "lib/backdoor.rego not included in bundle signature"},
		{"removed file", tampered(t, signed, func(b *opabundle.Bundle) {
			for i, m := range b.Modules {
				if strings.HasSuffix(m.Path, "pod/privileged.rego") {
					b.Modules = append(b.Modules[:i], b.Modules[i+1:]...)
					break
				}
			}
		}), good, "[pod/privileged.rego] specified in bundle signatures but not found", "[pod/privileged.rego] specified in bundle signatures but not found"},
		{"wrong key", mustRead(t, signed), check{otherPub, "rf", ""}, "failed to verify", "failed to verify"},
		{"wrong scope", scoped, check{pub, "rf", "dev"}, `scope "prod", want "dev"`, "scope mismatch"},
		{"unsigned", unsigned, good, "not signed", "bundle missing .signatures.json file"},
	}
	rf := ringfenceBinary(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "b.tar.gz", tc.bundle)
			// ringfence bundle verify: exit 1 and the reason.
			out, code := runRingfence(t, rf, "bundle", "verify", path, "--verification-key", tc.check.key, "--key-id", tc.check.keyID, "--scope", tc.check.scope)
			if code != 1 || !strings.Contains(out, tc.ringfence) {
				t.Errorf("ringfence bundle verify: exit %d, output %q, want exit 1 and %q", code, out, tc.ringfence)
			}
			// opa run refuses to start on it.
			args := []string{"run", "--server", "--addr", freeAddr(t), "--bundle", path, "--verification-key", tc.check.key, "--verification-key-id", tc.check.keyID, "--signing-alg", "ES384"}
			if tc.check.scope != "" {
				args = append(args, "--scope", tc.check.scope)
			}
			p := start(t, time.Minute, tool(t, "opa"), args...)
			if !p.exited(opaStartLimit) {
				t.Fatalf("opa run accepted the bundle: %s", p.Output())
			}
			if p.err == nil || !strings.Contains(p.Output(), tc.opa) {
				t.Errorf("opa run: %v, output %q, want failure with %q", p.err, p.Output(), tc.opa)
			}
		})
	}

	// A key id the verifier does not know. opa run --verification-key-id names the key it
	// was given and checks the signature with it whatever the signature's kid says, so the
	// case is checked where OPA does match key ids: the bundle plugin, with a keys map and
	// no pinned key id, downloading the bundle from a loopback server.
	t.Run("wrong key id", func(t *testing.T) {
		out, code := runRingfence(t, rf, "bundle", "verify", signed, "--verification-key", pub, "--key-id", "prod")
		if want := `signed with key id "rf", not "prod"`; code != 1 || !strings.Contains(out, want) {
			t.Errorf("ringfence bundle verify: exit %d, output %q, want exit 1 and %q", code, out, want)
		}
		// As a control, the same setup with the right key id activates the bundle.
		for _, keyID := range []string{"rf", "prod"} {
			srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
			t.Cleanup(srv.Close)
			pem, _ := os.ReadFile(pub)
			cfg := map[string]any{
				"services": map[string]any{"local": map[string]any{"url": srv.URL}},
				"bundles": map[string]any{"ringfence": map[string]any{
					"service": "local", "resource": filepath.Base(signed),
					"signing": map[string]any{"scope": ""},
				}},
				"keys": map[string]any{keyID: map[string]any{"key": string(pem), "algorithm": "ES384"}},
			}
			raw, _ := json.Marshal(cfg)
			cfgPath := writeFile(t, t.TempDir(), "config.json", raw)
			if keyID == "rf" {
				if _, err := startOPA(t, "--config-file", cfgPath); err != nil {
					t.Errorf("bundle plugin with the signing key id: %v", err)
				}
				continue
			}
			// The plugin keeps retrying; its log names the unknown key id.
			p := start(t, time.Minute, tool(t, "opa"), "run", "--server", "--addr", freeAddr(t), "--config-file", cfgPath)
			want := "verification key corresponding to ID rf not found"
			deadline := time.Now().Add(opaStartLimit)
			for !strings.Contains(p.Output(), want) && time.Now().Before(deadline) && !p.exited(100*time.Millisecond) {
			}
			if !strings.Contains(p.Output(), want) {
				t.Errorf("bundle plugin output %q, want %q", p.Output(), want)
			}
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// A bundle opa build signs verifies with ringfence bundle verify, and opa build lays
// out the same policy tree the same way ringfence does.
func TestOPABuildBundleVerifies(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "policies")
	b, err := bundle.Build(context.Background(), bundle.BuildOptions{Policies: policies.FS, Revision: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range b.Modules {
		p := filepath.Join(src, filepath.FromSlash(strings.TrimPrefix(m.Path, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(p), filepath.Base(p), m.Raw)
	}
	for _, alg := range []string{"RS256", "PS512", "ES256", "HS384"} {
		t.Run(alg, func(t *testing.T) {
			keys, err := testkeys.For(alg)
			if err != nil {
				t.Fatal(err)
			}
			kd := t.TempDir()
			priv := writeFile(t, kd, "key", keys.Private)
			pub := writeFile(t, kd, "key.pub", keys.Public)
			out := filepath.Join(kd, "opa.tar.gz")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// Run from inside the directory, as "opa build -b ." puts paths relative to it.
			cmd := exec.CommandContext(ctx, tool(t, "opa"), "build", "-b", ".", "-o", out, "--signing-key", priv, "--signing-alg", alg, "--verification-key-id", "rf")
			cmd.Dir = src
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("opa build: %v: %s", err, msg)
			}
			msg, code := runRingfence(t, ringfenceBinary(t), "bundle", "verify", out, "--verification-key", pub, "--key-id", "rf")
			if code != 0 || !strings.Contains(msg, "verified") {
				t.Fatalf("ringfence bundle verify on opa's bundle: exit %d: %s", code, msg)
			}
			info, err := bundle.Inspect(bytes.NewReader(mustRead(t, out)), nil)
			if err != nil {
				t.Fatal(err)
			}
			var opaFiles, ours []string
			for _, f := range info.Files {
				if strings.HasSuffix(f.Path, ".rego") {
					opaFiles = append(opaFiles, f.Path)
				}
			}
			for _, m := range b.Modules {
				ours = append(ours, m.Path)
			}
			if diff := cmp.Diff(ours, opaFiles); diff != "" {
				t.Errorf("module paths (-ringfence +opa build):\n%s", diff)
			}
		})
	}
}

// Exemptions shipped as bundle data apply in OPA as in the library: an active one hides
// its finding (and lists it as exempted), an expired one does not, and the object's
// ringfence.dev/exempt annotation works too.
func TestOPAServerExemptions(t *testing.T) {
	cfg := config.Config{Exemptions: []config.Exemption{
		{Rule: "RF-POD-001", Namespace: "shop", Reason: "agent needs it", Expires: "2999-01-01"},
		{Rule: "RF-POD-002", Namespace: "sh*", Reason: "expired", Expires: "2020-01-01"},
	},
		// Baseline Pod Security Standards, from bundle data as well, and without the
		// hygiene rules, leave the host namespace and the privileged container.
		PodSecurity: &config.PodSecurity{Level: "baseline"},
		Disabled:    []string{"RF-POD-024", "RF-POD-025"},
	}
	pod := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "namespace": "shop", "annotations": map[string]any{"ringfence.dev/exempt": "RF-POD-004, RF-RBAC-001, RF-RBAC-017, RF-NET-024"}},
		"spec": map[string]any{"hostNetwork": true, "containers": []any{
			map[string]any{"name": "app", "securityContext": map[string]any{"privileged": true}},
		}},
	}
	eng, err := harness.New(context.Background(), harness.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Evaluate(context.Background(), []harness.Object{harness.FromMap(pod)})
	if err != nil {
		t.Fatal(err)
	}
	want := []verdict{}
	for _, f := range rep.Findings {
		want = append(want, verdict{f.Rule, f.Message, f.Field})
	}
	if len(want) != 1 || want[0].Rule != "RF-POD-002" {
		t.Fatalf("library findings %v, want RF-POD-002 alone", want)
	}

	bp, pub, _ := signedBundle(t, t.TempDir(), "ES256", &cfg)
	srv, err := startOPA(t, "--bundle", bp, "--verification-key", pub, "--verification-key-id", "rf", "--signing-alg", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sortVerdicts(srv.findings(t, pod))); diff != "" {
		t.Errorf("opa findings (-library +opa):\n%s", diff)
	}
	var exempted struct {
		Result []struct {
			Rule string `json:"rule"`
		} `json:"result"`
	}
	if err := json.Unmarshal(srv.do(t, http.MethodPost, "/v1/data/ringfence/main/exempted", map[string]any{"input": pod}), &exempted); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, e := range exempted.Result {
		rules = append(rules, e.Rule)
	}
	slices.Sort(rules)
	// RF-POD-004 is annotated too, but at the baseline level it finds nothing to exempt.
	if diff := cmp.Diff([]string{"RF-NET-024", "RF-POD-001", "RF-RBAC-001", "RF-RBAC-017"}, rules); diff != "" {
		t.Errorf("opa exempted rules (-want +got):\n%s", diff)
	}
}
