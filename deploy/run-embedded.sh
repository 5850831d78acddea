#!/usr/bin/env bash
# `make run`: the embedded default on one machine. SQLite in var/, Celery tasks in-process, emails in var/mail/.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.embedded
py=.venv/bin/python
mkdir -p var
$py manage.py migrate --verbosity 0
$py manage.py load_geography
$py manage.py create_province_sites 41
if $py manage.py help seed_connectivity >/dev/null 2>&1; then $py manage.py seed_connectivity 41; fi
if $py manage.py help media_server_local >/dev/null 2>&1; then $py manage.py media_server_local; fi
echo
port="${PRACHUM_PORT:-8000}"
echo "prachum is at http://127.0.0.1:${port}  (stop with Ctrl+C)"
echo "demo accounts (embedded mode only), password 'demo':"
$py manage.py create_demo_accounts
echo
# Periodic work (room sweeps, reminders, monthly charges) runs beside the web server, in-process, no broker.
$py manage.py run_periodic > var/periodic.log 2>&1 &
periodic=$!
trap 'kill "$periodic" 2>/dev/null || true' EXIT
$py manage.py runserver "127.0.0.1:${port}" ${PRACHUM_RUNSERVER_ARGS:-}
