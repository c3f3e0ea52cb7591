# bma-news: `make run` and `make test` are all a new machine needs.
# Every target bootstraps what it uses (venv, dependencies, the local Elasticsearch node).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.bma-news-installed
# Markers for `make test`: everything but the live-site checks. `make test-fast` skips slow.
PYTEST_MARK ?= not live
PYTEST_ARGS ?=

.PHONY: browser-deps wordpress-deps help venv run demo test test-fast test-all lint es-up es-down es-status bench train-ner clean

help:
	@echo "make run        crawl the last 30 days of pr-bangkok.com, enrich, load, search (starts a local Elasticsearch)"
	@echo "make demo       the same job against a bundled sample site, no network needed"
	@echo "make test       set up and run the whole test suite against a real local node"
	@echo "make test-fast  the suite without the slow fault tests"
	@echo "make bench      benchmarks; writes bench/RESULTS.md"
	@echo "make wordpress-deps  (as root) Debian's wordpress, mariadb-server, php for the genuine WordPress tests"
	@echo "make es-up | es-down | es-status | lint | train-ner"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/bma-news run $(RUN_ARGS)

demo: venv
	$(BIN)/bma-news run --demo

# Browser tests use Debian's chromium and Thai fonts (no Playwright browser download).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "tlwg\|garuda\|loma"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null) \
	      || echo "note: could not install chromium/fonts-thai-tlwg; browser tests will be skipped"; \
	  else echo "note: install chromium and fonts-thai-tlwg for the browser tests"; fi; \
	fi

# The crawler's integration tests run a genuine WordPress: Debian's wordpress (6.1) on a
# private MariaDB behind `php -S` (tests/crawler/genuine_wp.py); nothing is started here.
WORDPRESS_PACKAGES := wordpress mariadb-server php-cli php-mysql php-xml
wordpress-deps:
	@if [ ! -f /usr/share/wordpress/wp-includes/version.php ] || [ ! -x /usr/sbin/mariadbd ] \
	    || ! php -r 'exit(function_exists("mysqli_connect") && class_exists("SimpleXMLElement") ? 0 : 1);' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    ok=; for attempt in 1 2 3 4 5 6 7 8 9 10; do \
	      if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(WORDPRESS_PACKAGES) >/dev/null 2>&1 \
	         || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(WORDPRESS_PACKAGES) >/dev/null 2>&1; }; \
	      then ok=1; break; fi; \
	      echo "note: apt busy or failing (attempt $$attempt); retrying in 20 s"; sleep 20; \
	    done; \
	    [ -n "$$ok" ] || echo "note: could not install $(WORDPRESS_PACKAGES); genuine WordPress tests will be skipped"; \
	  else echo "note: install $(WORDPRESS_PACKAGES) (make wordpress-deps as root) for the genuine WordPress tests"; fi; \
	fi

test: venv browser-deps wordpress-deps
	@$(BIN)/bma-news es with -- $(BIN)/python -m pytest -m "$(PYTEST_MARK)" $(PYTEST_ARGS); \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

test-fast:
	@$(MAKE) --no-print-directory test PYTEST_MARK="not live and not slow"

test-all: test

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

es-up: venv
	$(BIN)/bma-news es up

es-down: venv
	$(BIN)/bma-news es down

es-status: venv
	$(BIN)/bma-news es status

bench: venv
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py $(BENCH_ARGS); \
	else echo "no benchmarks yet"; fi

train-ner: venv
	$(BIN)/python -m pipeline.train_ner

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
