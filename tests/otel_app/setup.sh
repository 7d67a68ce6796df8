#!/usr/bin/env bash
# Creates the virtualenv the real-SDK trace test uses (target/otel-venv), from PyPI.
# Idempotent: does nothing when the venv already has every pinned package.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${PERFHOUND_OTEL_VENV:-target/otel-venv}"
REQ=tests/otel_app/requirements.txt
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -qi '^sqlalchemy==2.0.58'; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
