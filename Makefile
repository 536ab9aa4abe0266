# `make demo` and `make test` create .venv and install the project when missing, then run.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pytest-xdist workers: two per core. Measured on the 2-core machine kind (clean clone, `make test`, two
# workers): 11 min wall for 13 min of CPU, the cores half idle: the slow cases wait on the subprocesses they
# kill, on fsync and on each other (a register raced by two runs).
WORKERS := $(shell echo $$(( $$(nproc) * 2 )))
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast test-slow test-all lint bench clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/anonymize demo

# Debian chromium + fonts-noto-cjk for the browser tests, installed only when missing and possible (root + apt).
system-deps:
	@bash tools/system-deps

# The default run: the whole suite, slow catalogue included, on all cores (pytest-xdist), under 10 minutes on
# 2 cores. The slow cases (kill -9 / SIGTERM at every step, full disks, concurrent registers, forged and
# tampered releases, notebooks, the demo run twice: each runs the whole pipeline in a subprocess) are started
# first (tests/conftest.py) so that the short ones fill the cores at the end.
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal

# The inner loop while editing: everything not marked slow (about a third of `make test`'s time).
test-fast: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m "not slow"

# Only the slow catalogue.
test-slow: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m slow

# Kept for scripts written against it: the same as `make test`.
test-all: test

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/mypy pipeline

bench: $(STAMP)
	$(BIN)/python benchmarks/adult.py
	$(BIN)/python benchmarks/pipeline_1m.py

clean:
	rm -rf $(VENV) out .pytest_cache
