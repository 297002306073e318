# evalcycle — every target installs what it needs from the lock file (uv), so `make pilot` and
# `make test` work on a fresh machine that has python3.11 and make.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.9
UV := .tools/bin/uv
RUN := $(UV) run --locked --no-sync
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export GX_ANALYTICS_ENABLED ?= false
export UV_PYTHON_DOWNLOADS ?= never

.PHONY: help setup node-modules pilot ingest publish prepare-coding import-coding inspect cycle-check cycle-advance cycle-close cycle-amend serve test lint format golden bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: the packages' .pyc files are written once, at install. Without them every
# process compiles what it imports, each time, wherever PYTHONDONTWRITEBYTECODE is set (as on
# this project's CI machines): Prefect's server then takes 13 s to start instead of 5.
setup: $(UV) ## Install the locked environment into .venv (also done by every target below)
	$(UV) sync --locked --quiet --compile-bytecode

# axe-core for the browser tests, exactly as package-lock.json pins it (test-only; `make pilot` needs no Node).
# node_modules/.package-lock.json is npm's own record of the last install: re-run when the lock changes.
node-modules: node_modules/.package-lock.json ## Install the browser tests' axe-core into node_modules (npm ci)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --prefer-offline --no-audit --no-fund --loglevel=error

pilot: setup ## Run the bundled 3-cycle pilot end to end (ingest, code, publish) and print where the reports are
	$(RUN) python -m flows pilot

ingest: setup ## Ingest data/inbox/<cycle>/ (accept into validated tables, or quarantine)
	$(RUN) python -m flows ingest

publish: setup ## Publish one cycle's report: make publish CYCLE=cycle-1
	$(RUN) python -m flows publish --cycle "$(CYCLE)"

prepare-coding: setup ## Write the reviewers' coding workbooks: make prepare-coding CYCLE=cycle-1
	$(RUN) python -m flows prepare-coding --cycle "$(CYCLE)"

import-coding: setup ## Import returned workbooks: agreement, disagreements, reconciliation: make import-coding CYCLE=cycle-1
	$(RUN) python -m flows import-coding --cycle "$(CYCLE)"

inspect: setup ## Show what a file is recognised as, and write a draft mapping: make inspect FILE=export.csv
	$(RUN) python -m flows inspect "$(FILE)"

cycle-check: setup ## Check the PDSA cycle records as publishing does, and say what each needs next: make cycle-check [CYCLE=cycle-4]
	$(RUN) python -m flows cycle-check $(if $(CYCLE),--cycle "$(CYCLE)")

cycle-advance: setup ## Move a cycle record to its next stage (Do locks its predictions): make cycle-advance CYCLE=cycle-4
	$(RUN) python -m flows cycle-advance --cycle "$(CYCLE)" $(if $(TO),--to "$(TO)")

cycle-close: setup ## Close and seal a cycle record at Act: make cycle-close CYCLE=cycle-4 [DATE=2026-11-16]
	$(RUN) python -m flows cycle-close --cycle "$(CYCLE)" $(if $(DATE),--on "$(DATE)")

cycle-amend: setup ## Add an amendment to a closed cycle record: make cycle-amend CYCLE=cycle-3 BY=evaluator TEXT="..."
	$(RUN) python -m flows cycle-amend --cycle "$(CYCLE)" --by "$(BY)" --text "$(TEXT)" $(if $(DATE),--on "$(DATE)")

serve: setup ## Serve the scheduled deployments (ingest on a cron schedule) until Ctrl+C
	$(RUN) python -m flows serve

lint: setup ## ruff, mypy (strict) and import-linter
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports

test: lint node-modules ## Lint, then run the whole test suite (the browser tests need chromium on PATH)
	$(RUN) pytest

format: setup ## Fix what ruff can fix and format the code
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

golden: setup ## Rewrite the reviewed golden files, then show what changed
	EVALCYCLE_WRITE_GOLDEN=1 $(RUN) pytest -q -m golden
	git status --short -- tests/golden
	git diff --stat -- tests/golden

bench: setup ## Run the benchmarks in bench/ (figures and ratios against a baseline in the same run)
	$(RUN) python -m bench

clean: ## Remove caches and derived outputs; never touches data/inbox, landing, quarantine or private
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis
	rm -rf data/validated data/published data/quality data/.prefect
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
