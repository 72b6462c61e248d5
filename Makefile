# Two entry points: `make demo` runs the main job, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit conformance docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,httpx]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ncp-harness demo

test: lint typecheck unit conformance docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Each folder with a conftest.py is checked on its own: they are not packages. The examples
# and the test folders import the shared isolation module from tests/.
typecheck: $(STAMP)
	$(BIN)/mypy src benchmarks
	MYPYPATH=tests $(BIN)/mypy docs/examples
	$(BIN)/mypy tests/conftest.py tests/ncp_isolation.py
	for dir in tests/*/; do \
	  if ls "$$dir"*.py >/dev/null 2>&1; then MYPYPATH=tests $(BIN)/mypy "$$dir" || exit 1; fi; \
	done

unit: $(STAMP)
	$(BIN)/pytest -n 2 --cov --cov-report=term --cov-fail-under=90

conformance: $(STAMP)
	$(BIN)/ncp-harness conformance --target fake --report $(VENV)/conformance.xml

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
