# `make demo` and `make test` create .venv and install the project when missing, then run.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean system-deps

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

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/mypy pipeline

bench: $(STAMP)
	$(BIN)/python benchmarks/adult.py
	$(BIN)/python benchmarks/pipeline_1m.py

clean:
	rm -rf $(VENV) out .pytest_cache
