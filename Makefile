# kolab-dns: `make run` runs the main job on the embedded default target; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
APT_PACKAGES := pdns-server pdns-backend-sqlite3 bind9 bind9-utils bind9-dnsutils openssl

.PHONY: run test lint deps system-deps bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

deps: $(STAMP)

# Debian packages the integration tests start (PowerDNS, BIND); installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: deps
	$(VENV)/bin/kolab-dns plan
	$(VENV)/bin/kolab-dns sync
	@echo "The synced zones are in .kolab-dns/local/ (octoDNS YAML, one file per zone)."

test: deps system-deps
	$(PY) -m pytest -q

lint: deps
	$(VENV)/bin/ruff check kolab_dns tests bench

# Fleets of 100, 1,000 and 10,000 domains, medians of 5 runs (docs/benchmarks.md); 20 to 40 minutes.
# BENCH_ARGS='--baseline REF' adds the same commands of commit REF in alternation (A/B).
# `make bench BENCH_ARGS=--quick` is a smoke test of a few minutes.
bench: deps system-deps
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py --json bench-results.json $(BENCH_ARGS)
	$(PY) bench/plot.py bench-results.json bench-results.png

clean:
	rm -rf .kolab-dns build *.egg-info
