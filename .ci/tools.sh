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

# install NAME MODULE@VERSION: skipped when the cached binary was built from that module
# version (go version -m reads it from the binary).
install() {
	local name=$1 module=$2
	if [ -x "$BIN/$name" ] && go version -m "$BIN/$name" 2>/dev/null |
		awk '$1 == "mod" { print $2 "@" $3 }' | grep -qx -- "$module"; then
		return
	fi
	echo "installing $module into $BIN" >&2
	GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$module" >&2
}

install opa "github.com/open-policy-agent/opa@$OPA_VERSION"

# Optional tools, by name: .ci/tools.sh conftest
for tool in "$@"; do
	case $tool in
	conftest) install conftest "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" ;;
	*) echo "unknown tool $tool" >&2; exit 2 ;;
	esac
done

echo "$BIN"
