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
# Test files and chapters run this many at a time (pytest-xdist; each chapter's
# cells stay together, in order, in one worker: --dist loadfile). 2 suits a
# 2-core machine: one chapter trains while the other imports, loads data or
# plots. TEST_JOBS=0 runs everything in one process.
TEST_JOBS ?= 2
XDIST   = $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

.PHONY: install book test lint bench clean help notebooks site-test screenshot linkcheck colab-check colab-venv lab seeds

help:
	@echo "make book   - install, execute every chapter (AEBOOK_PROFILE, default paper), build _build/html"
	@echo "make test   - install, run unit tests and execute every chapter under nbval (quick profile; TEST_JOBS=2 at a time)"
	@echo "make lint   - ruff check"
	@echo "make seeds SEEDS=\"1 2 3\" - every quick chapter under each seed (nbval), a pass-count table"
	@echo "make bench  - benchmarks: training vs matmul peak, kNN search (BENCH_ARGS='--only train,knn,book')"
	@echo "make clean  - remove _build (never the model cache)"
	@echo "make notebooks - regenerate the Colab notebooks in notebooks/ from the chapters (commit them)"
	@echo "make site-test - check the built site in headless Chromium (after make book)"
	@echo "make screenshot - retake docs/screenshot.png from the built site"
	@echo "make linkcheck - check the book's external links (needs internet; not part of CI)"
	@echo "make colab-check - unit tests and two chapters in a fresh venv pinned to Colab's versions"
	@echo "make lab    - install the 'lab' extra and open the chapters in JupyterLab"

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
		--nbval-cell-timeout=1800 -p no:cacheprovider $(XDIST) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Checks must hold for any seed (issue 12): run the quick chapters under each
# seed and print per-chapter pass counts. SEED_CHAPTERS="08 12" limits it;
# SEED_JOBS=2 runs two chapters at a time.
SEEDS ?= 1 2 3 4 5
SEED_CHAPTERS ?=
SEED_JOBS ?= 1
seeds: $(STAMP)
	$(PY) tools/seeds.py --seeds $(SEEDS) --jobs $(SEED_JOBS) $(if $(strip $(SEED_CHAPTERS)),--chapters $(SEED_CHAPTERS))

# Benchmarks print tables; they are never part of `make test`'s pass/fail.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Colab opens only .ipynb: notebooks/ holds one per chapter, generated (and
# checked by tests/test_notebooks.py) from chapters/*.md. Run after editing a chapter.
notebooks: $(STAMP)
	$(PY) -m tools.colab_notebooks

# The built site in a real browser (tests/test_site.py); needs Debian's chromium.
site-test: $(STAMP)
	AEBOOK_SITE_TEST=require $(PY) -m pytest -p no:cacheprovider tests/test_site.py $(PYTEST_ARGS)

screenshot: $(STAMP)
	$(PY) -m tools.browser chapters/01_what_is_an_autoencoder.html docs/screenshot.png \
		--width 1200 --height 760 --scroll-to "#fig-ch01-reconstructions" \
		$(if $(wildcard _build/test-tools/node_modules/mathjax/es5),--mathjax-dir _build/test-tools/node_modules/mathjax/es5)

# External links (opt-in: needs internet, so CI does not run it).
linkcheck: $(STAMP)
	AEBOOK_PROFILE=$${AEBOOK_PROFILE:-quick} $(VENV)/bin/jupyter-book build --builder linkcheck .

# Google Colab's library versions (tools/colab_pins.txt, copied from Colab's published
# pip-freeze.txt): a fresh venv with exactly those, aebook installed into it, then the
# unit tests and two cheap chapters (quick profile, a model cache of its own, since
# models saved by newer Keras need not load in Colab's). Colab runs Python 3.13; this
# uses a Python 3.13 when there is one, else $(PYTHON), and prints which.
COLAB_VENV     ?= .venv-colab
COLAB_PY       := $(COLAB_VENV)/bin/python
# the first Python 3.13 that runs (a pyenv shim may exist and fail), else $(PYTHON)
COLAB_PYTHON   ?= $(or $(shell for p in python3.13 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13; do \
	"$$p" -c 'import sys' >/dev/null 2>&1 && { echo "$$p"; break; }; done),$(PYTHON))
COLAB_CHAPTERS ?= chapters/03_feed_forward_autoencoders.md chapters/11_anomaly_detection.md
COLAB_STAMP    := $(COLAB_VENV)/.installed

$(COLAB_STAMP): tools/colab_pins.txt pyproject.toml
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet --upgrade pip
	$(COLAB_PY) -m pip install --quiet -r tools/colab_pins.txt ".[test]"
	touch $(COLAB_STAMP)

colab-venv: $(COLAB_STAMP)

colab-check: $(COLAB_STAMP)
	@$(COLAB_PY) -c "import sys, tensorflow as tf, keras, numpy, sklearn, matplotlib, jax; \
	print('colab-check: Python', sys.version.split()[0], '(Colab: 3.13) | TensorFlow', tf.__version__, \
	'| Keras', keras.__version__, '| NumPy', numpy.__version__, '| scikit-learn', sklearn.__version__, \
	'| matplotlib', matplotlib.__version__, '| JAX', jax.__version__)"
	AEBOOK_SITE_TEST=off AEBOOK_PROFILE=quick AEBOOK_CACHE_DIR=$${COLAB_CACHE_DIR:-$(CURDIR)/_build/colab-check/models} \
		$(COLAB_PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-cell-timeout=1800 $(XDIST) tests $(COLAB_CHAPTERS) $(PYTEST_ARGS)

# Run the chapters interactively: JupyterLab opens chapters/*.md as notebooks (jupytext).
lab: $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab]"
	$(VENV)/bin/jupyter lab chapters/

clean:
	rm -rf _build

# The unit tests on Keras's JAX backend (`make test` runs them on the default
# choice, TensorFlow); CI runs both. The chapters run under the default choice.
.PHONY: test-jax
test-jax: $(STAMP)
	AEBOOK_BACKEND=jax KERAS_BACKEND=jax $(PY) -m pytest -p no:cacheprovider $(XDIST) tests $(PYTEST_ARGS)
