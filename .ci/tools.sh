#!/usr/bin/env bash
# Installs the pinned external programs ringfence's lints and tests run, from the Go
# module proxy, into a cache outside the checkout that later runs reuse.
# Prints the bin directory to add to PATH.
set -euo pipefail

TOOLS_DIR=${RINGFENCE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/ringfence-tools}
BIN="$TOOLS_DIR/bin"
mkdir -p "$BIN"

OPA_VERSION=v1.22.2
CONFTEST_VERSION=v0.71.1
GATEKEEPER_VERSION=v3.23.1
# Must match the k8s.io/kubernetes version internal/kubetools/kube/go.mod requires.
KUBERNETES_VERSION=v1.37.2
# Helm and Kustomize, whose libraries render charts and kustomizations in-process: the
# programs must be the versions go.mod requires (Helm) or builds on (Kustomize's api),
# so that the end-to-end tests compare the library with its own command.
HELM_VERSION=v4.3.2
# v5.8.3 needs Go 1.27 and a kube-openapi version the module proxy does not serve;
# v5.8.2 is the release built on sigs.k8s.io/kustomize/api v0.21.2.
KUSTOMIZE_VERSION=v5.8.2
# The CNCF distribution registry, for the OCI bundle tests.
REGISTRY_VERSION=v3.1.2
# Microsoft's SARIF validator, the self-contained Linux build published on npm.
SARIF_MULTITOOL_VERSION=5.7.0
# Cilium: the CiliumNetworkPolicy CRDs for the live audit tests (cilium-crds), and the
# version internal/difftest/cilium/go.mod requires for the oracle (cilium).
CILIUM_VERSION=v1.20.2

