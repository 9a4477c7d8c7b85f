# kolab-dns: `make run` runs the main job on the embedded default target; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
APT_PACKAGES := pdns-server pdns-backend-sqlite3 bind9 bind9-utils bind9-dnsutils openssl nftables iptables \
	postfix dovecot-imapd dovecot-managesieved coturn

.PHONY: run test lint deps system-deps bench dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

deps: $(STAMP)

# Debian packages the integration tests start (PowerDNS, BIND, postfix, dovecot, coturn); installed only
# when missing, postfix unconfigured, and with service starts denied (policy-rc.d): the tests start
# their own servers on loopback.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo 'postfix postfix/main_mailer_type select No configuration' | $$SUDO debconf-set-selections; \
	  norc=""; if [ ! -e /usr/sbin/policy-rc.d ]; then norc=1; \
	    printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; $$SUDO chmod 755 /usr/sbin/policy-rc.d; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; rc=$$?; \
	  [ -z "$$norc" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; exit $$rc; \
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

# The sdist and wheel in dist/, checked as the package index would (the release workflow does the same).
dist: deps
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

clean:
	rm -rf .kolab-dns build dist *.egg-info
