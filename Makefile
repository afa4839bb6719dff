# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint check bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/needlesafe serve

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/needlesafe tests
	$(BIN)/needlesafe knowledge check
	$(BIN)/pytest -n 2  # both cores (pytest-xdist)

# The long passes, kept out of `make test` so that it stays near 15 minutes; `.ci/run` runs both
test-slow: $(STAMP)
	$(BIN)/pytest -m spark  # one Spark at a time
	$(BIN)/pytest -m slow -n 2  # four server-kill runs of ~50 s CPU each, two at a time

bench: $(STAMP)
	$(BIN)/python benchmarks/screening.py
	$(BIN)/python benchmarks/triage.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
