# ringfence: build, test, lint, demo and benchmarks.
GO      ?= go
BIN     := bin/ringfence
TOOLS    = $(shell bash .ci/tools.sh 2>/dev/null || echo /nonexistent)
BENCH   ?= $(or $(TMPDIR),/tmp)/ringfence-bench

.PHONY: all build test lint demo bench bench-netmap bench-audit tools e2e bundle sign verify gatekeeper clean

all: build test

build:
	$(GO) build -o $(BIN) ./cmd/ringfence

test:
	$(GO) test -timeout 30m ./... && $(GO) -C internal/difftest test ./... && $(GO) -C internal/difftest/pss test -timeout 60m ./...

lint:
	PATH="$(TOOLS):$$PATH" bash .ci/lint

# The example shop has deliberate problems: ringfence exits 1 on them, which is the point.
demo: build
	@$(BIN) test examples/ ; status=$$?; [ $$status -le 1 ] || exit $$status

# Go benchmarks, then whole commands side by side with hyperfine (apt-get install
# hyperfine) on generated inputs of BENCH_SIZES objects: this ringfence, the ringfence of
# BASELINE (main before the speed work of issue 15), a program that only reads the same
# files (the floor), and conftest (built into the tool cache by `make tools`) running the
# same rules the documented way, from an unpacked bundle with --namespace ringfence.main
# --combine, on sizes up to CONFTEST_MAX (it takes minutes on 100k objects: make bench
# CONFTEST_MAX=100000 to include them). Then the max RSS of each command, and the per-rule
# cost table of ringfence test --profile on PROFILE_SIZE objects.
BENCH_SIZES  ?= 1000 10000 100000
CONFTEST_MAX ?= 10000
BASELINE     ?= d53db2e
PROFILE_SIZE ?= 10000

tools:
	bash .ci/tools.sh conftest gator gatekeeper kube helm kustomize registry

# The end-to-end tests against the real opa, conftest and gator (built by `make tools`).
e2e:
	PATH="$(TOOLS):$$PATH" RINGFENCE_E2E=require $(GO) test -count=1 ./e2e/

# OPA bundles. make sign SIGNING_KEY=private.pem [SIGNING_ALG=ES256] [KEY_ID=prod]
# make verify VERIFICATION_KEY=public.pem [KEY_ID=prod] [SCOPE=...]
BUNDLE           ?= bin/ringfence.tar.gz
SIGNING_ALG      ?= RS256
KEY_ID           ?= default
SCOPE            ?=
GATEKEEPER_DIR   ?= bin/gatekeeper

bundle: build
	$(BIN) bundle build --policies policies --manifest bundle.manifest -o $(BUNDLE)

sign: bundle
	@[ -n "$(SIGNING_KEY)" ] || { echo "usage: make sign SIGNING_KEY=private.pem [SIGNING_ALG=$(SIGNING_ALG)] [KEY_ID=$(KEY_ID)]" >&2; exit 2; }
	$(BIN) bundle sign $(BUNDLE) --signing-key $(SIGNING_KEY) --signing-alg $(SIGNING_ALG) --key-id $(KEY_ID) \
		$(if $(CLAIMS_FILE),--claims-file $(CLAIMS_FILE))

verify: build
	@[ -n "$(VERIFICATION_KEY)" ] || { echo "usage: make verify VERIFICATION_KEY=public.pem [KEY_ID=$(KEY_ID)] [SCOPE=...]" >&2; exit 2; }
	$(BIN) bundle verify $(BUNDLE) --verification-key $(VERIFICATION_KEY) --key-id $(KEY_ID) --scope "$(SCOPE)"

# ConstraintTemplates, Constraints, the sync Config, gator suites and a kustomization.
gatekeeper: build
	$(BIN) gatekeeper export -o $(GATEKEEPER_DIR)

bench: build bench-netmap bench-audit
	$(GO) test -run '^$$' -bench . -benchmem ./harness/
	GO=$(GO) BIN=$(BIN) BENCH=$(BENCH) TOOLS=$(TOOLS) BENCH_SIZES="$(BENCH_SIZES)" CONFTEST_MAX=$(CONFTEST_MAX) \
		BASELINE=$(BASELINE) PROFILE_SIZE=$(PROFILE_SIZE) bash .ci/bench.sh

# The connectivity benchmarks: ringfence netmap and ringfence test on generated clusters of
# NETMAP_SCALES times 50 namespaces, 2,000 workloads and 1,000 NetworkPolicies.
NETMAP_SCALES ?= 1 10

bench-netmap: build
	$(GO) test -run '^$$' -bench 'Netmap' -benchmem ./harness/netmap/
	@command -v hyperfine >/dev/null || { echo "hyperfine not found: apt-get install hyperfine" >&2; exit 1; }
	@cmds=""; for c in $(NETMAP_SCALES); do \
		[ -d $(BENCH)/cluster-$$c ] || $(GO) run ./internal/synth/cmd -cluster $$c -o $(BENCH)/cluster-$$c || exit 1; \
		cmds="$$cmds '$(BIN) netmap -o json $(BENCH)/cluster-$$c' '$(BIN) test --fail-on none -o json $(BENCH)/cluster-$$c'"; \
	done; \
	eval hyperfine --warmup 1 --runs 3 -N --output null --export-markdown $(BENCH)/results-netmap.md $$cmds

# The live-audit benchmark: 5,000 generated objects in a kube-apiserver v1.37 and etcd on
# loopback (make tools builds them), timing the listing and the evaluation apart.
bench-audit:
	PATH="$(TOOLS):$$PATH" RINGFENCE_E2E=require $(GO) test -run '^$$' -bench 'Audit' -benchtime 3x -timeout 30m ./e2e/

clean:
	rm -rf bin
