# `make run` serves the app, `make test` runs the whole test suite; each first builds the virtual
# environment it needs (VENV, default .venv) when it is missing or the requirements changed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.installed-run-$(REQ_HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(REQ_HASH)
PORT ?= 8501

.PHONY: run test bench clean

run: $(RUN_STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

bench: $(DEV_STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(DEV_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@ $(RUN_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache
