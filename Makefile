# nps: build, test and demo in all three languages.
#   make test   installs what it needs (.venv, npm ci) and runs every test
#   make demo   the main job on a generated base: NPS report, features, churn model,
#               riskiest customers with factors and actions, predicted NPS, model files
#   make stubs  regenerates nps-py/python/nps/_nps.pyi from the built extension
#   make fuzz   runs each fuzz target for FUZZ_SECONDS (60) (nightly + cargo-fuzz; see docs/reliability.md)
#   make chromium  installs Debian's chromium (when /usr/bin/chromium is absent) for the
#               console's browser test; `make test` runs it
#   make bench  runs the benchmarks (see docs/benchmarks.md)
#   make bench-spark  nps on a local Spark against Spark SQL and a pandas UDF (10 M events,
#               10 M rows: about ten minutes on 2 cores, so not part of `make bench`)

VENV   := .venv
PY     := $(VENV)/bin/python
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: test demo bench bench-spark python node stubs rust-test python-test node-test fuzz fuzz-ci clean chromium

test: rust-test python-test node-test fuzz-ci

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

python: $(VENV)/.installed
	cd nps-py && maturin develop --release --quiet

nps-node/node_modules/.package-lock.json: nps-node/package-lock.json
	cd nps-node && npm ci --no-audit --no-fund

node: nps-node/node_modules/.package-lock.json
	cd nps-node && npm run build --silent

# Formatting and lints are part of the tests: what is clean today stays clean.
rust-test:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
	cargo test --workspace

# The stubs: nps/_nps.pyi is generated from the extension (stale = fail); mypy's stubtest checks
# every stub against the built package; ruff lints the Python sources.
STUBTEST := $(PY) -m mypy.stubtest nps --mypy-config-file nps-py/pyproject.toml --ignore-disjoint-bases \
	--allowlist nps-py/stubtest-allowlist.txt

stubs: python
	$(PY) nps-py/stub.py

python-test: python
	$(VENV)/bin/ruff check nps-py/python nps-py/stub.py tests/python benches tests/vectors examples
	$(PY) nps-py/stub.py --check
	$(STUBTEST)
	$(PY) -m pytest tests/python -q

# The console's end-to-end test drives Debian's chromium (headless, through playwright-core);
# installed when absent, with sudo unless run as root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	fi

node-test: node chromium
	cd nps-node && npm test

# Fuzzing (docs/reliability.md#hostile-input). `make fuzz` runs every target for FUZZ_SECONDS.
# `make fuzz-ci` (part of `make test`) first replays the seeds, the corpus and the committed
# regression inputs through the targets' checks on stable (deterministic), then, with a
# nightly toolchain, runs each target for FUZZ_CI_SECONDS (cargo-fuzz installed when missing).
FUZZ_SECONDS    ?= 60
FUZZ_CI_SECONDS ?= 8

fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

fuzz-ci:
	cargo test --quiet --manifest-path fuzz/Cargo.toml --release --test replay
	@if cargo +nightly --version >/dev/null 2>&1; then \
		cargo fuzz --version >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz; \
		fuzz/run.sh $(FUZZ_CI_SECONDS); \
	else \
		echo "fuzz-ci: no nightly toolchain: the replay above is all"; \
	fi

demo:
	cargo run --release --quiet -p nps-core --bin nps-demo

bench: python
	cargo bench -p nps-core --bench survey
	$(PY) benches/survey.py

bench-spark: python
	$(PY) benches/spark.py

clean:
	cargo clean
	rm -rf $(VENV) nps-node/node_modules nps-py/python/nps/*.so
