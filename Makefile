# The two commands of the README: `make book` and `make test`.
# Both create .venv and install what they need on a fresh machine.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# The offline copy of the datasets next to this repository, if there is one;
# otherwise the data layer falls back to the Keras cache and a download.
AEBOOK_DATA_DIR ?= $(wildcard $(abspath ../shared/data))
export AEBOOK_DATA_DIR
# Keep TensorFlow's C++ start-up chatter out of logs and pages.
export TF_CPP_MIN_LOG_LEVEL ?= 2
PYTEST_ARGS ?=

.PHONY: install book test lint bench clean help

help:
	@echo "make book   - install, execute every chapter (AEBOOK_PROFILE, default paper), build _build/html"
	@echo "make test   - install, run unit tests and execute every chapter under nbval (quick profile)"
	@echo "make lint   - ruff check"
	@echo "make clean  - remove _build (never the model cache)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[book,test]"
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-paper} $(VENV)/bin/jupyter-book build -W -n --keep-going .

test: $(STAMP)
	$(VENV)/bin/ruff check .
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-quick} $(PY) -m pytest --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=1800 -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf _build
