# The two commands README.md promises: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Every version the book installs, for every supported Python (3.10+); `make lock` writes it.
LOCK   := requirements-lock.txt
# Chapters executed at a time by `make book` (default: TORCHBOOK_JOBS, else every core).
JOBS   ?=

# Chapters find MNIST here (downloaded on first use when there is a network).
export TORCHBOOK_DATA ?= $(CURDIR)/data
# Progress bars are for interactive use; in a static page they are noise.
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0

# The real MNIST test images (never committed), for the offline accuracy benchmark.
MNIST_T10K ?= ../shared/data/mnist-t10k

.PHONY: book test lint bench clean help browser lock lock-upgrade

help:
	@echo "make book   build the book into _build/html (executes the chapters in parallel, cached)"
	@echo "make test   lint, unit tests and a strict build of the book from scratch"
	@echo "make bench  build times, NumPy-vs-torch speed, MNIST accuracy -> bench/results.md"
	@echo "make clean  remove _build (the execution cache included)"
	@echo "make lock   re-resolve $(LOCK) after editing requirements*.txt (network)"
	@echo "make lock-upgrade   the same, moving every package to its newest version"

# pip installs exactly the versions of the lock (-c): the same numpy, scipy, torch... as the
# published build, so the glued numbers are the same.
$(STAMP): requirements.txt requirements-dev.txt $(LOCK) code/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c $(LOCK)
	touch $(STAMP)

# tools/execute.py downloads MNIST once and executes the chapters the cache lacks, several
# at a time, into the cache the build reads; the build then executes nothing.
book: $(STAMP)
	$(BIN)/python tools/execute.py $(if $(JOBS),--jobs $(JOBS))
	$(BIN)/jupyter-book build . -n --keep-going

# uv resolves for every supported Python and platform at once (--universal); pins already
# in the lock are kept unless the requirements exclude them (lock-upgrade moves them all).
UV_COMPILE = $(BIN)/uv pip compile requirements-dev.txt --universal --python-version 3.10 \
	--no-emit-package torchbook --custom-compile-command "make lock" -o $(LOCK)

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv>=0.9"

lock: $(BIN)/uv
	$(UV_COMPILE)

lock-upgrade: $(BIN)/uv
	$(UV_COMPILE) --upgrade

lint: $(STAMP)
	$(BIN)/ruff check code tests _ext bench tools
	$(BIN)/ruff format --check code tests _ext bench tools

# The browser tests (tests/test_browser.py) drive a Chromium. Where there is none, install
# Debian's when we can (root with apt-get); otherwise those tests skip and say how to get one.
CHROMIUM := $(firstword $(foreach b,chromium chromium-browser google-chrome-stable google-chrome,$(shell command -v $(b) 2>/dev/null)))

browser:
ifeq ($(CHROMIUM),)
	@if [ -n "$$TORCHBOOK_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; } \
	  || echo "could not install chromium: the browser tests will be skipped"; \
	else \
	  echo "no Chromium found: the browser tests will be skipped (apt-get install chromium)"; \
	fi
else
	@: # found $(CHROMIUM)
endif

test: $(STAMP) lint browser
	$(BIN)/python -m pytest

# BENCH_JOBS: the worker counts the parallel execution is timed with (empty: skip).
BENCH_JOBS ?= 1 2 4
bench: $(STAMP)
	$(BIN)/python bench/run.py --mnist $(MNIST_T10K) --jobs $(BENCH_JOBS)

clean:
	rm -rf _build
