#!/usr/bin/env bash
# bench/own_code/run.sh — does PH-TRACE017 (cpu-bound-own-code) report seed 002's O(n²)
# loop and only it, on real Flask + OpenTelemetry spans, alone and under contention?
#
# Runs app.py RUNS times (default 3) with CLIENTS concurrent clients (default 2) against
# `perfhound traces --listen`, and prints each run's medians and PH-TRACE017 findings.
# Never a test: the verdict under contention depends on the machine's load.
# Usage: bench/own_code/run.sh [CLIENTS] [RUNS] [extra perfhound args, e.g. --set own_code.min_ms=150]
set -euo pipefail
CLIENTS=${1:-2}
RUNS=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VENV=target/own-code-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check Flask==3.1.3 opentelemetry-sdk==1.45.1 \
    opentelemetry-exporter-otlp-proto-http==1.45.1 opentelemetry-instrumentation-flask==0.66b1
fi
cargo build -q -p perfhound
WORK=$(mktemp -d /tmp/perfhound-own-code.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for run in $(seq 1 "$RUNS"); do
  target/debug/perfhound traces --listen 127.0.0.1:0 "$@" >"$WORK/out" 2>"$WORK/err" &
  pid=$!
  for _ in $(seq 1 100); do grep -q "http://" "$WORK/err" 2>/dev/null && break; sleep 0.1; done
  addr=$(grep -o "http://[0-9.:]*" "$WORK/err" | head -1)
  EP="$addr/v1/traces" CLIENTS=$CLIENTS "$VENV/bin/python" bench/own_code/app.py 2>/dev/null
  kill -INT "$pid"
  wait "$pid"
  echo "run $run, $CLIENTS client(s): $(grep -E '^GET /products/(similar-q|export)' "$WORK/out" | awk '{printf "%s p50 %s ms; ", $2, $5}')"
  grep -E '^[0-9]+\. .*PH-TRACE017' "$WORK/out" | sed 's/.*— /  /' || echo "  (no PH-TRACE017 finding)"
done
