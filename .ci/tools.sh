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

install opa github.com/open-policy-agent/opa "github.com/open-policy-agent/opa@$OPA_VERSION"

# Optional tools, by name: .ci/tools.sh conftest gator
for tool in "$@"; do
	case $tool in
	conftest) install conftest github.com/open-policy-agent/conftest "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" ;;
	gator) install gator github.com/open-policy-agent/gatekeeper/v3/cmd/gator "github.com/open-policy-agent/gatekeeper/v3@$GATEKEEPER_VERSION" ;;
	*) echo "unknown tool $tool" >&2; exit 2 ;;
	esac
done

echo "$BIN"
