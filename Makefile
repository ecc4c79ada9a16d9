# The two README commands: `make demo` (build the sample workspace) and `make test`.
# Both create the virtual environment and install qbrgen on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m qbrgen.system_check
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/qbrgen validate
	$(BIN)/qbrgen build

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m qbrgen.bench
	$(BIN)/python -m qbrgen.bench --scorecard 10000 --runs 5

clean:
	rm -rf output $(VENV)
