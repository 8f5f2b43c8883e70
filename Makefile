# The two commands: `make lab` (open the notebooks) and `make test` (run everything).
# Both create the local virtual environment .venv on first use and keep it up to date.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

# The networks here are small: one BLAS thread is faster than several and keeps
# timings steady on a busy machine. Override from the environment if you like.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: lab test test-browser book lint student bench torch clean git-filter nbgrader mutation

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,test,dev]'
	touch $(STAMP)

# --allow-root only when run as root (containers, Binder-like images).
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)

# JupyterLab on the whole collection (notebooks/ and exercises/), opening notebook 00.
lab: $(STAMP) git-filter
	$(BIN)/jupyter lab $(ROOT_FLAG) --config=tools/jupyter_server_config.py --ServerApp.root_dir=. \
	  notebooks/00_norms_and_notation.ipynb

test: $(STAMP) git-filter
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The real-browser tests: JupyterLab in the system Chromium, driven by Playwright
# (tests_browser/). Installs the browser extra; installs Debian's chromium when it is
# missing and this runs as root (CI), otherwise says how.
BROWSER_STAMP = $(VENV)/.browser-installed
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks,test,dev,browser]'
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; } \
	  || { echo "test-browser needs Chromium: apt-get install chromium (as root)"; exit 1; }
	$(BIN)/python -m pytest -p no:cacheprovider tests_browser

# The book: a static HTML site of the collection in _build/book/html (open index.html),
# every notebook executed from the current code (2 at a time; notebook 13 only when the
# torch extra is installed), then its tests (tests_book/). See book/build.py.
BOOK_STAMP = $(VENV)/.book-installed
$(BOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks,test,dev,book]'
	touch $(BOOK_STAMP)

book: $(BOOK_STAMP)
	$(BIN)/python book/build.py
	$(BIN)/python -m pytest -p no:cacheprovider tests_book

lint: $(STAMP)
	$(BIN)/ruff check .

# Regenerate the student notebooks from exercises/solutions/.
student: $(STAMP)
	$(BIN)/python tools/make_student.py

# Install, for this clone, the git clean filter named in .gitattributes: git then sees a
# notebook through the committed-output policy, so running and saving notebooks leaves
# the working copy clean and `git pull` works. Nothing happens outside a git clone.
git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.notebook-policy.clean \
	    '"$(abspath $(BIN))/python" "$(CURDIR)/tools/notebook_policy.py"'; \
	fi

# The optional PyTorch extra (notebook 13, the PyTorch column of `make bench`): the CPU
# build of the pinned version. pip takes it from the wheels configured for this machine;
# elsewhere point pip at PyTorch's CPU wheel index, e.g. TORCH_PIP_ARGS='--index-url ...'
# (a plain `pip install torch` on Linux pulls the CUDA build and several GB of GPU libraries).
# The version is the one pinned in pyproject.toml's `torch` extra; keep the two in step.
TORCH_VERSION = 2.13.0
TORCH_PIP_ARGS ?=
torch: $(STAMP)
	$(BIN)/python -m pip install --quiet $(TORCH_PIP_ARGS) torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install --quiet -e '.[torch]'

# nbgrader, for real: its own venv (nbgrader pins its Jupyter stack, which must not touch
# .venv), then tests/test_nbgrader.py there: `nbgrader generate_assignment` on the solution
# notebooks in a throw-away course directory must release the committed student notebooks.
NBGRADER_VERSION = 0.9.6
NBGRADER_VENV ?= $(VENV)/nbgrader
NBGRADER_STAMP = $(NBGRADER_VENV)/.installed
$(NBGRADER_STAMP):
	test -x $(NBGRADER_VENV)/bin/python || $(PYTHON) -m venv $(NBGRADER_VENV)
	$(NBGRADER_VENV)/bin/python -m pip install --quiet nbgrader==$(NBGRADER_VERSION) pytest
	touch $(NBGRADER_STAMP)

nbgrader: $(NBGRADER_STAMP)
	$(NBGRADER_VENV)/bin/python -m pytest -p no:cacheprovider --noconftest -o addopts=-ra \
	  tests/test_nbgrader.py

bench: $(STAMP)
	$(BIN)/python bench/bench_train_step.py

# Mutation testing: change reglab's formulas one at a time (tools/mutation.py) and check
# that the unit tests fail; the last line printed is the score. MUTATION_ARGS='layers -j 1'
# restricts it to some modules or workers.
MUTATION_ARGS ?=
mutation: $(STAMP)
	$(BIN)/python tools/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis _build
