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

.PHONY: lab test test-browser book lint student bench bench-notebooks bench-suite torch clean git-filter \
	nbgrader course test-hub mutation test-portable test-kernels test-min-versions

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
# (tests_browser/), and the built book when there is one (its math typeset and spoken, and
# axe-core's WCAG 2.1 A/AA audit of every page: a few minutes). Installs the browser extra;
# installs Debian's chromium when it is missing and this runs as root (CI), otherwise says how.
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

# The kernel and thread count the book is executed with are printed first; with
# OPENBLAS_CORETYPE set (CI builds it under Haswell), the build stops unless that kernel runs.
book: $(BOOK_STAMP)
	@$(BIN)/python tools/blas_kernel.py $(if $(OPENBLAS_CORETYPE),--expect $(OPENBLAS_CORETYPE))
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

nbgrader: $(STAMP) $(NBGRADER_STAMP)
	$(NBGRADER_VENV)/bin/python -m pytest -p no:cacheprovider --noconftest -o addopts=-ra \
	  tests/test_nbgrader.py tests/test_autograde.py

# nbgrader's whole round trip through a real JupyterHub on localhost (tests/test_hub.py): an
# instructor and three students log in, start their servers, and release, fetch, answer,
# submit, collect, autograde and return feedback through the servers' HTTP APIs; the grades
# are read from the gradebook. A target of its own, beside `make nbgrader`, because it needs
# more: JupyterHub (the `hub` extra) with nbgrader in a venv of its own, and the hub's proxy,
# configurable-http-proxy, from npm into that venv (npm: Debian's package, installed when it
# is missing and this runs as root, as in CI). The hub, the proxy and the servers listen on
# free loopback ports and are ended when the test ends; `timeout` interrupts a run that hangs
# (SIGINT: the test still ends its processes).
HUB_VENV ?= $(VENV)/hub
HUB_STAMP = $(HUB_VENV)/.installed
PROXY_VERSION = 5.3.0
$(HUB_STAMP): pyproject.toml
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }; } \
	  || { echo "test-hub needs npm (Node.js): apt-get install npm (as root)"; exit 1; }
	test -x $(HUB_VENV)/bin/python || $(PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet nbgrader==$(NBGRADER_VERSION) -e '.[hub]'
	npm install --silent --no-audit --no-fund --prefix $(HUB_VENV)/node \
	  configurable-http-proxy@$(PROXY_VERSION)
	touch $(HUB_STAMP)

test-hub: $(HUB_STAMP)
	timeout --signal=INT 600 $(HUB_VENV)/bin/python -m pytest -p no:cacheprovider --noconftest \
	  -o addopts=-ra -s tests/test_hub.py

# A ready nbgrader course for instructors: nbgrader_config.py and one assignment per exercise
# (tools/make_course.py). COURSE is where; it must not exist yet, or be empty.
COURSE ?= _build/course
course:
	$(PYTHON) tools/make_course.py $(COURSE)

# ---------------------------------------------------------------- portability
# float32 training depends on the BLAS kernel's summation order, the BLAS thread count and
# the library versions: the same seed gives the same numbers on one machine only. The
# notebooks therefore assert their conclusions with tolerances that must hold everywhere,
# and `make test-portable` proves that they do, from this one machine, in legs:
#
#   test-kernels       every notebook and exercise solution (nbval, as in `make test`) with the
#                      current versions, under each OpenBLAS kernel of KERNELS but MIN_KERNEL,
#                      forced with OPENBLAS_CORETYPE (any x86-64 CPU with AVX2 runs Sandybridge
#                      and Nehalem code), with the BLAS thread count at the same position in
#                      KERNEL_THREADS (2 threads split the sums differently from 1).
#   test-min-versions  the whole suite (python -m pytest, as `make test`) in a venv of its own,
#                      $(MIN_VENV), with numpy, matplotlib, scikit-learn and mnist1d at the
#                      lowest versions pyproject.toml allows (tools/min-versions.txt; the rest
#                      at their newest), under the kernel MIN_KERNEL. It runs every notebook
#                      and solution too, so it is MIN_KERNEL's leg: one pass of the notebooks
#                      fewer keeps .ci/run under 45 minutes on 2 cores.
#
# With the defaults: Sandybridge with 2 BLAS threads (current versions), then Nehalem with 1
# (minimum versions); the book, executed by CI under Haswell (.ci/run), is a third kernel.
# tools/blas_kernel.py prints the kernel and thread count really running (threadpoolctl)
# before each leg and fails the leg when they are not the ones asked for. Each leg prints
# pytest's summary and its time; the target fails at the end if any leg failed, so that one
# run lists every failure. `make test-kernels MIN_KERNEL=` runs every kernel of KERNELS with
# the current versions (and `make test-min-versions MIN_KERNEL=` the machine's own kernel).
KERNELS ?= Sandybridge Nehalem
KERNEL_THREADS ?= 2 1
MIN_KERNEL ?= $(lastword $(KERNELS))
PORTABLE_PATHS ?= notebooks exercises/solutions

test-portable:
	@status=0; $(MAKE) --no-print-directory test-kernels || status=1; \
	  $(MAKE) --no-print-directory test-min-versions || status=1; exit $$status

# `make -k` semantics inside one recipe: every leg runs, the status is the worst one.
# OPENBLAS_THREAD_TIMEOUT=4: an idle OpenBLAS thread sleeps after 2^4 cycles instead of
# spinning for 2^28 (about 0.1 s), so that a 2-thread leg on a busy machine does not crawl;
# it changes when threads wait, never what they compute.
test-kernels: export OPENBLAS_THREAD_TIMEOUT ?= 4
test-kernels: $(STAMP)
	@set -- $(KERNEL_THREADS); status=0; for k in $(KERNELS); do \
	  t=$${1:-1}; [ $$# -gt 0 ] && shift; \
	  [ "$$k" = "$(MIN_KERNEL)" ] && { echo "== test-kernels: $$k is test-min-versions' leg"; \
	    continue; }; \
	  echo "== test-kernels: OpenBLAS kernel $$k, $$t BLAS thread(s): $(PORTABLE_PATHS)"; \
	  start=$$(date +%s); \
	  export OPENBLAS_CORETYPE=$$k OPENBLAS_NUM_THREADS=$$t OMP_NUM_THREADS=$$t \
	    MKL_NUM_THREADS=$$t; \
	  { $(BIN)/python tools/blas_kernel.py --expect $$k --threads $$t && \
	    $(BIN)/python -m pytest -p no:cacheprovider $(PORTABLE_PATHS); } || status=1; \
	  echo "== test-kernels: $$k, $$t thread(s): done in $$(( $$(date +%s) - start )) s"; \
	done; exit $$status

MIN_VENV ?= $(VENV)/min
MIN_STAMP = $(MIN_VENV)/.installed
$(MIN_STAMP): pyproject.toml tools/min-versions.txt
	test -x $(MIN_VENV)/bin/python || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -c tools/min-versions.txt \
	  -e '.[notebooks,test,dev]'
	touch $(MIN_STAMP)

# MIN_KERNEL's thread count (by default it is the last of KERNELS)
MIN_THREADS ?= $(lastword $(KERNEL_THREADS))
test-min-versions: $(MIN_STAMP)
	@echo "== test-min-versions: the whole suite at the lowest allowed versions ($(MIN_VENV))"
	@$(MIN_VENV)/bin/python -m pip list 2>/dev/null | \
	  grep -iE '^(numpy|matplotlib|scikit-learn|mnist1d|scipy) '
	@start=$$(date +%s); status=0; \
	  $(if $(MIN_KERNEL),export OPENBLAS_CORETYPE=$(MIN_KERNEL);) \
	  export OPENBLAS_NUM_THREADS=$(MIN_THREADS) OMP_NUM_THREADS=$(MIN_THREADS) \
	    MKL_NUM_THREADS=$(MIN_THREADS); \
	  $(MIN_VENV)/bin/python tools/blas_kernel.py $(if $(MIN_KERNEL),--expect $(MIN_KERNEL)) \
	    --threads $(MIN_THREADS) && \
	  $(MIN_VENV)/bin/python -m pytest -p no:cacheprovider || status=$$?; \
	  echo "== test-min-versions: done in $$(( $$(date +%s) - start )) s"; exit $$status

# The benchmarks, each a report against its stated goals (not a test: rates depend on the
# machine and its load): a training step (bench/bench_train_step.py) and the playground's
# liveness, frames per second while training and a free kernel (bench/bench_playground.py);
# S seeds trained by fit_many against S fits (bench/bench_seeds.py); every notebook's time at
# one BLAS thread against its goal, 30 s, the capstone 2 minutes (bench/bench_notebooks.py,
# alone: `make bench-notebooks`); last, `make test` (goal 10 minutes) and the book's build
# (goal 5 minutes) timed as a user runs them (bench/bench_suite.py, alone: `make bench-suite`;
# about 15 minutes).
bench: $(STAMP)
	$(BIN)/python bench/bench_train_step.py
	$(BIN)/python bench/bench_playground.py
	$(BIN)/python bench/bench_seeds.py
	$(BIN)/python bench/bench_notebooks.py
	$(BIN)/python bench/bench_suite.py

bench-notebooks: $(STAMP)
	$(BIN)/python bench/bench_notebooks.py

bench-suite: $(STAMP)
	$(BIN)/python bench/bench_suite.py

# Mutation testing: change reglab's formulas one at a time (tools/mutation.py) and check
# that the unit tests fail; the last line printed is the score. MUTATION_ARGS='layers -j 1'
# restricts it to some modules or workers.
MUTATION_ARGS ?=
mutation: $(STAMP)
	$(BIN)/python tools/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .ruff_cache .hypothesis _build
