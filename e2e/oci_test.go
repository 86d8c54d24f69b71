package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"golang.org/x/crypto/bcrypt"

	"github.com/ringfence/ringfence/harness/bundle"
	"github.com/ringfence/ringfence/harness/config"
	"github.com/ringfence/ringfence/harness/oci"
	"github.com/ringfence/ringfence/internal/testkeys"
	"github.com/ringfence/ringfence/policies"
)

// startRegistry starts the CNCF distribution registry on loopback with storage in a
// temporary directory, and returns its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	p := start(t, 10*time.Minute, tool(t, "registry"), "serve", writeFile(t, dir, "config.yml", []byte(cfg)))
	if err := waitHTTP(t, p, "http://"+addr+"/v2/", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return addr
}

// bundleBytes builds the rules into a bundle with revision and cfg, signed with keys
// (unsigned when keys is nil).
func bundleBytes(t *testing.T, revision string, cfg *config.Config, keys *testkeys.Pair) []byte {
	t.Helper()
	b, err := bundle.Build(context.Background(), bundle.BuildOptions{Policies: policies.FS, Revision: revision, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if keys != nil {
		if err := bundle.Sign(b, bundle.SignOptions{Key: keys.Private, Algorithm: "RS256", KeyID: "rf"}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOCIBundle pushes the signed bundle to a real registry, pulls it back, and has a
// stock opa run download it through its OCI downloader, verify it and answer; a bundle
// pushed again with a rule switched off is picked up by polling; a bundle the key did
// not sign is refused, and OPA keeps the last good one.
func TestOCIBundle(t *testing.T) {
	reg := startRegistry(t)
	keys, err := testkeys.For("RS256")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := oci.Options{PlainHTTP: true, DockerConfig: filepath.Join(dir, "docker-config.json")}
	ref := reg + "/ringfence/rules:v1"
	ctx := t.Context()

	// The first push and pull go through the CLI.
	first := bundleBytes(t, "oci-1", nil, &keys)
	bin := ringfenceBinary(t)
	reg1 := []string{"--plain-http", "--registry-config", opts.DockerConfig}
	if out, code := runRingfence(t, bin, append([]string{"bundle", "push", writeFile(t, dir, "first.tar.gz", first), ref}, reg1...)...); code != 0 {
		t.Fatalf("ringfence bundle push: exit %d: %s", code, out)
	}
	pulledFile := filepath.Join(dir, "pulled.tar.gz")
	if out, code := runRingfence(t, bin, append([]string{"bundle", "pull", ref, "-o", pulledFile}, reg1...)...); code != 0 {
		t.Fatalf("ringfence bundle pull: exit %d: %s", code, out)
	}
	pulled, err := os.ReadFile(pulledFile)
	if err != nil || !bytes.Equal(pulled, first) {
		t.Fatalf("pull: %v, %d bytes, want the %d pushed", err, len(pulled), len(first))
	}
	if out, code := runRingfence(t, bin, "bundle", "verify", pulledFile, "--key-id", "rf", "--verification-key", writeFile(t, dir, "rf.pub", keys.Public)); code != 0 {
		t.Fatalf("ringfence bundle verify of the pulled bundle: exit %d: %s", code, out)
	}

	opaCfg := fmt.Sprintf(`services:
  registry:
    url: http://%s
    type: oci
bundles:
  ringfence:
    service: registry
    resource: %s
    polling:
      min_delay_seconds: 1
      max_delay_seconds: 2
    signing:
      keyid: rf
keys:
  rf:
    algorithm: RS256
    key: %q
`, reg, ref, keys.Public)
	// At info level OPA logs each bundle it activates and each it refuses.
	s, err := startOPA(t, "--config-file", writeFile(t, dir, "opa.yaml", []byte(opaCfg)), "--log-level", "info")
	if err != nil {
		t.Fatal(err)
	}
	privileged := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p", "namespace": "shop"},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "registry.example.com/c:1", "securityContext": map[string]any{"privileged": true}}}}}
	has := func(rule string) bool {
		return slices.ContainsFunc(s.findings(t, privileged), func(v verdict) bool { return v.Rule == rule })
	}
	if !has("RF-POD-001") || revision(t, s) != "oci-1" {
		t.Fatalf("revision %q: the privileged pod has no RF-POD-001 finding", revision(t, s))
	}
	t.Logf("OPA activated oci-1 from the registry, its signature checked against key rf: %s", logLine(s.proc.Output(), "activated successfully"))

	// Pushed again with RF-POD-001 switched off: OPA's polling picks it up.
	if _, err := oci.Push(ctx, bundleBytes(t, "oci-2", &config.Config{Disabled: []string{"RF-POD-001"}}, &keys), ref, opts); err != nil {
		t.Fatal(err)
	}
	if !eventually(30*time.Second, func() bool { return revision(t, s) == "oci-2" }) {
		t.Fatalf("OPA still serves revision %q after the push of oci-2", revision(t, s))
	}
	if has("RF-POD-001") {
		t.Error("revision oci-2 switches RF-POD-001 off, yet OPA reports it")
	}

	// Unsigned, signed by a key OPA does not trust, or signed and then changed: refused
	// each time, and OPA keeps serving oci-2.
	other, err := testkeys.For("RS256")
	if err != nil {
		t.Fatal(err)
	}
	other.Private, err = os.ReadFile(writeFile(t, dir, "other.pem", otherKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		data    []byte
		refusal string // what OPA logs when it refuses the bundle
	}{
		{bundleBytes(t, "oci-3", nil, nil), "bundle missing .signatures.json file"},
		{bundleBytes(t, "oci-4", nil, &other), "failed to verify JWT signature"},
		// The signed oci-1 with its data changed after signing.
		{tampered(t, writeFile(t, dir, "oci-1.tar.gz", first), func(b *opabundle.Bundle) {
			b.Data["ringfence"].(map[string]any)["config"] = map[string]any{"disabled": []any{"RF-POD-002"}}
		}), "data.json: digest mismatch"},
	} {
		if _, err := oci.Push(ctx, bad.data, ref, opts); err != nil {
			t.Fatal(err)
		}
		// OPA polled the bad bundle and refused it: it says so.
		if !eventually(30*time.Second, func() bool { return strings.Contains(s.proc.Output(), bad.refusal) }) {
			t.Fatalf("OPA never refused the pushed bundle with %q:\n%s", bad.refusal, s.proc.Output())
		}
		t.Logf("OPA refused the bundle: %s", logLine(s.proc.Output(), bad.refusal))
		if got := revision(t, s); got != "oci-2" {
			t.Errorf("after a bad bundle was pushed, OPA serves revision %q, want oci-2 kept", got)
		}
	}
	if has("RF-POD-001") {
		t.Error("the refused bundles switched RF-POD-001 back on")
	}
}

// logLine is the first line of a log that contains s.
func logLine(log, s string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

// otherKey is an RSA private key OPA's configuration does not name.
func otherKey(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// revision is the revision of the bundle the OPA server has activated.
func revision(t *testing.T, s *opaServer) string {
	t.Helper()
	var resp struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal(s.do(t, http.MethodPost, "/v1/data/system/bundles/ringfence/manifest/revision", map[string]any{}), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Result
}

// eventually polls cond every 200ms until it holds or limit passes.
func eventually(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return cond()
}

// TestOCIRegistryCredentials: against a registry that requires a login (htpasswd, over
// TLS with a CA the test made), bundle push and pull fail without credentials and work
// with those the Docker config file holds, named by --registry-config or found through
// DOCKER_CONFIG, as docker login writes them.
func TestOCIRegistryCredentials(t *testing.T) {
	dir := t.TempDir()
	servingCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := writeFile(t, dir, "htpasswd", []byte("ringfence:"+string(hash)+"\n"))
	addr := freeAddr(t)
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: %s
auth:
  htpasswd:
    realm: ringfence-e2e
    path: %s
http:
  addr: %s
  tls:
    certificate: %s
    key: %s
`, filepath.Join(dir, "data"), htpasswd, addr, filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	p := start(t, 10*time.Minute, tool(t, "registry"), "serve", writeFile(t, dir, "config.yml", []byte(cfg)))
	https := tlsClient(t, mustRead(t, filepath.Join(dir, "ca.crt")))
	if !eventually(30*time.Second, func() bool {
		resp, err := https.Get("https://" + addr + "/v2/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusUnauthorized
	}) {
		t.Fatalf("the registry never asked for a login on https://%s/v2/: %s", addr, p.Output())
	}

	bin := ringfenceBinary(t)
	bundleFile := writeFile(t, dir, "ringfence.tar.gz", bundleBytes(t, "creds", nil, nil))
	ref := addr + "/policy/ringfence:v1"
	// run runs the CLI trusting the test's CA, with DOCKER_CONFIG set to dockerDir.
	run := func(dockerDir string, args ...string) (string, int) {
		t.Helper()
		return runRingfenceEnv(t, bin, []string{"SSL_CERT_FILE=" + filepath.Join(dir, "ca.crt"), "DOCKER_CONFIG=" + dockerDir}, args...)
	}
	anonymous := t.TempDir()
	writeFile(t, anonymous, "config.json", []byte(`{"auths": {}}`))
	if out, code := run(anonymous, "bundle", "push", bundleFile, ref); code != 2 || !strings.Contains(out, "asks for a login") {
		t.Errorf("push without credentials: exit %d, want 2 and the registry's request for a login:\n%s", code, out)
	}
	loggedIn := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("ringfence:s3cret"))
	writeFile(t, loggedIn, "config.json", []byte(fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, addr, auth)))
	// --registry-config names the file; DOCKER_CONFIG points at the anonymous one.
	if out, code := run(anonymous, "bundle", "push", bundleFile, ref, "--registry-config", filepath.Join(loggedIn, "config.json")); code != 0 {
		t.Fatalf("push with --registry-config: exit %d:\n%s", code, out)
	}
	// Without the flag, DOCKER_CONFIG's config.json, as docker login writes it.
	pulled := filepath.Join(dir, "pulled.tar.gz")
	if out, code := run(loggedIn, "bundle", "pull", ref, "-o", pulled); code != 0 {
		t.Fatalf("pull with DOCKER_CONFIG: exit %d:\n%s", code, out)
	}
	if !bytes.Equal(mustRead(t, pulled), mustRead(t, bundleFile)) {
		t.Error("the pulled bundle differs from the pushed one")
	}
	if out, code := run(anonymous, "bundle", "pull", ref, "-o", pulled); code != 2 || !strings.Contains(out, "asks for a login") {
		t.Errorf("pull without credentials: exit %d, want 2 and the registry's request for a login:\n%s", code, out)
	}
}
