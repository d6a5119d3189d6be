# sendlib: `make help` lists the targets. Everything runs in a project-local .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PACK ?= packs/kingston-upon-thames/2021-09-16.toml packs/kingston-upon-thames/2021-12-16.toml

.DEFAULT_GOAL := help
.PHONY: help setup browser data pack test unit lint format lab bench screenshots docs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) ## create .venv (if missing) and install sendlib with its dependencies

browser: ## install Debian's chromium for the browser test (if missing; needs apt and root)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

data: setup ## build data/processed/ from data/raw/ (only when an input changed)
	@# sendlib is installed editable, so pip wrote no bytecode for it; write it (as Python does
	@# on first import where PYTHONDONTWRITEBYTECODE is unset) so each report kernel need not
	@# compile sendlib again. Only changed files are compiled.
	@$(BIN)/python -m compileall -q sendlib
	$(BIN)/sendlib data build

pack: data ## build the default meeting packs (Kingston, Q2 and Q3 2021/22) into reports/ (PACK=... for others)
	$(BIN)/sendlib pack $(PACK) --update

test: lint browser ## lint, then run the whole test suite (library, real data, notebooks, browser)
	$(BIN)/python -m pytest -n 2 --dist loadfile

unit: data ## the fast tests only (no pack builds, kernels, table rebuilds or browser): under a minute
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: setup ## check code and notebooks with ruff, and the layers' imports with import-linter
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: setup ## format code with ruff
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

LAB_STAMP := $(VENV)/.lab-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,lab]"
	@rm -f $(VENV)/.lab-* && touch $@

lab: data $(LAB_STAMP) ## open JupyterLab on the project's environment (LAB_ARGS="--no-browser ..." passed on)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

bench: data ## run the speed benchmarks in benchmarks/
	$(BIN)/python benchmarks/data_load.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/pack_speed.py
	$(BIN)/python benchmarks/analyst_calls.py

DOCS := sendlib sendlib.config sendlib.errors sendlib.vocab sendlib.ingest sendlib.tables \
	sendlib.quality sendlib.geography sendlib.present sendlib.pipeline sendlib.cli
docs: setup ## write the API reference, from the docstrings, to build/api/ (open build/api/index.html)
	$(BIN)/pdoc $(DOCS) -o build/api --docformat restructuredtext
	@echo "API reference: build/api/index.html"

screenshots: setup browser ## refresh the README's screenshots of the default pack
	SENDLIB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py -q

clean: ## delete what can be rebuilt (data/processed/, .venv); reports/ are kept
	rm -rf data/processed/*.parquet data/processed/manifest.json $(VENV)
