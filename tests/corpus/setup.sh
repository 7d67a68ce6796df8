#!/usr/bin/env bash
# Installs the corpus apps' pinned dependencies (crates/perfhound/tests/corpus):
#   - the Python apps' (Flask, Django, FastAPI) virtualenv, target/corpus-venv, from tests/corpus/flask_app/requirements.txt (PyPI);
#   - the Express app's node_modules, from tests/corpus/express_app/package-lock.json (`npm ci`).
# Idempotent and fast when already set up: each part is skipped when its stamp matches the
# pinned file it was installed from. Needs python3-venv, nodejs 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${PERFHOUND_CORPUS_VENV:-target/corpus-venv}"
REQ=tests/corpus/flask_app/requirements.txt
APP=tests/corpus/express_app

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$(sha256sum "$2" | cut -d' ' -f1)" ]; }
write_stamp() { sha256sum "$2" | cut -d' ' -f1 > "$1"; }

if ! { [ -x "$VENV/bin/python" ] && stamp_ok "$VENV/.perfhound-stamp" "$REQ"; }; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  write_stamp "$VENV/.perfhound-stamp" "$REQ"
fi

if ! { [ -d "$APP/node_modules" ] && stamp_ok "$APP/node_modules/.perfhound-stamp" "$APP/package-lock.json"; }; then
  (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error)
  write_stamp "$APP/node_modules/.perfhound-stamp" "$APP/package-lock.json"
fi
