#!/usr/bin/env bash
# The clean corpus of `perfhound scan` (crates/perfhound/tests/scan_cli.rs, docs/scan.md):
# well-kept packages installed from PyPI and npm at pinned versions, on which every scan
# rule must report nothing (the precision check).
#   - target/scan-venv: requests, flask, click (PyPI);
#   - target/scan-npm/node_modules: express, axios (npm).
# Idempotent: skipped when the stamp matches the pinned list.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=target/scan-venv
NPM=target/scan-npm
PY_PKGS="requests==2.32.3 flask==3.1.0 click==8.1.8"
NPM_PKGS="express@4.21.2 axios@1.7.9"

if ! { [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.perfhound-stamp" 2>/dev/null)" = "$PY_PKGS" ]; }; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $PY_PKGS
  echo "$PY_PKGS" > "$VENV/.perfhound-stamp"
fi

if ! { [ -d "$NPM/node_modules" ] && [ "$(cat "$NPM/.perfhound-stamp" 2>/dev/null)" = "$NPM_PKGS" ]; }; then
  mkdir -p "$NPM"
  (cd "$NPM" && { [ -f package.json ] || echo '{"name":"perfhound-scan-corpus","private":true}' > package.json; } \
    && npm install --no-audit --no-fund --loglevel=error --no-save $NPM_PKGS)
  echo "$NPM_PKGS" > "$NPM/.perfhound-stamp"
fi
