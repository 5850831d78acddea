# prachum — two commands: `make run` (try it) and `make test` (what CI runs).
SHELL := /bin/bash
.SHELLFLAGS := -o errexit -o pipefail -o nounset -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Debian packages the test suite uses for real: the database, the broker, the media server, PDF and QR checks,
# the Thai font, the browser for the end-to-end tests, and gettext for translations.
TEST_APT := postgresql redis-server janus libjs-janus-gateway libjs-webrtc-adapter poppler-utils fonts-tlwg-laksaman chromium gettext libpango-1.0-0 libpangoft2-1.0-0 libzbar0 zbar-tools iproute2 util-linux nginx openssl wrk janus-tools ffmpeg
# What `make run` wants from Debian: the join page's janus.js and adapter.js, the Thai font and Pango for PDFs.
# Janus itself is optional for `make run` (it falls back to the fake media server with a banner).
RUN_APT := libjs-janus-gateway libjs-webrtc-adapter fonts-tlwg-laksaman libpango-1.0-0 libpangoft2-1.0-0

.PHONY: run test lint venv apt-test apt-run messages clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

# Install the Debian packages that are missing (as root, or through sudo); say what is missing otherwise.
apt-test:
	@missing=""; for p in $(TEST_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; \
	  else echo "missing Debian packages:$$missing — install them as root"; exit 1; fi; \
	  $$sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# The Debian package starts its own Janus and Redis on the default ports on systemd hosts: the tests use
	@# their own on free ports, so nothing needs stopping here; we only make sure ours never clash.

# `make run` installs what it needs when it can (root or sudo) and otherwise says what is missing, and goes on.
apt-run:
	@missing=""; for p in $(RUN_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; \
	  else echo "note: install these Debian packages for the join page and PDFs:$$missing"; exit 0; fi; \
	  echo "installing:$$missing"; $$sudo apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null || echo "note: could not install$$missing"; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check . || true

test: venv apt-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python -m tests.services -- $(BIN)/pytest

run: venv apt-run
	bash deploy/run-embedded.sh

messages: venv
	$(BIN)/python manage.py makemessages -l en --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var/
