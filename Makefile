# make demo / make test / make bench: each sets up what it needs on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: demo test lint bench bench-deps bench-quick ui setup system clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,spark]"
	touch $@

setup: $(VENV)/.installed

system:
	bash scripts/setup-system

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

demo: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/logadapt demo --out data/demo

test: setup system
	$(BIN)/ruff check logadapt_assets logadapt_tests bench
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check logadapt_assets logadapt_tests bench
	$(BIN)/ruff format --check logadapt_assets logadapt_tests bench

bench-deps: setup
	$(BIN)/pip install -q -e ".[bench]"
	command -v zstd >/dev/null || (apt-get update -qq && apt-get install -y -qq zstd)

bench: bench-deps
	$(BIN)/python -m bench.run --lines 1000000

bench-quick: bench-deps
	$(BIN)/python -m bench.run --lines 50000 --repeats 1

ui: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf data dagster_home .pytest_cache
