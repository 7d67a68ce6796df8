#!/usr/bin/env bash
# Creates the virtualenv the real-profiler tests use (target/profile-venv) with py-spy from
# PyPI. Idempotent: does nothing when the venv already has the pinned py-spy.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${PERFHOUND_PROFILE_VENV:-target/profile-venv}"
if [ -x "$VENV/bin/py-spy" ] && "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -qi '^py-spy==0.4.2'; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/profile/requirements.txt
