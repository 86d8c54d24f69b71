// Package oci moves OPA bundles through OCI registries, in the layout OPA's OCI
// downloader reads: an OCI image manifest whose layer is the bundle tarball
// (application/vnd.oci.image.layer.v1.tar+gzip), with an image config of its own media
// type. Signatures stay inside the bundle (.signatures.json), where opa run
// --verification-key checks them.
//
// Credentials come from the Docker config file, as docker login and oras login write it
// (DOCKER_CONFIG, else ~/.docker/config.json), including credential helpers.
package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// ArtifactType names ringfence bundles in the manifest's annotations.
const ArtifactType = "application/vnd.openpolicyagent.bundle"

// Options say how to reach the registry.
type Options struct {
	// PlainHTTP talks HTTP instead of HTTPS: for a registry on loopback only.
	PlainHTTP bool
	// DockerConfig is the Docker config file with the credentials; "" is Docker's own
	// location (DOCKER_CONFIG, else ~/.docker/config.json).
	DockerConfig string
}

// repository opens ref's repository with opts.
func repository(ref string, opts Options) (*remote.Repository, registry.Reference, error) {
	r, err := registry.ParseReference(ref)
	if err != nil {
		return nil, registry.Reference{}, fmt.Errorf("reference %q: %w", ref, err)
	}
	if r.Reference == "" {
		r.Reference = "latest"
	}
	repo, err := remote.NewRepository(r.Registry + "/" + r.Repository)
	if err != nil {
		return nil, r, fmt.Errorf("reference %q: %w", ref, err)
	}
	repo.PlainHTTP = opts.PlainHTTP
	var store credentials.Store
	if opts.DockerConfig != "" {
		store, err = credentials.NewStore(opts.DockerConfig, credentials.StoreOptions{})
	} else {
		store, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
	}
	if err != nil {
		return nil, r, fmt.Errorf("registry credentials: %w", err)
	}
	repo.Client = &auth.Client{Client: retry.DefaultClient, Cache: auth.NewCache(), Credential: credentials.Credential(store)}
	return repo, r, nil
}

// login adds to an error of a registry that asked for credentials where the Docker config
// has none for it what to do about it.
func login(err error, r registry.Reference) error {
	if errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return fmt.Errorf("%w: %s asks for a login and the Docker config file has no credentials for it (docker login %s, or oras login, writes them)", err, r.Registry, r.Registry)
	}
	return err
}

// Push uploads the bundle tarball to ref (registry/repository[:tag], default tag
// latest) and returns the manifest's digest.
func Push(ctx context.Context, bundle []byte, ref string, opts Options) (digest.Digest, error) {
	repo, r, err := repository(ref, opts)
	if err != nil {
		return "", err
	}
	mem := memory.New()
	layer := content.NewDescriptorFromBytes(ocispec.MediaTypeImageLayerGzip, bundle)
	layer.Annotations = map[string]string{ocispec.AnnotationTitle: "bundle.tar.gz"}
	if err := mem.Push(ctx, layer, bytes.NewReader(bundle)); err != nil {
		return "", err
	}
	config := []byte("{}")
	configDesc := content.NewDescriptorFromBytes(ocispec.MediaTypeImageConfig, config)
	if err := mem.Push(ctx, configDesc, bytes.NewReader(config)); err != nil {
		return "", err
	}
	manifest, err := oras.PackManifest(ctx, mem, oras.PackManifestVersion1_0, "", oras.PackManifestOptions{
		Layers:           []ocispec.Descriptor{layer},
		ConfigDescriptor: &configDesc,
		ManifestAnnotations: map[string]string{
			ocispec.AnnotationCreated:          time.Unix(0, 0).UTC().Format(time.RFC3339),
			"org.opencontainers.artifact.type": ArtifactType,
		},
	})
	if err != nil {
		return "", fmt.Errorf("packing the bundle: %w", err)
	}
	if err := mem.Tag(ctx, manifest, r.Reference); err != nil {
		return "", err
	}
	if _, err := oras.Copy(ctx, mem, r.Reference, repo, r.Reference, oras.DefaultCopyOptions); err != nil {
		return "", fmt.Errorf("pushing to %s: %w", ref, login(err, r))
	}
	return manifest.Digest, nil
}

// Pull downloads the bundle tarball ref names: the gzip layer of its manifest, as OPA's
// downloader takes it.
func Pull(ctx context.Context, ref string, opts Options) ([]byte, digest.Digest, error) {
	repo, r, err := repository(ref, opts)
	if err != nil {
		return nil, "", err
	}
	desc, rc, err := repo.FetchReference(ctx, r.Reference)
	if err != nil {
		return nil, "", fmt.Errorf("pulling %s: %w", ref, login(err, r))
	}
	raw, err := content.ReadAll(rc, desc)
	rc.Close()
	if err != nil {
		return nil, "", fmt.Errorf("pulling %s: %w", ref, err)
	}
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return nil, "", fmt.Errorf("%s is a %s, not an OCI image manifest", ref, desc.MediaType)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", fmt.Errorf("%s: manifest: %w", ref, err)
	}
	for _, l := range m.Layers {
		if l.MediaType != ocispec.MediaTypeImageLayerGzip {
			continue
		}
		rc, err := repo.Fetch(ctx, l)
		if err != nil {
			return nil, "", fmt.Errorf("pulling %s: layer %s: %w", ref, l.Digest, err)
		}
		defer rc.Close()
		data, err := content.ReadAll(rc, l)
		if err != nil {
			return nil, "", fmt.Errorf("pulling %s: layer %s: %w", ref, l.Digest, err)
		}
		return data, desc.Digest, nil
	}
	return nil, "", errors.New(ref + ": the manifest has no " + ocispec.MediaTypeImageLayerGzip + " layer")
}
