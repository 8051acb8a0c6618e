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

.PHONY: book test lint bench mutate clean help browser lock lock-upgrade editions i18n print-deps

help:
	@echo "make book   build the book into _build/html (executes the chapters in parallel, cached)"
	@echo "make editions  the ru, zh_CN and et editions into _build/html/{ru,zh,et}, and 4 PDFs"
	@echo "make i18n   refresh the translation catalogues (locales/) after an English change"
	@echo "make test   lint, unit tests and a strict build of the book from scratch"
	@echo "make bench  build times, NumPy-vs-torch speed, MNIST accuracy -> bench/results.md"
	@echo "make mutate mutation testing of the package's logic (~30 min) -> mutation/results.md"
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

# The translated editions into _build/html/{ru,zh,et} and a PDF of each of the four editions
# (tools/editions.py). They execute nothing: they read the cache `make book` fills.
# EDITIONS="ru et": only those (en: the English PDF only); PDF=no: HTML only.
EDITIONS ?=
PDF ?= yes
editions: book print-deps
	$(BIN)/python tools/editions.py $(foreach e,$(EDITIONS),-l $(e)) $(if $(filter no,$(PDF)),--no-pdf)

# The catalogues locales/<language>/LC_MESSAGES/book/<chapter>.po, refreshed from the English
# chapters: new messages untranslated, changed ones fuzzy (tools/i18n.py; executes nothing).
i18n: $(STAMP)
	$(BIN)/python tools/i18n.py update

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
	$(BIN)/ruff check code tests _ext _i18n bench tools mutation
	$(BIN)/ruff format --check code tests _ext _i18n bench tools mutation

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

# The PDFs are printed by Chromium (`browser`) with Debian's CJK fonts for the Chinese edition,
# and read back by the tests with poppler's pdftotext: as root with apt-get, install them.
print-deps: browser
	@missing=""; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing for the PDFs"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing \
	  || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; } \
	  || echo "could not install$$missing: the PDF tests will be skipped"; \
	else \
	  echo "missing$$missing (apt-get install$$missing): the PDF tests will be skipped"; \
	fi

# Coverage of the package by the tests run in this process (the unit tests; the book's builds
# run in subprocesses and are not counted), reported at the end and required to stay >= 95 %.
COVERAGE := --cov=torchbook --cov-report=term-missing:skip-covered --cov-fail-under=95

test: $(STAMP) lint browser print-deps
	$(BIN)/python -m pytest $(COVERAGE)

# BENCH_JOBS: the worker counts the parallel execution is timed with (empty: skip).
BENCH_JOBS ?= 1 2 4
bench: $(STAMP)
	$(BIN)/python bench/run.py --mnist $(MNIST_T10K) --jobs $(BENCH_JOBS)

# Mutation testing, run by hand like `make bench` (not part of `make test`): mutmut changes the
# package's logic one mutant at a time and runs the fast unit tests that call the changed
# function (modules, tests and options: [tool.mutmut] in code/pyproject.toml). It works in
# code/, so that its copy code/mutants/torchbook imports as `torchbook`, on a fresh copy of
# tests/ and pytest.ini, so that the results are those of the tests as they are now. One torch
# thread per worker: MUTATE_WORKERS workers share the cores. The score and every surviving
# mutant, with the reason it may live (mutation/reasons.py), go to mutation/results.md.
MUTATE_WORKERS ?= 2
mutate: $(STAMP)
	rm -rf code/mutants
	mkdir -p code/mutants
	cp -R tests pytest.ini code/mutants/
	@load() { uptime | sed 's/.*load average: //'; }; \
	before="$$(load)"; start=$$(date +%s); \
	cd code && OMP_NUM_THREADS=1 TORCHBOOK_THREADS=1 \
	  ../$(BIN)/mutmut run --max-children $(MUTATE_WORKERS) && \
	printf '{"date": "%s", "seconds": %d, "cpus": %d, "workers": %d, "load_before": "%s", "load_after": "%s"}\n' \
	  "$$(date -u +%Y-%m-%d)" $$(( $$(date +%s) - start )) $$(nproc) $(MUTATE_WORKERS) \
	  "$$before" "$$(load)" > mutants/run.json && \
	../$(BIN)/python ../mutation/report.py

clean:
	rm -rf _build
