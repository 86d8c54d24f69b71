package bundle

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"
)

// Algorithms are the JWS algorithms bundles can be signed with.
var Algorithms = []string{
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
	"HS256", "HS384", "HS512",
}

// DefaultKeyID is the key id used when none is given, as `opa run` does.
const DefaultKeyID = "default"

// SignOptions says how to sign a bundle. Key holds the private key (PEM) or, for the
// HS algorithms, the shared secret, exactly as read from the key file; it never appears
// in the bundle, an error or a log.
type SignOptions struct {
	Key        []byte
	Algorithm  string
	KeyID      string
	ClaimsFile string // JSON claims (such as "scope") added to the signature
}

// Sign replaces b's signature with one over every file in it.
func Sign(b *opabundle.Bundle, opts SignOptions) error {
	if !slices.Contains(Algorithms, opts.Algorithm) {
		return fmt.Errorf("signing algorithm %q: want one of %s", opts.Algorithm, strings.Join(Algorithms, ", "))
	}
	if len(opts.Key) == 0 {
		return errors.New("signing key is empty")
	}
	if err := checkKeyKind(opts.Key, opts.Algorithm, true); err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	keyID := opts.KeyID
	if keyID == "" {
		keyID = DefaultKeyID
	}
	b.Signatures = opabundle.SignaturesConfig{}
	sc := opabundle.NewSigningConfig(string(opts.Key), opts.Algorithm, opts.ClaimsFile)
	if err := b.GenerateSignature(sc, keyID, false); err != nil {
		return fmt.Errorf("signing bundle: %w", redact(err, opts.Key))
	}
	return nil
}

// VerifyOptions says how to check a bundle's signature. Key is the public key (PEM) or,
// for the HS algorithms, the shared secret. The algorithm is the signature's own when
// Algorithm is empty, provided it suits the key: a PEM public key only verifies the
// RSA or ECDSA algorithm of its type, and a secret only the HS algorithms.
type VerifyOptions struct {
	Key       []byte
	KeyID     string // the id the key is known by; the signature must name it when it names one
	Scope     string // the scope the signature must carry
	Algorithm string
}

// Signature describes a bundle's signature.
type Signature struct {
	KeyID     string `json:"keyID"`
	Algorithm string `json:"algorithm"`
	Scope     string `json:"scope,omitempty"`
	Files     int    `json:"files"`
}

// Verify reads a bundle and checks that it carries a signature made with the key, that
// the signature's scope is the one given, and that every file in the bundle is signed
// and unmodified and every signed file is present.
func Verify(r io.Reader, opts VerifyOptions) (*opabundle.Bundle, *Signature, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("reading bundle: %w", err)
	}
	unverified, err := Read(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	sig, err := Describe(unverified)
	if err != nil {
		return nil, nil, err
	}
	if sig == nil {
		return nil, nil, errors.New("bundle is not signed (no .signatures.json)")
	}
	keyID := opts.KeyID
	if keyID == "" {
		keyID = DefaultKeyID
	}
	if sig.KeyID != "" && sig.KeyID != keyID {
		return nil, nil, fmt.Errorf("bundle is signed with key id %q, not %q", sig.KeyID, keyID)
	}
	alg := opts.Algorithm
	if alg == "" {
		alg = sig.Algorithm
	}
	if !slices.Contains(Algorithms, alg) {
		return nil, nil, fmt.Errorf("signature algorithm %q: want one of %s", alg, strings.Join(Algorithms, ", "))
	}
	if opts.Algorithm != "" && sig.Algorithm != opts.Algorithm {
		return nil, nil, fmt.Errorf("bundle is signed with %s, not %s", sig.Algorithm, opts.Algorithm)
	}
	if err := checkKeyKind(opts.Key, alg, false); err != nil {
		return nil, nil, fmt.Errorf("verification key: %w", err)
	}
	if sig.Scope != opts.Scope {
		return nil, nil, fmt.Errorf("signature scope %q, want %q", sig.Scope, opts.Scope)
	}
	vc := opabundle.NewVerificationConfig(map[string]*opabundle.KeyConfig{
		keyID: {Key: string(opts.Key), Algorithm: alg, Scope: opts.Scope},
	}, keyID, opts.Scope, nil)
	b, err := opabundle.NewReader(bytes.NewReader(raw)).
		WithBundleVerificationConfig(vc).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotations(true).
		Read()
	if err != nil {
		return nil, nil, fmt.Errorf("verifying bundle: %w", redact(err, opts.Key))
	}
	sig.KeyID = keyID
	sig.Algorithm = alg
	return &b, sig, nil
}

