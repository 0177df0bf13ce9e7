# Two commands on a fresh machine with Python 3.11+ and make: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test install lint typecheck unit wheel-check bench clean

# `make vendor`: rebuild service/static/vendor/ from the npm registry (pinned in package-lock.json).
# The built files are committed, so serving and testing never need Node.
include vendor.mk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

serve: install
	$(BIN)/rightsgraph --store $(STORE) init --if-empty
	$(BIN)/rightsgraph --store $(STORE) serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy core store loaders shapes queries service data reports ontology

unit: install
	$(BIN)/python -m pytest -q

# Build the wheel, install it in a throw-away venv and use it from outside the source tree.
wheel-check: install
	bash .ci/wheel-check

test: lint typecheck unit wheel-check

# `make bench BENCH_ARGS="--sizes 1000"`: see benchmarks/README.md (figures to benchmarks/RESULTS.md).
bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
