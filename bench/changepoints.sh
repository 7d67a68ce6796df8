#!/usr/bin/env bash
# bench/changepoints.sh — perfhound's change-point detection vs Apache Otava (E-divisive,
# the Hunter paper's windowed variant) on the same generated series: false alarms on stable
# unimodal and bimodal series, detection delay of a 10 % step, CPU seconds.
#
# Usage: bench/changepoints.sh [path/to/perfhound]   (default: target/release/perfhound, else debug)
# Needs: python3 with venv; installs the pinned apache-otava into bench/out/otava-venv.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-}
if [ -z "$BIN" ]; then
  BIN="$ROOT/target/release/perfhound"
  [ -x "$BIN" ] || BIN="$ROOT/target/debug/perfhound"
fi
[ -x "$BIN" ] || { echo "no perfhound binary: cargo build -p perfhound" >&2; exit 2; }
VENV="$ROOT/bench/out/otava-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ROOT/bench/changepoints/requirements.txt"
fi
echo "perfhound: $BIN ($(git -C "$ROOT" rev-parse --short HEAD)), $(date -u +%Y-%m-%d), $(nproc) cores"
"$VENV/bin/python" "$ROOT/bench/changepoints/compare.py" "$BIN"
