# The two commands README.md promises: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Chapters find MNIST here (downloaded on first use when there is a network).
export TORCHBOOK_DATA ?= $(CURDIR)/data
# Progress bars are for interactive use; in a static page they are noise.
export TQDM_DISABLE := 1
export PYTHONHASHSEED := 0

# The real MNIST test images (never committed), for the offline accuracy benchmark.
MNIST_T10K ?= ../shared/data/mnist-t10k

.PHONY: book test lint bench clean help browser

help:
	@echo "make book   build the book into _build/html (executes the chapters, cached)"
	@echo "make test   lint, unit tests and a strict build of the book from scratch"
	@echo "make bench  build times, NumPy-vs-torch speed, MNIST accuracy -> bench/results.md"
	@echo "make clean  remove _build (the execution cache included)"

$(STAMP): requirements.txt requirements-dev.txt code/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -n --keep-going

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

bench: $(STAMP)
	$(BIN)/python bench/run.py --mnist $(MNIST_T10K)

clean:
	rm -rf _build
