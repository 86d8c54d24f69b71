#!/usr/bin/env bash
# Installs the pinned external programs ringfence's lints and tests run, from the Go
# module proxy, into a cache outside the checkout that later runs reuse.
# Prints the bin directory to add to PATH.
set -euo pipefail

TOOLS_DIR=${RINGFENCE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/ringfence-tools}
BIN="$TOOLS_DIR/bin"
mkdir -p "$BIN"

OPA_VERSION=v1.22.2

# install NAME MODULE@VERSION VERSION_CHECK_COMMAND EXPECTED
install() {
	local name=$1 module=$2 expected=$3
	shift 3
	if [ -x "$BIN/$name" ] && "$BIN/$name" "$@" 2>/dev/null | grep -q -- "$expected"; then
		return
	fi
	echo "installing $module into $BIN" >&2
	GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$module" >&2
}

install opa "github.com/open-policy-agent/opa@$OPA_VERSION" "Version: ${OPA_VERSION#v}" version

echo "$BIN"
