# ringfence: build, test, lint, demo and benchmarks.
GO      ?= go
BIN     := bin/ringfence
TOOLS    = $(shell bash .ci/tools.sh 2>/dev/null || echo /nonexistent)
BENCH   ?= $(or $(TMPDIR),/tmp)/ringfence-bench

.PHONY: all build test lint demo bench clean

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
# hyperfine) on generated inputs of 1k, 10k and 100k objects; conftest joins when it is
# installed in the tool cache.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./harness/
	@for n in 1000 10000 100000; do \
		[ -d $(BENCH)/$$n ] || $(GO) run ./internal/synth/cmd -n $$n -o $(BENCH)/$$n; \
	done
	@command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install hyperfine" >&2; exit 1; }
	@for n in 1000 10000 100000; do \
		cmds="'$(BIN) test --fail-on none -o json $(BENCH)/$$n'"; \
		if [ -x $(TOOLS)/conftest ]; then \
			cmds="$$cmds '$(TOOLS)/conftest test --no-fail --all-namespaces -p policies -o json $(BENCH)/$$n'"; \
		fi; \
		eval hyperfine --warmup 1 --runs 3 -N --export-markdown $(BENCH)/results-$$n.md $$cmds; \
	done

clean:
	rm -rf bin
