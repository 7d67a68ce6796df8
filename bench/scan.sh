#!/usr/bin/env bash
# bench/scan.sh — perfhound scan vs Ruff (--select PERF) and Semgrep (bench/scan-semgrep.yaml,
# the Python rules of perfhound scan as Semgrep patterns) on the same tree, by default the
# CPython standard library of the machine (/usr/lib/python3.11).
#
# Each tool runs RUNS times (default 3) with all cores; prints CPU seconds (user+sys, the
# median run) and peak RSS, and the ratios. Never a test: numbers depend on the machine.
#
# Usage: bench/scan.sh [TREE] [RUNS]. Needs GNU time; installs ruff 0.8.6 and semgrep
# 1.101.0 into target/bench-venv (PyPI) on first use.
set -euo pipefail
TREE=${1:-/usr/lib/python3.11}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=target/bench-venv
if ! [ -x "$VENV/bin/ruff" ] || ! [ -x "$VENV/bin/semgrep" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check ruff==0.8.6 semgrep==1.101.0
fi
cargo build -q --release -p perfhound
WORK=$(mktemp -d /tmp/perfhound-bench-scan.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# measure LABEL CMD...: RUNS runs; appends "LABEL median_cpu_s max_rss_kb".
measure() {
  local label=$1; shift
  : > "$WORK/$label.times"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" || {
      echo "$label failed:" >&2; tail -5 "$WORK/$label.err" >&2; exit 1; }
    tail -1 "$WORK/time" >> "$WORK/$label.times"
  done
  python3 - "$label" "$WORK/$label.times" >> "$WORK/results" <<'PY'
import sys, statistics
rows = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
print(sys.argv[1], statistics.median(u + s for u, s, _ in rows), int(max(m for *_, m in rows)))
PY
}

FILES=$(find "$TREE" -name '*.py' | wc -l)
measure perfhound target/release/perfhound scan "$TREE" --format json
measure ruff "$VENV/bin/ruff" check --select PERF --no-cache --exit-zero --output-format json "$TREE"
measure semgrep "$VENV/bin/semgrep" scan --config bench/scan-semgrep.yaml --metrics=off --disable-version-check \
  --no-git-ignore --json --quiet "$TREE"

python3 - "$WORK/results" "$TREE" "$FILES" "$WORK" <<'PY'
import json, sys
r = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
work = sys.argv[4]
counts = {
    "perfhound": len(json.load(open(f"{work}/perfhound.out"))["findings"]),
    "ruff": len(json.load(open(f"{work}/ruff.out"))),
    "semgrep": len(json.load(open(f"{work}/semgrep.out"))["results"]),
}
print(f"tree: {sys.argv[2]} ({sys.argv[3]} .py files)")
print(f"{'tool':<10} {'cpu_s':>8} {'peak_rss_MB':>12} {'findings':>9}")
for k, (cpu, rss) in r.items():
    print(f"{k:<10} {cpu:>8.2f} {rss/1024:>12.1f} {counts[k]:>9}")
p = r["perfhound"]
for peer in ("ruff", "semgrep"):
    cpu, rss = r[peer]
    print(f"perfhound vs {peer}: CPU {p[0]/cpu:.2f}x of {peer} ({cpu/p[0]:.1f}x faster when >1), peak RSS {p[1]/rss:.2f}x")
PY
