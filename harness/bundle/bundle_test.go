package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/ringfence/ringfence/harness"
	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/internal/testkeys"
	"github.com/ringfence/ringfence/policies"
)

func build(t *testing.T, opts bundle.BuildOptions) *opabundle.Bundle {
	t.Helper()
	if opts.Policies == nil {
		opts.Policies = policies.FS
	}
	b, err := bundle.Build(context.Background(), opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return b
}

func encode(t *testing.T, b *opabundle.Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bundle.Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func keys(t *testing.T, alg string) testkeys.Pair {
	t.Helper()
	k, err := testkeys.For(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestBuildContents(t *testing.T) {
	manifest, err := os.ReadFile("../../bundle.manifest")
	if err != nil {
		t.Fatal(err)
	}
	b := build(t, bundle.BuildOptions{Manifest: manifest, Revision: "v1.2.3"})
	info, err := bundle.Inspect(bytes.NewReader(encode(t, b)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Revision != "v1.2.3" || !slices.Equal(info.Roots, []string{"ringfence"}) || info.RegoVersion == nil || *info.RegoVersion != 1 {
		t.Errorf("revision %q, roots %v, rego_version %v", info.Revision, info.Roots, info.RegoVersion)
	}
	if info.Signature != nil {
		t.Errorf("unsigned bundle has signature %+v", info.Signature)
	}

	// Every .rego file of the policy tree, at its path, plus data.json and .manifest.
	var want []string
	entries, _ := filepath.Glob("../../policies/*/*.rego")
	for _, e := range entries {
		want = append(want, strings.TrimPrefix(filepath.ToSlash(e), "../../policies"))
	}
	want = append(want, "/.manifest", "/data.json")
	slices.Sort(want)
	var got []string
	for _, f := range info.Files {
		got = append(got, f.Path)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	// The manifest lists every rule the library knows, with title and severity.
	eng, err := harness.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var rules []bundle.RuleSummary
	for _, r := range eng.Rules() {
		rules = append(rules, bundle.RuleSummary{ID: r.ID, Title: r.Title, Severity: r.Severity})
	}
	if diff := cmp.Diff(rules, info.Rules); diff != "" {
		t.Errorf("manifest rules (-library +bundle):\n%s", diff)
	}
	if b.Manifest.Metadata["name"] != "ringfence" {
		t.Errorf("manifest metadata from bundle.manifest lost: %v", b.Manifest.Metadata)
	}
	// The entry point reads the catalog and dispatch table from the bundle's data.
	rf, _ := b.Data["ringfence"].(map[string]any)
	for _, key := range []string{"catalog", "dispatch"} {
		if _, ok := rf[key]; !ok {
			t.Errorf("data.ringfence.%s missing", key)
		}
	}
	if _, ok := rf["config"]; ok {
		t.Error("data.ringfence.config present without --config")
	}
}

func TestBuildRevision(t *testing.T) {
	// Without a revision or a git checkout, the revision is a content hash: stable
	// across builds, different when the rules change.
	a := build(t, bundle.BuildOptions{})
	// Without bundle.manifest the bundle still owns only data.ringfence, leaving
	// data.inventory to whoever pushes it.
	if a.Manifest.Roots == nil || !slices.Equal(*a.Manifest.Roots, []string{"ringfence"}) {
		t.Errorf("default roots = %v, want [ringfence]", a.Manifest.Roots)
	}
	again := build(t, bundle.BuildOptions{})
	if !strings.HasPrefix(a.Manifest.Revision, "sha256:") || a.Manifest.Revision != again.Manifest.Revision {
		t.Errorf("revisions %q and %q, want one stable sha256: revision", a.Manifest.Revision, again.Manifest.Revision)
	}
	changed := copyPolicies(t)
	changed["surface/node_port.rego"].Data = append(changed["surface/node_port.rego"].Data, []byte("\n# changed\n")...)
	if other := build(t, bundle.BuildOptions{Policies: changed}); other.Manifest.Revision == a.Manifest.Revision {
		t.Error("revision did not change with a module")
	}
	cfg := config.Config{Exemptions: []config.Exemption{
		{Rule: "RF-POD-001", Namespace: "kube-system", Reason: "CNI"},
		{Rule: "RF-POD-009", Images: []string{"registry.k8s.io/kube-proxy:*"}, Reason: "node agent"},
	}}
	withCfg := build(t, bundle.BuildOptions{Config: &cfg})
	if withCfg.Manifest.Revision == a.Manifest.Revision {
		t.Error("revision did not change with the data")
	}
	rf := withCfg.Data["ringfence"].(map[string]any)
	shipped, ok := rf["config"].(map[string]any)
	if !ok {
		t.Fatal("--config not shipped as data.ringfence.config")
	}
	want := []any{
		map[string]any{"rule": "RF-POD-001", "namespace": "kube-system", "reason": "CNI"},
		map[string]any{"rule": "RF-POD-009", "images": []any{"registry.k8s.io/kube-proxy:*"}, "reason": "node agent"},
	}
	if diff := cmp.Diff(want, shipped["exemptions"]); diff != "" {
		t.Errorf("data.ringfence.config.exemptions (-want +got):\n%s", diff)
	}
	// In a git checkout, git describe names the revision.
	if _, err := os.Stat("../../.git"); err == nil {
		b := build(t, bundle.BuildOptions{PolicyDir: "../../policies"})
		if strings.HasPrefix(b.Manifest.Revision, "sha256:") || b.Manifest.Revision == "" {
			t.Errorf("revision in a git checkout = %q, want git describe", b.Manifest.Revision)
		}
	}
}

func copyPolicies(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := filepath.Glob("../../policies/*/*.rego")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		m[strings.TrimPrefix(filepath.ToSlash(e), "../../policies/")] = &fstest.MapFile{Data: data}
	}
	return m
}

func TestBuildErrors(t *testing.T) {
	bad := copyPolicies(t)
	bad["network/probe.rego"] = &fstest.MapFile{Data: []byte("package ringfence.rules.network.probe\n\ndeny contains \"x\" if http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1\"})\n")}
	tests := []struct {
		name    string
		opts    bundle.BuildOptions
		wantErr string
	}{
		{"forbidden built-in", bundle.BuildOptions{Policies: bad}, "undefined function http.send"},
		{"manifest without the ringfence root", bundle.BuildOptions{Manifest: []byte(`{"roots": ["other"]}`)}, `roots must contain "ringfence"`},
		{"manifest for Rego v0", bundle.BuildOptions{Manifest: []byte(`{"roots": ["ringfence"], "rego_version": 0}`)}, "rego_version 0"},
		{"manifest with an unknown field", bundle.BuildOptions{Manifest: []byte(`{"roots": ["ringfence"], "root": []}`)}, "unknown field"},
		{"config for an unknown rule", bundle.BuildOptions{Config: &config.Config{Exemptions: []config.Exemption{{Rule: "RF-NOPE-001", Reason: "x"}}}}, "RF-NOPE-001"},
		{"images for a rule without pod specs", bundle.BuildOptions{Config: &config.Config{Exemptions: []config.Exemption{{Rule: "RF-SURF-001", Images: []string{"x"}, Reason: "x"}}}}, "RF-SURF-001 inspects no pod specs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Policies == nil {
				tc.opts.Policies = policies.FS
			}
			_, err := bundle.Build(context.Background(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Build error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// Every algorithm signs and verifies, and the signature covers every file.
func TestSignVerifyAlgorithms(t *testing.T) {
	unsigned := build(t, bundle.BuildOptions{Revision: "test"})
	for _, alg := range bundle.Algorithms {
		t.Run(alg, func(t *testing.T) {
			k := keys(t, alg)
			b := build(t, bundle.BuildOptions{Revision: "test"})
			if err := bundle.Sign(b, bundle.SignOptions{Key: k.Private, Algorithm: alg, KeyID: "rf"}); err != nil {
				t.Fatalf("Sign: %v", err)
			}
			raw := encode(t, b)
			_, sig, err := bundle.Verify(bytes.NewReader(raw), bundle.VerifyOptions{Key: k.Public, KeyID: "rf"})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := &bundle.Signature{KeyID: "rf", Algorithm: alg, Files: len(unsigned.Modules) + 2}
			if diff := cmp.Diff(want, sig); diff != "" {
				t.Errorf("signature (-want +got):\n%s", diff)
			}
			// No file in the bundle holds the private key or secret.
			read, err := bundle.Read(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			contents := [][]byte{[]byte(strings.Join(read.Signatures.Signatures, "\n"))}
			for _, m := range read.Modules {
				contents = append(contents, m.Raw)
			}
			for _, v := range []any{read.Data, read.Manifest} {
				enc, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				contents = append(contents, enc)
			}
			secret := bytes.TrimSpace(k.Private)
			if lines := bytes.Split(secret, []byte("\n")); len(lines) > 2 {
				secret = lines[1] // the first line of the PEM body
			}
			for _, c := range contents {
				if bytes.Contains(c, secret) {
					t.Fatal("bundle contains the private key")
				}
			}
			info, err := bundle.Inspect(bytes.NewReader(raw), &bundle.VerifyOptions{Key: k.Public, KeyID: "rf"})
			if err != nil || info.Signature == nil || !info.Signature.Verified {
				t.Errorf("Inspect: %+v, %v", info, err)
			}
		})
	}
}

// tamper returns a copy of a signed bundle changed by f, keeping the old signature.
func tamper(t *testing.T, signed []byte, f func(*opabundle.Bundle)) []byte {
	t.Helper()
	b, err := bundle.Read(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	f(b)
	return encode(t, b)
}

func TestVerifyRejects(t *testing.T) {
	k := keys(t, "ES256")
	other := keys(t, "ES256")
	b := build(t, bundle.BuildOptions{Revision: "test"})
	claims := filepath.Join(t.TempDir(), "claims.json")
	if err := os.WriteFile(claims, []byte(`{"scope": "prod"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := bundle.Sign(b, bundle.SignOptions{Key: k.Private, Algorithm: "ES256", KeyID: "rf", ClaimsFile: claims}); err != nil {
		t.Fatal(err)
	}
	signed := encode(t, b)
	good := bundle.VerifyOptions{Key: k.Public, KeyID: "rf", Scope: "prod"}
	if _, _, err := bundle.Verify(bytes.NewReader(signed), good); err != nil {
		t.Fatalf("untampered bundle: %v", err)
	}
	unsigned := build(t, bundle.BuildOptions{Revision: "test"})

	tests := []struct {
		name    string
		bundle  []byte
		opts    bundle.VerifyOptions
		wantErr string
	}{
		{"modified rego", tamper(t, signed, func(b *opabundle.Bundle) {
			b.Modules[0].Raw = append(b.Modules[0].Raw, []byte("\n# tampered\n")...)
		}), good, "digest mismatch"},
		{"modified data", tamper(t, signed, func(b *opabundle.Bundle) {
			b.Data["ringfence"].(map[string]any)["dispatch"] = map[string]any{}
		}), good, "data.json: digest mismatch"},
		{"modified manifest", tamper(t, signed, func(b *opabundle.Bundle) { b.Manifest.Revision = "forged" }), good, ".manifest: digest mismatch"},
		{"added file", tamper(t, signed, func(b *opabundle.Bundle) {
			m := b.Modules[0]
			m.URL, m.Path = "/lib/extra.rego", "/lib/extra.rego"
			m.Raw = []byte("package ringfence.lib.extra\n")
			b.Modules = append(b.Modules, m)
		}), good, "not included in bundle signature"},
		{"removed file", tamper(t, signed, func(b *opabundle.Bundle) { b.Modules = b.Modules[1:] }), good, "specified in bundle signatures but not found"},
		{"wrong key", signed, bundle.VerifyOptions{Key: other.Public, KeyID: "rf", Scope: "prod"}, "failed to verify"},
		{"wrong key id", signed, bundle.VerifyOptions{Key: k.Public, KeyID: "staging", Scope: "prod"}, `signed with key id "rf", not "staging"`},
		{"wrong scope", signed, bundle.VerifyOptions{Key: k.Public, KeyID: "rf", Scope: "dev"}, `scope "prod", want "dev"`},
		{"no scope", signed, bundle.VerifyOptions{Key: k.Public, KeyID: "rf"}, `scope "prod", want ""`},
		{"unsigned", encode(t, unsigned), good, "not signed"},
		{"key of another type", signed, bundle.VerifyOptions{Key: keys(t, "RS256").Public, KeyID: "rf", Scope: "prod"}, "ES256 does not take an RSA key"},
		{"secret for a PEM algorithm", signed, bundle.VerifyOptions{Key: []byte("secret"), KeyID: "rf", Scope: "prod"}, "needs a PEM-encoded public key"},
		{"pinned algorithm differs", signed, bundle.VerifyOptions{Key: k.Public, KeyID: "rf", Scope: "prod", Algorithm: "ES384"}, "signed with ES256, not ES384"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := bundle.Verify(bytes.NewReader(tc.bundle), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Verify error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// A public key is never taken for an HMAC secret, and a private key never shows up in
// an error.
func TestKeyHandling(t *testing.T) {
	rsaKey := keys(t, "RS256")
	es := keys(t, "ES384")
	b := build(t, bundle.BuildOptions{Revision: "test"})
	tests := []struct {
		name    string
		opts    bundle.SignOptions
		wantErr string
	}{
		{"PEM key for HS256", bundle.SignOptions{Key: rsaKey.Private, Algorithm: "HS256"}, "HS256 needs a shared secret"},
		{"public key to sign", bundle.SignOptions{Key: rsaKey.Public, Algorithm: "RS256"}, `PEM block "PUBLIC KEY" is not a private key`},
		{"curve mismatch", bundle.SignOptions{Key: es.Private, Algorithm: "ES256"}, "ES256 needs a P-256 key, not P-384"},
		{"unknown algorithm", bundle.SignOptions{Key: rsaKey.Private, Algorithm: "none"}, `signing algorithm "none"`},
		{"not a key", bundle.SignOptions{Key: []byte("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n"), Algorithm: "RS256"}, "parsing PEM RSA PRIVATE KEY"},
		{"empty key", bundle.SignOptions{Algorithm: "HS256"}, "signing key is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := bundle.Sign(b, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Sign error %v, want %q", err, tc.wantErr)
			}
			if len(tc.opts.Key) > 0 && strings.Contains(err.Error(), strings.TrimSpace(string(tc.opts.Key))) {
				t.Fatal("error message contains the key")
			}
		})
	}
}
