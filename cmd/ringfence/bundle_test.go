package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringfence/ringfence/internal/testkeys"
)

func TestBundleCommands(t *testing.T) {
	dir := t.TempDir()
	keys, err := testkeys.For("PS256")
	if err != nil {
		t.Fatal(err)
	}
	priv := filepath.Join(dir, "private.pem")
	pub := filepath.Join(dir, "public.pem")
	if err := os.WriteFile(priv, keys.Private, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, keys.Public, 0o600); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "rf.tar.gz")

	r := ringfence(t, "", "bundle", "build", "--policies", "../../policies", "--manifest", "../../bundle.manifest", "--revision", "v9", "-o", b)
	if r.code != 0 || !strings.Contains(r.stdout, "revision v9") || !strings.Contains(r.stdout, "unsigned") {
		t.Fatalf("build: %+v", r)
	}
	r = ringfence(t, "", "bundle", "inspect", b)
	if r.code != 0 || !strings.Contains(r.stdout, "Signature: none") || !strings.Contains(r.stdout, "RF-NET-001") {
		t.Fatalf("inspect unsigned: %+v", r)
	}
	if r = ringfence(t, "", "bundle", "verify", b, "--verification-key", pub); r.code != 1 || !strings.Contains(r.stderr, "not signed") {
		t.Fatalf("verify unsigned: %+v", r)
	}

	r = ringfence(t, "", "bundle", "sign", b, "--signing-key", priv, "--signing-alg", "PS256", "--key-id", "ci")
	if r.code != 0 || !strings.Contains(r.stdout, "signed with PS256, key id ci") {
		t.Fatalf("sign: %+v", r)
	}
	if r = ringfence(t, "", "bundle", "verify", b, "--verification-key", pub, "--key-id", "ci"); r.code != 0 || !strings.Contains(r.stdout, "verified: revision v9") {
		t.Fatalf("verify: %+v", r)
	}
	r = ringfence(t, "", "bundle", "inspect", b, "--verification-key", pub, "--key-id", "ci", "-o", "json")
	var info struct {
		Revision  string
		Roots     []string
		Rules     []struct{ ID string }
		Files     []struct{ Path string }
		Signature struct {
			KeyID, Algorithm string
			Verified         bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || r.code != 0 {
		t.Fatalf("inspect json: %v: %+v", err, r)
	}
	if info.Revision != "v9" || len(info.Rules) == 0 || !info.Signature.Verified || info.Signature.KeyID != "ci" || info.Signature.Algorithm != "PS256" {
		t.Errorf("inspect json: %+v", info)
	}
	if r = ringfence(t, "", "bundle", "verify", b, "--verification-key", pub); r.code != 1 || !strings.Contains(r.stderr, `key id "ci", not "default"`) {
		t.Fatalf("verify with the default key id: %+v", r)
	}

	// Build and sign in one step.
	signed := filepath.Join(dir, "signed.tar.gz")
	if r = ringfence(t, "", "bundle", "build", "-o", signed, "--signing-key", priv, "--signing-alg", "PS256"); r.code != 0 {
		t.Fatalf("build --signing-key: %+v", r)
	}
	if r = ringfence(t, "", "bundle", "verify", signed, "--verification-key", pub); r.code != 0 {
		t.Fatalf("verify: %+v", r)
	}
}

func TestBundleUsageErrors(t *testing.T) {
	dir := t.TempDir()
	keys, err := testkeys.For("ES256")
	if err != nil {
		t.Fatal(err)
	}
	priv := filepath.Join(dir, "private.pem")
	if err := os.WriteFile(priv, keys.Private, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{"bundle", "build"}, "-o/--output is required"},
		{"unknown algorithm", []string{"bundle", "build", "-o", filepath.Join(dir, "x.tar.gz"), "--signing-key", priv, "--signing-alg", "none"}, `signing algorithm "none"`},
		{"PEM key as HMAC secret", []string{"bundle", "build", "-o", filepath.Join(dir, "x.tar.gz"), "--signing-key", priv, "--signing-alg", "HS256"}, "HS256 needs a shared secret"},
		{"missing key file", []string{"bundle", "build", "-o", filepath.Join(dir, "x.tar.gz"), "--signing-key", filepath.Join(dir, "nope.pem")}, "--signing-key: open"},
		{"missing verification key", []string{"bundle", "verify", filepath.Join(dir, "x.tar.gz")}, "--verification-key is required"},
		{"not a bundle", []string{"bundle", "inspect", priv}, "reading bundle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ringfence(t, "", tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q, want exit 2 and %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr+r.stdout, strings.Split(string(keys.Private), "\n")[1]) {
				t.Fatal("output contains the private key")
			}
			if _, err := os.Stat(filepath.Join(dir, "x.tar.gz")); err == nil {
				t.Fatal("a failed build left a bundle behind")
			}
		})
	}
}

func TestInventoryCommand(t *testing.T) {
	r := ringfence(t, "", "inventory", "../../fixtures/RF-NET-003/fire-no-default-deny.yaml")
	var inv struct {
		Namespace map[string]map[string]map[string]map[string]any
		Cluster   map[string]map[string]map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &inv); err != nil || r.code != 0 {
		t.Fatalf("inventory: %v: %+v", err, r)
	}
	if _, ok := inv.Cluster["v1"]["Namespace"]["shop"]; !ok {
		t.Errorf("Namespace shop not in cluster inventory: %v", inv.Cluster)
	}
	if _, ok := inv.Namespace["shop"]["networking.k8s.io/v1"]["NetworkPolicy"]["same-namespace-only"]; !ok {
		t.Errorf("NetworkPolicy shop/same-namespace-only not in namespaced inventory")
	}
	if r := ringfence(t, "apiVersion: v1\nkind: [\n", "inventory", "-"); r.code != 2 || !strings.Contains(r.stderr, "-: document 0, line 2") {
		t.Errorf("unreadable input: %+v", r)
	}
}

// TestBundlePushPullUsage: push and pull refuse what they cannot use before talking to a
// registry (the registry round trip is in e2e/oci_test.go).
func TestBundlePushPullUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notBundle := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notBundle, []byte("not a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bundle", "push", notBundle, "127.0.0.1:1/policy/ringfence:v1"}, notBundle + ": not a bundle"},
		{[]string{"bundle", "push", filepath.Join(dir, "missing.tar.gz"), "127.0.0.1:1/policy/ringfence:v1"}, "missing.tar.gz"},
		{[]string{"bundle", "pull", "127.0.0.1:1/policy/ringfence:v1"}, "--output is required"},
		{[]string{"bundle", "pull", "not a reference", "-o", filepath.Join(dir, "b.tar.gz")}, "not a reference"},
		{[]string{"bundle", "push", "--registry-config", notBundle, notBundle, "127.0.0.1:1/x:v1"}, "not a bundle"},
	} {
		r := ringfence(t, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("ringfence %v: exit %d, want 2 and %q in:\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
}
