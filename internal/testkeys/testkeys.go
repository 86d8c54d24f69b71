// Package testkeys generates the key pairs tests sign and verify bundles with, written
// as the PEM files ringfence and opa read.
package testkeys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
)

// Pair is a private key and its public key, PEM-encoded; for the HS algorithms both
// hold the same shared secret.
type Pair struct {
	Private, Public []byte
}

// For returns a fresh key pair for a JWS algorithm: a 2048-bit RSA key for RS and PS, a
// key on the curve each ES algorithm names, or a random 256-bit secret for HS.
func For(alg string) (Pair, error) {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return Pair{}, err
		}
		return encode(k, &k.PublicKey)
	case strings.HasPrefix(alg, "ES"):
		curve, ok := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if !ok {
			return Pair{}, fmt.Errorf("no curve for %s", alg)
		}
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return Pair{}, err
		}
		return encode(k, &k.PublicKey)
	case strings.HasPrefix(alg, "HS"):
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return Pair{}, err
		}
		s := []byte(hex.EncodeToString(secret))
		return Pair{Private: s, Public: s}, nil
	}
	return Pair{}, fmt.Errorf("unknown algorithm %s", alg)
}

func encode(priv, pub any) (Pair, error) {
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Pair{}, err
	}
	pk, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return Pair{}, err
	}
	return Pair{
		Private: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		Public:  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}),
	}, nil
}
