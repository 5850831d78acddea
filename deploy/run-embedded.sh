#!/usr/bin/env bash
# `make run`: the embedded default on one machine. SQLite in var/, Celery tasks in-process, emails in var/mail/.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.embedded
# Every link the portal writes (join links, QR codes, .ics, feeds, sheets, emails) points at the port it serves on.
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:${PRACHUM_PORT:-8000}}"
py=.venv/bin/python
mkdir -p var
$py manage.py migrate --verbosity 0
$py manage.py load_geography
$py manage.py create_province_sites 41
if $py manage.py help seed_connectivity >/dev/null 2>&1; then $py manage.py seed_connectivity 41; fi

# The media server: a real local Janus when the package is installed (rooms you can really join), else the fake one
# with a banner on every page saying so.
janus_http="${PRACHUM_JANUS_HTTP_PORT:-8088}"
janus_admin="${PRACHUM_JANUS_ADMIN_PORT:-7088}"
janus_pid=""
stop_janus() { [ -n "$janus_pid" ] && kill "$janus_pid" 2>/dev/null || true; }
if command -v janus >/dev/null 2>&1; then
  mkdir -p var/janus
  if [ ! -f var/janus/secrets.env ]; then
    $py - > var/janus/secrets.env <<'PY'
import secrets
print(f"JANUS_LOCAL_ADMIN_SECRET={secrets.token_urlsafe(32)}")
print(f"JANUS_LOCAL_ADMIN_KEY={secrets.token_urlsafe(32)}")
PY
    chmod 600 var/janus/secrets.env
  fi
  set -o allexport; . var/janus/secrets.env; set +o allexport
  JANUS_SECRET_ENV=JANUS_LOCAL JANUS_CONFIG_DIR="$PWD/var/janus/conf" JANUS_SERVER_NAME=prachum-local \
    JANUS_HTTP_PORT="$janus_http" JANUS_ADMIN_PORT="$janus_admin" \
    deploy/start/janus --log-file="$PWD/var/janus/janus.log" > var/janus/janus.out 2>&1 &
  janus_pid=$!
  if $py - "$janus_http" <<'PY'
import json, sys, time, urllib.request
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/janus/info", timeout=1) as answer:
            if json.load(answer).get("server-name") == "prachum-local":
                sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
  then
    echo "Janus is running on 127.0.0.1:${janus_http} (log: var/janus/janus.log)"
    $py manage.py media_server_ensure local janus "http://127.0.0.1:${janus_http}/janus" \
      --admin-url "http://127.0.0.1:${janus_admin}/admin" --secret-env JANUS_LOCAL
    export PRACHUM_FAKE_MEDIA=0
  else
    echo "Janus did not start (port ${janus_http} busy? see var/janus/janus.out): using the fake media server."
    stop_janus; janus_pid=""
    export PRACHUM_FAKE_MEDIA=1
  fi
else
  echo "Janus is not installed: meetings get simulated rooms. For real rooms: sudo apt-get install janus"
  export PRACHUM_FAKE_MEDIA=1
fi
if [ "$PRACHUM_FAKE_MEDIA" = 1 ]; then $py manage.py media_server_ensure local fake http://fake.invalid/; fi
# The approved minutes are signed (PAdES) with the province's certificate: here a local self-signed test one, made
# once in var/minutes-signing/ (production: the province's own, PRACHUM_MINUTES_SIGNING_* in docs/operations.md).
if [ -z "${PRACHUM_MINUTES_SIGNING_CERT:-}${PRACHUM_MINUTES_SIGNING_PKCS12:-}" ] && command -v openssl >/dev/null 2>&1; then
  if [ ! -f var/minutes-signing/province.crt ]; then
    mkdir -p var/minutes-signing && chmod 700 var/minutes-signing
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/C=TH/O=prachum local test/CN=Provincial Office (local test certificate, not trusted)" \
      -keyout var/minutes-signing/province.key -out var/minutes-signing/province.crt 2>/dev/null
    chmod 600 var/minutes-signing/province.key
  fi
  export PRACHUM_MINUTES_SIGNING_CERT="$PWD/var/minutes-signing/province.crt"
  export PRACHUM_MINUTES_SIGNING_KEY="$PWD/var/minutes-signing/province.key"
fi
echo
port="${PRACHUM_PORT:-8000}"
echo "prachum is at http://127.0.0.1:${port}  (stop with Ctrl+C)"
echo "demo accounts (embedded mode only), password 'demo':"
$py manage.py create_demo_accounts
echo
# Periodic work (room sweeps, reminders, monthly charges) runs beside the web server, in-process, no broker.
$py manage.py run_periodic > var/periodic.log 2>&1 &
periodic=$!
trap 'kill "$periodic" 2>/dev/null || true; stop_janus' EXIT
$py manage.py runserver "127.0.0.1:${port}" ${PRACHUM_RUNSERVER_ARGS:-}
