# Developer entry points. `make test` is what CI runs (.ci/run) and what the README tells you.
.PHONY: test lint unit tools demo rules-test realworld action-lint dist fuzz

CARGO ?= cargo
PYTHON ?= python3

## The Python tools the checks and tests call (zizmor, check-jsonschema, maturin, pre-commit),
## pinned in tests/requirements.txt, live in a project-local virtual environment: installing into
## the system Python is refused on Debian and Ubuntu (PEP 668). The recipes find them on PATH;
## the Rust tests look in .venv/bin first, then on PATH.
VENV ?= .venv
export PATH := $(abspath $(VENV))/bin:$(PATH)

## Everything CI checks: formatting, lints, the layout of src/ (no import cycles, no file over
## 900 lines, no function over 120), unit/integration/snapshot tests (among them the wheel and
## the pre-commit hook, tests/packaging.rs), rule examples, the real-world checker's self-test
## and labels, and the GitHub Action's metadata and workflows.
test: tools lint unit rules-test action-lint
	$(PYTHON) tests/realworld/test_check.py
	$(PYTHON) tests/realworld/agreement.py --check

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(PYTHON) scripts/check-layout.py

unit: tools
	$(CARGO) test --locked

rules-test:
	$(CARGO) run --locked --quiet -- rules test

tools: $(VENV)/.installed

# Recreated when the pins change. `python3 -m venv` needs Debian's python3-venv (.ci/run
# installs it when missing).
$(VENV)/.installed: tests/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "cannot create $(VENV): on Debian/Ubuntu, apt-get install python3-venv" >&2; exit 1; }
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@touch $@

## Scan a fixture repository: what ripen says about a level-4 MLOps project.
demo:
	$(CARGO) run --release --locked --quiet -- scan fixtures/full-level4

## Every fuzz target for FUZZ_SECONDS each (default 60) with a nightly toolchain and cargo-fuzz;
## without them, a replay of the seed corpora and kept crashes (tests/regressions.rs). Not part
## of `make test` (CI runs it as its own job, and nightly on a schedule: .github/workflows/fuzz.yml).
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## Compare ripen with expert judgements on real repositories (needs local snapshots).
realworld:
	$(CARGO) build --release --locked
	$(PYTHON) tests/realworld/check.py

## A release archive and a wheel for this machine, as the release workflow builds them (dist
## profile: slow, optimised), in target/release-assets. The release's Linux binaries are static
## musl ones: `make dist DIST_TARGET=x86_64-unknown-linux-musl` (needs musl-tools and that
## rustup target).
DIST_TARGET ?= $(shell rustc -vV | sed -n 's/^host: //p')
DIST_ENV := $(if $(findstring musl,$(DIST_TARGET)),CC_$(subst -,_,$(DIST_TARGET))=musl-gcc)
DIST_WHEEL_TAG := $(if $(findstring musl,$(DIST_TARGET)),--compatibility musllinux_1_2)
dist: tools
	$(DIST_ENV) $(CARGO) build --locked --profile dist --target $(DIST_TARGET)
	scripts/release-archive.sh $(DIST_TARGET) target/$(DIST_TARGET)/dist/ripen target/release-assets
	cd pypi && $(DIST_ENV) maturin build --locked --profile dist --target $(DIST_TARGET) $(DIST_WHEEL_TAG) --out ../target/release-assets

## The GitHub Action and this repository's workflows: zizmor (medium and above) and the
## action/workflow JSON schemas (check-jsonschema), from the project's virtual environment.
action-lint: tools
	zizmor --offline --min-severity medium action.yml .github/workflows/
	check-jsonschema --builtin-schema vendor.github-actions action.yml
	check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	bash -n action/*.sh scripts/*.sh
