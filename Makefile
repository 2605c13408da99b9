# Developer entry points. `make test` is what CI runs (.ci/run) and what the README tells you.
.PHONY: test lint unit tools demo rules-test realworld action-lint

CARGO ?= cargo

## Everything CI checks: formatting, lints, the layout of src/ (no import cycles, no file over
## 900 lines, no function over 120), unit/integration/snapshot tests, rule examples, the
## real-world checker's self-test, and the GitHub Action's metadata.
test: tools lint unit rules-test action-lint
	python3 tests/realworld/test_check.py

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	python3 scripts/check-layout.py

unit:
	$(CARGO) test --locked

rules-test:
	$(CARGO) run --locked --quiet -- rules test

## Python tools the checks call: zizmor and check-jsonschema, pinned, installed from PyPI only
## when the pinned version is missing.
tools:
	@command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
	@if [ "$$(zizmor --version 2>/dev/null)" != "zizmor 1.32.0" ] || \
	   ! check-jsonschema --version 2>/dev/null | grep -q ' 0.39.0$$'; then \
	  python3 -m pip install --quiet --disable-pip-version-check zizmor==1.32.0 check-jsonschema==0.39.0; \
	fi

## Scan a fixture repository: what ripen says about a level-4 MLOps project.
demo:
	$(CARGO) run --release --locked --quiet -- scan fixtures/full-level4

## Compare ripen with expert judgements on real repositories (needs local snapshots).
realworld:
	$(CARGO) build --release --locked
	python3 tests/realworld/check.py

## The GitHub Action and this repository's workflows: zizmor (medium and above) and the
## action/workflow JSON schemas (check-jsonschema). Both come from PyPI (see .ci/run).
action-lint:
	zizmor --offline --min-severity medium action.yml .github/workflows/
	check-jsonschema --builtin-schema vendor.github-actions action.yml
	check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	bash -n action/*.sh