# install NAME PACKAGE MODULE@VERSION: go install PACKAGE@VERSION, skipped when the cached
# binary was built from that module version (go version -m reads it from the binary).
install() {
	local name=$1 package=$2 module=$3
	if [ -x "$BIN/$name" ] && go version -m "$BIN/$name" 2>/dev/null |
		awk '$1 == "mod" { print $2 "@" $3 }' | grep -qx -- "$module"; then
		return
	fi
	echo "installing $package@${module#*@} into $BIN" >&2
	GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$package@${module#*@}" >&2
}

# build NAME DIR [LDFLAGS]: go build the wrapper module in DIR (internal/kubetools/*,
# whose go.mod pins the upstream version), skipped when the cached binary was built from
# the same go.mod, go.sum, main.go and flags (a stamp of their hash sits beside it).
build() {
	local name=$1 dir=$2 ldflags=${3:-} stamp
	stamp=$({ cat "$dir/go.mod" "$dir/go.sum" "$dir/main.go"; echo "$ldflags"; } | sha256sum | cut -d' ' -f1)
	if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/$name.stamp" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	echo "building $name from $dir into $BIN (minutes when cold)" >&2
	GOFLAGS=-buildvcs=false go build -C "$dir" -trimpath -ldflags "$ldflags" -o "$BIN/$name" . >&2
	echo "$stamp" >"$BIN/$name.stamp"
}

# build_cmd NAME DIR PKG: go build the package PKG (relative to DIR) of the module in DIR
# into $BIN/NAME, skipped when the cached binary was built from the same go.mod, go.sum and
# .go files of that module (a stamp of their hash sits beside it).
build_cmd() {
	local name=$1 dir=$2 pkg=$3 stamp
	stamp=$({
		cat "$dir/go.mod" "$dir/go.sum"
		(cd "$dir" && find . -name '*.go' -type f | LC_ALL=C sort | while IFS= read -r f; do
			echo "$f"
			cat "$f"
		done)
		echo "$pkg"
	} | sha256sum | cut -d' ' -f1)
	if [ -x "$BIN/$name" ] && [ "$(cat "$BIN/$name.stamp" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	echo "building $name from $dir into $BIN (minutes when cold)" >&2
	GOFLAGS=-buildvcs=false go build -C "$dir" -trimpath -o "$BIN/$name" "$pkg" >&2
	echo "$stamp" >"$BIN/$name.stamp"
}

# sarif_multitool: npm install the pinned Linux build of the SARIF Multitool into its own
# prefix in the cache (skipped when that version is there) and put a wrapper named
# sarif-multitool in $BIN. The package's postinstall only marks the binary executable;
# npm does not run install scripts unless approved, so the chmod is done here.
sarif_multitool() {
	local prefix="$TOOLS_DIR/npm/sarif-multitool-$SARIF_MULTITOOL_VERSION"
	local exe="$prefix/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
	if [ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]; then
		echo "sarif-multitool: only the linux x86_64 build is installed by this script" >&2
		exit 2
	fi
	if [ ! -f "$exe" ]; then
		echo "installing @microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION into $prefix" >&2
		mkdir -p "$prefix"
		npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts \
			"@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" >&2
	fi
	chmod u+x "$exe"
	local wrapper="#!/bin/sh
exec '$exe' \"\$@\""
	if [ "$(cat "$BIN/sarif-multitool" 2>/dev/null)" != "$wrapper" ]; then
		printf '%s\n' "$wrapper" >"$BIN/sarif-multitool"
		chmod +x "$BIN/sarif-multitool"
	fi
}

# precommit: make sure the pre-commit program, and git, which it runs, are on PATH; what
# is missing is installed from the distribution's packages with apt-get (CI runs as root
# on Debian). Not pinned: Debian 12 has pre-commit 3.0.4. The hook it runs is built from
# this checkout by the test.
precommit() {
	local missing=()
	command -v pre-commit >/dev/null || missing+=(pre-commit)
	command -v git >/dev/null || missing+=(git)
	if [ ${#missing[@]} -eq 0 ]; then
		return
	fi
	apt_install "install pre-commit (https://pre-commit.com)" "${missing[@]}"
}

# apt_install HINT PACKAGE...: install Debian packages, or say what to do without apt-get.
apt_install() {
	local hint=$1
	shift
	if ! command -v apt-get >/dev/null; then
		echo "$* not on PATH and no apt-get to install it: $hint" >&2
		exit 2
	fi
	echo "installing $* with apt-get" >&2
	apt-get update >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

# browser: headless Chromium for the review page's browser test, Debian's chromium
# package from apt-get when no chromium is on PATH (CI runs as root on Debian). Not
# pinned: the test drives it through the DevTools protocol, which chromedp follows.
browser() {
	if command -v chromium >/dev/null; then
		return
	fi
	apt_install "install Chromium (without it, and without RINGFENCE_E2E=require, the browser tests are skipped)" chromium
}

install opa github.com/open-policy-agent/opa "github.com/open-policy-agent/opa@$OPA_VERSION"

# Optional tools, by name: .ci/tools.sh conftest gator gatekeeper (the manager and its
# CRDs) kube (kube-apiserver and kube-controller-manager in one binary, and etcd) helm
# kustomize registry sarif (sarif-multitool, from npm)
# precommit (pre-commit and git, from apt-get when missing) chromium (from apt-get when
# missing) cilium-crds (Cilium's policy CRDs, copied from the module) cilium
# (cilium-oracle, Cilium's policy engine behind the differential test of the Cilium
# policy model, built from internal/difftest/cilium; minutes when cold, so .ci/run does
# not build it: the test then uses the verdicts recorded from it)
for tool in "$@"; do
	case $tool in
	chromium) browser ;;
	cilium)
		root=$(cd "$(dirname "$0")/.." && pwd)
		build_cmd cilium-oracle "$root/internal/difftest/cilium" ./cmd/cilium-oracle
		;;
	conftest) install conftest github.com/open-policy-agent/conftest "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" ;;
	gator) install gator github.com/open-policy-agent/gatekeeper/v3/cmd/gator "github.com/open-policy-agent/gatekeeper/v3@$GATEKEEPER_VERSION" ;;
	kube)
		root=$(cd "$(dirname "$0")/.." && pwd)
		build etcd "$root/internal/kubetools/etcd"
		if ! grep -q "k8s.io/kubernetes $KUBERNETES_VERSION\$" "$root/internal/kubetools/kube/go.mod"; then
			echo "internal/kubetools/kube/go.mod does not require k8s.io/kubernetes $KUBERNETES_VERSION" >&2
			exit 2
		fi
		# The version the binaries report, as the upstream release build stamps it.
		v=k8s.io/component-base/version
		build kube "$root/internal/kubetools/kube" "-X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=37"
		;;
	helm)
		root=$(cd "$(dirname "$0")/.." && pwd)
		if ! grep -q "helm.sh/helm/v4 $HELM_VERSION\$" "$root/go.mod"; then
			echo "go.mod does not require helm.sh/helm/v4 $HELM_VERSION" >&2
			exit 2
		fi
		install helm helm.sh/helm/v4/cmd/helm "helm.sh/helm/v4@$HELM_VERSION"
		;;
	kustomize) install kustomize sigs.k8s.io/kustomize/kustomize/v5 "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" ;;
	gatekeeper)
		# Gatekeeper's manager (the module's root package), and the CustomResourceDefinitions
		# of that release from the module's chart, which the manager needs in the API server.
		install gatekeeper github.com/open-policy-agent/gatekeeper/v3 "github.com/open-policy-agent/gatekeeper/v3@$GATEKEEPER_VERSION"
		crds="$TOOLS_DIR/gatekeeper-crds-$GATEKEEPER_VERSION"
		if [ ! -f "$crds/.done" ]; then
			src=$(go mod download -json "github.com/open-policy-agent/gatekeeper/v3@$GATEKEEPER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
			mkdir -p "$crds"
			cp "$src"/charts/gatekeeper/crds/*.yaml "$crds/"
			chmod u+w "$crds"/*.yaml
			touch "$crds/.done"
		fi
		;;
	cilium-crds)
		# The CustomResourceDefinitions of Cilium's policies (CiliumNetworkPolicy,
		# CiliumClusterwideNetworkPolicy, CiliumCIDRGroup), from the module; nothing is
		# built.
		crds="$TOOLS_DIR/cilium-crds-$CILIUM_VERSION"
		if [ ! -f "$crds/.done" ]; then
			src=$(go mod download -json "github.com/cilium/cilium@$CILIUM_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
			mkdir -p "$crds"
			for f in ciliumnetworkpolicies ciliumclusterwidenetworkpolicies ciliumcidrgroups; do
				cp "$src/pkg/k8s/apis/cilium.io/client/crds/v2/$f.yaml" "$crds/"
			done
			chmod u+w "$crds"/*.yaml
			touch "$crds/.done"
		fi
		;;
	registry) install registry github.com/distribution/distribution/v3/cmd/registry "github.com/distribution/distribution/v3@$REGISTRY_VERSION" ;;
	sarif) sarif_multitool ;;
	precommit) precommit ;;
	*) echo "unknown tool $tool" >&2; exit 2 ;;
	esac
done

echo "$BIN"