// Describe reads b's signature without verifying it; nil when b is unsigned.
func Describe(b *opabundle.Bundle) (*Signature, error) {
	switch n := len(b.Signatures.Signatures); {
	case n == 0:
		return nil, nil
	case n > 1:
		return nil, fmt.Errorf(".signatures.json holds %d signatures, want one", n)
	}
	msg, err := jws.Parse([]byte(b.Signatures.Signatures[0]))
	if err != nil {
		return nil, fmt.Errorf(".signatures.json: %w", err)
	}
	sigs := msg.Signatures()
	if len(sigs) != 1 {
		return nil, fmt.Errorf(".signatures.json: token has %d signatures, want one", len(sigs))
	}
	h := sigs[0].ProtectedHeaders()
	out := &Signature{}
	if kid, ok := h.KeyID(); ok {
		out.KeyID = kid
	}
	if alg, ok := h.Algorithm(); ok {
		out.Algorithm = alg.String()
	}
	var claims opabundle.DecodedSignature
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		return nil, fmt.Errorf(".signatures.json: claims: %w", err)
	}
	if out.KeyID == "" {
		out.KeyID = claims.KeyID
	}
	out.Scope = claims.Scope
	out.Files = len(claims.Files)
	return out, nil
}

// checkKeyKind refuses a key that cannot belong to the algorithm, so a public key is
// never used as an HMAC secret and an RSA key never checks an ECDSA signature.
func checkKeyKind(key []byte, alg string, private bool) error {
	block, _ := pem.Decode(key)
	if strings.HasPrefix(alg, "HS") {
		if block != nil {
			return fmt.Errorf("%s needs a shared secret, and the file holds a PEM %s", alg, block.Type)
		}
		return nil
	}
	if block == nil {
		return fmt.Errorf("%s needs a PEM-encoded %s key", alg, map[bool]string{true: "private", false: "public"}[private])
	}
	var k any
	var err error
	switch {
	case private && block.Type == "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case private && block.Type == "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case private && block.Type == "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case !private && block.Type == "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(block.Bytes)
	case !private && block.Type == "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case !private && block.Type == "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			k = cert.PublicKey
		}
	default:
		return fmt.Errorf("PEM block %q is not a %s key", block.Type, map[bool]string{true: "private", false: "public"}[private])
	}
	if err != nil {
		return fmt.Errorf("parsing PEM %s: %w", block.Type, err)
	}
	switch k := k.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		if !strings.HasPrefix(alg, "RS") && !strings.HasPrefix(alg, "PS") {
			return fmt.Errorf("%s does not take an RSA key", alg)
		}
	case *ecdsa.PrivateKey:
		return checkCurve(alg, k.Curve.Params().BitSize)
	case *ecdsa.PublicKey:
		return checkCurve(alg, k.Curve.Params().BitSize)
	case ed25519.PrivateKey, ed25519.PublicKey:
		return fmt.Errorf("%s does not take an Ed25519 key", alg)
	default:
		return fmt.Errorf("unsupported key type %T", k)
	}
	return nil
}

// checkCurve ties each ES algorithm to its curve: P-256, P-384 and P-521.
func checkCurve(alg string, bits int) error {
	want := map[string]int{"ES256": 256, "ES384": 384, "ES512": 521}[alg]
	if want == 0 {
		return fmt.Errorf("%s does not take an ECDSA key", alg)
	}
	if bits != want {
		return fmt.Errorf("%s needs a P-%d key, not P-%d", alg, want, bits)
	}
	return nil
}

// redact removes the key material from an error message coming from a library.
func redact(err error, key []byte) error {
	if err == nil || len(bytes.TrimSpace(key)) == 0 {
		return err
	}
	msg := err.Error()
	for _, secret := range []string{string(key), strings.TrimSpace(string(key))} {
		if secret != "" && strings.Contains(msg, secret) {
			return errors.New(strings.ReplaceAll(msg, secret, "[key redacted]"))
		}
	}
	return err
}
