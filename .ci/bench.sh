#!/usr/bin/env bash
# make bench: whole commands side by side with hyperfine on generated inputs, the max RSS
# of each, and the per-rule cost table of ringfence test --profile.
#
# For each size in BENCH_SIZES it times, in one hyperfine invocation:
#   - ringfence as built from this checkout (BIN);
#   - ringfence as of BASELINE (a commit, built into BENCH from `git archive`);
#   - readfloor, which only reads the same files (split the documents, sigs.k8s.io/yaml
#     unmarshal, one thread): the floor;
#   - conftest --combine on the bundle ringfence builds (sizes up to CONFTEST_MAX, when
#     the tool cache has conftest: make tools).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${GO:=go}" "${BIN:=bin/ringfence}" "${BENCH:=${TMPDIR:-/tmp}/ringfence-bench}"
: "${BENCH_SIZES:=1000 10000 100000}" "${CONFTEST_MAX:=10000}" "${BASELINE:=d53db2e}"
: "${PROFILE_SIZE:=10000}" "${TOOLS:=}"

command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install hyperfine" >&2; exit 1; }
mkdir -p "$BENCH"

# The tools the comparison runs, built once into BENCH.
$GO build -o "$BENCH/readfloor" ./internal/readfloor
$GO build -o "$BENCH/maxrss" ./internal/maxrss
old="$BENCH/ringfence-$BASELINE"
if [ ! -x "$old" ]; then
	src="$BENCH/src-$BASELINE"
	rm -rf "$src" && mkdir -p "$src"
	git archive "$BASELINE" | tar -x -C "$src"
	$GO build -C "$src" -o "$old" ./cmd/ringfence
	rm -rf "$src"
fi
mkdir -p "$BENCH/conftest"
"$BIN" bundle build -o "$BENCH/ringfence.tar.gz" >/dev/null
tar -xzf "$BENCH/ringfence.tar.gz" -C "$BENCH/conftest" 2>/dev/null
conftest=""
[ -n "$TOOLS" ] && [ -x "$TOOLS/conftest" ] && conftest="$TOOLS/conftest"

for n in $BENCH_SIZES; do
	dir="$BENCH/$n"
	[ -d "$dir" ] || $GO run ./internal/synth/cmd -n "$n" -o "$dir"
	cmds=("$BIN test --fail-on none -o json $dir"
		"$old test --fail-on none -o json $dir"
		"$BENCH/readfloor $dir")
	if [ -n "$conftest" ] && [ "$n" -le "$CONFTEST_MAX" ]; then
		cmds+=("$conftest test --no-fail --combine --namespace ringfence.main -p $BENCH/conftest -d $BENCH/conftest/data.json -o json $dir")
	fi
	runs=3
	[ "$n" -lt 100000 ] || runs=1
	echo "== $n objects"
	hyperfine --warmup 1 --runs "$runs" -N --output null --export-markdown "$BENCH/results-$n.md" "${cmds[@]}"
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086 # the commands are words
		"$BENCH/maxrss" $c >/dev/null
	done
done

if [ -n "$PROFILE_SIZE" ]; then
	dir="$BENCH/$PROFILE_SIZE"
	[ -d "$dir" ] || $GO run ./internal/synth/cmd -n "$PROFILE_SIZE" -o "$dir"
	echo "== per-rule cost on $PROFILE_SIZE objects (ringfence test --profile)"
	"$BIN" test --profile --fail-on none -o json "$dir" 2>"$BENCH/profile-$PROFILE_SIZE.txt" >/dev/null
	cat "$BENCH/profile-$PROFILE_SIZE.txt"
fi
