# ringfence: build, test, lint, demo and benchmarks.
GO      ?= go
BIN     := bin/ringfence
TOOLS    = $(shell bash .ci/tools.sh 2>/dev/null || echo /nonexistent)
BENCH   ?= $(or $(TMPDIR),/tmp)/ringfence-bench

.PHONY: all build test lint demo bench tools clean

all: build test

build:
	$(GO) build -o $(BIN) ./cmd/ringfence

test:
	$(GO) test ./...

lint:
	PATH="$(TOOLS):$$PATH" bash .ci/lint

# The example shop has deliberate problems: ringfence exits 1 on them, which is the point.
demo: build
	@$(BIN) test examples/ ; status=$$?; [ $$status -le 1 ] || exit $$status

# Go benchmarks, then whole commands side by side with hyperfine (apt-get install
# hyperfine) on generated inputs of BENCH_SIZES objects. conftest (built into the tool
# cache by `make tools`) runs the same rules with --all-namespaces on sizes up to
# CONFTEST_MAX: it queries every rule package once per document, so 100k objects take it
# many minutes (make bench CONFTEST_MAX=100000 to include them).
BENCH_SIZES  ?= 1000 10000 100000
CONFTEST_MAX ?= 10000

tools:
	bash .ci/tools.sh conftest

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./harness/
	@command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install hyperfine" >&2; exit 1; }
	@for n in $(BENCH_SIZES); do \
		[ -d $(BENCH)/$$n ] || $(GO) run ./internal/synth/cmd -n $$n -o $(BENCH)/$$n; \
		cmds="'$(BIN) test --fail-on none -o json $(BENCH)/$$n'"; \
		if [ -x $(TOOLS)/conftest ] && [ $$n -le $(CONFTEST_MAX) ]; then \
			cmds="$$cmds '$(TOOLS)/conftest test --no-fail --all-namespaces -p policies -o json $(BENCH)/$$n'"; \
		fi; \
		runs=3; [ $$n -lt 100000 ] || runs=1; \
		eval hyperfine --warmup 1 --runs $$runs -N --output null --export-markdown $(BENCH)/results-$$n.md $$cmds || exit 1; \
	done

clean:
	rm -rf bin
