# The two README commands: `make demo` (build the sample workspace) and `make test`.
# Both create the virtual environment and install qbrgen on first use. `make docs` builds the
# documentation site into site/ (strict: any warning or broken link fails it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench soak clean docs docs-pages

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

docs-pages: $(STAMP)
	$(BIN)/python -m qbrgen.docs_pages docs

docs: docs-pages
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "site/index.html: the documentation site (serve the site/ folder)"

bench: $(STAMP)
	$(BIN)/python -m qbrgen.bench --sizes 200
	$(BIN)/python -m qbrgen.bench --scorecard 1000,10000 --runs 5
	$(BIN)/python -m qbrgen.bench --decks 5 --designed tests/fixtures/deck/designed/northwind-qbr.pptx
	$(BIN)/python -m qbrgen.bench --floors 3
	$(BIN)/python -m qbrgen.bench --dask 100 --only qbr,plan
	$(BIN)/python -m qbrgen.bench --history 1000 --runs 3
	$(BIN)/python -m qbrgen.bench --history-query 10000 --history-runs 52

# Not part of `make test`: 50 rounds of builds under edits, renames, kill -9 and concurrent
# builds (Linux; 55 minutes on two shared cores). See tests/soak.py.
soak: $(STAMP)
	$(BIN)/python tests/soak.py --rounds 50 --accounts 30

clean:
	rm -rf output site $(VENV)
