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

.PHONY: install book test lint bench clean help notebooks site-test screenshot linkcheck

help:
	@echo "make book   - install, execute every chapter (AEBOOK_PROFILE, default paper), build _build/html"
	@echo "make test   - install, run unit tests and execute every chapter under nbval (quick profile)"
	@echo "make lint   - ruff check"
	@echo "make bench  - benchmarks: training vs matmul peak, kNN search (BENCH_ARGS='--only train,knn,book')"
	@echo "make clean  - remove _build (never the model cache)"
	@echo "make notebooks - regenerate the Colab notebooks in notebooks/ from the chapters (commit them)"
	@echo "make site-test - check the built site in headless Chromium (after make book)"
	@echo "make screenshot - retake docs/screenshot.png from the built site"
	@echo "make linkcheck - check the book's external links (needs internet; not part of CI)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[book,test]"
	touch $(STAMP)

install: $(STAMP)

# Jupyter Book's execution cache does not know the profile: when it changes,
# start the site afresh (the trained models stay in AEBOOK_CACHE_DIR).
book: $(STAMP)
	@profile=$${AEBOOK_PROFILE:-paper}; \
	if [ -f _build/.aebook-profile ] && [ "$$(cat _build/.aebook-profile)" != "$$profile" ]; then \
		echo "book: profile is now $$profile: re-executing every chapter"; \
		rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/jupyter_execute; \
	fi; \
	mkdir -p _build && echo "$$profile" > _build/.aebook-profile
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-paper} $(VENV)/bin/jupyter-book build -W -n --keep-going .

test: $(STAMP)
	$(VENV)/bin/ruff check .
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-quick} $(PY) -m pytest --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=1800 -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Benchmarks print tables; they are never part of `make test`'s pass/fail.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Colab opens only .ipynb: notebooks/ holds one per chapter, generated (and
# checked by tests/test_notebooks.py) from chapters/*.md. Run after editing a chapter.
notebooks: $(STAMP)
	$(PY) tools/colab_notebooks.py

# The built site in a real browser (tests/test_site.py); needs Debian's chromium.
site-test: $(STAMP)
	AEBOOK_SITE_TEST=require $(PY) -m pytest -p no:cacheprovider tests/test_site.py $(PYTEST_ARGS)

screenshot: $(STAMP)
	$(PY) tools/browser.py chapters/01_what_is_an_autoencoder.html docs/screenshot.png \
		--width 1200 --height 760 --scroll-to "#fig-ch01-reconstructions" \
		$(if $(wildcard _build/test-tools/node_modules/mathjax/es5),--mathjax-dir _build/test-tools/node_modules/mathjax/es5)

# External links (opt-in: needs internet, so CI does not run it).
linkcheck: $(STAMP)
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-quick} $(VENV)/bin/jupyter-book build --builder linkcheck .

clean:
	rm -rf _build

# The unit tests on Keras's JAX backend (`make test` runs them on the default
# choice, TensorFlow); CI runs both. The chapters run under the default choice.
.PHONY: test-jax
test-jax: $(STAMP)
	AEBOOK_BACKEND=jax KERAS_BACKEND=jax $(PY) -m pytest -p no:cacheprovider tests $(PYTEST_ARGS)
