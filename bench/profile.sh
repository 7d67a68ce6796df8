#!/usr/bin/env bash
# bench/profile.sh — perfhound profile vs inferno 0.12 (`inferno-collapse-perf |
# inferno-flamegraph`) on the same large `perf script` file, in one run.
#
# The input is a real recording: `perf record -a -g` of the whole machine for SECONDS (default
# 5) — whatever runs there, kernel and user stacks — as `perf script` text, repeated until
# the file reaches MB megabytes (default 300). Where perf may not record the machine, the
# committed recording crates/perfhound-profile/tests/fixtures/hot-rust.perf is the seed.
# Both tools read the same file and draw a flame graph; perfhound also ranks hotspots and
# runs its rules. Prints CPU seconds (user+sys), MB per CPU-second, peak RSS, and ratios.
# Never a test: numbers depend on the machine.
#
# Usage: bench/profile.sh [MB] [--append]   (--append adds the result under "## profile" in
# docs/benchmarks.md). Needs: inferno (`cargo install inferno`), linux-perf, GNU time.
set -euo pipefail
MB=${1:-300}
APPEND=${2:-}
SECONDS_RECORDED=${SECONDS_RECORDED:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
for tool in inferno-collapse-perf inferno-flamegraph; do
  command -v "$tool" > /dev/null || { echo "$tool not found: cargo install inferno" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/perfhound-bench-profile.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cargo build -q --release -p perfhound
PERFHOUND=${CARGO_TARGET_DIR:-target}/release/perfhound

SEED="$WORK/seed.perf"
if perf record -a -g -F 499 -o "$WORK/perf.data" -- sleep "$SECONDS_RECORDED" > /dev/null 2>&1 \
  && perf script -i "$WORK/perf.data" > "$SEED" 2> /dev/null && [ -s "$SEED" ]; then
  ORIGIN="perf record -a -g -F 499 of this machine for ${SECONDS_RECORDED} s"
else
  cp crates/perfhound-profile/tests/fixtures/hot-rust.perf "$SEED"
  ORIGIN="the committed recording hot-rust.perf (perf record -a was not permitted)"
fi
rm -f "$WORK/perf.data"
BIG="$WORK/big.perf"
: > "$BIG"
while [ "$(stat -c %s "$BIG")" -lt $((MB * 1000000)) ]; do cat "$SEED" >> "$BIG"; done

# measure LABEL CMD...: appends "LABEL cpu_s max_rss_kb" (user+sys of the command and its children).
measure() {
  local label=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/$label.err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$WORK/time")
  echo "$label $(python3 -c "print($u+$s)") $m" >> "$WORK/results"
}

measure perfhound "$PERFHOUND" profile "$BIG" --flamegraph "$WORK/perfhound.svg" --format json
measure inferno-collapse inferno-collapse-perf "$BIG"
measure inferno-flamegraph inferno-flamegraph "$WORK/inferno-collapse.out"

python3 - "$WORK" "$APPEND" "$ROOT/docs/benchmarks.md" "$(nproc)" "$ORIGIN" <<'PY'
import json, os, sys, datetime, platform
work, append, doc, cores, origin = sys.argv[1:6]
rows = {}
for line in open(os.path.join(work, "results")):
    label, cpu, rss = line.split()
    rows[label] = (float(cpu), int(rss))
size = os.path.getsize(os.path.join(work, "big.perf")) / 1e6
seed = os.path.getsize(os.path.join(work, "seed.perf")) / 1e6
ph = json.load(open(os.path.join(work, "perfhound.out")))
inf_cpu = rows["inferno-collapse"][0] + rows["inferno-flamegraph"][0]
inf_rss = max(rows["inferno-collapse"][1], rows["inferno-flamegraph"][1])
ph_cpu, ph_rss = rows["perfhound"]
lines = [f"- {datetime.date.today()} · {cores} cores · {platform.machine()} · release build · `perf script` "
         f"{size:.0f} MB ({ph['samples']:,} samples, {ph['stacks']:,} distinct stacks, {ph['functions']:,} functions; "
         f"seed {seed:.1f} MB from {origin}, repeated)", "",
         "| tool | CPU s | MB / CPU-s | × inferno | peak RSS | RSS ÷ inferno |", "|---|---:|---:|---:|---:|---:|",
         f"| perfhound profile --flamegraph (hotspots, rules, SVG) | {ph_cpu:.2f} | {size / max(ph_cpu, 1e-9):.0f} | "
         f"{inf_cpu / max(ph_cpu, 1e-9):.2f}× | {ph_rss / 1024:.0f} MB | {ph_rss / max(inf_rss, 1):.2f}× |",
         f"| inferno-collapse-perf + inferno-flamegraph | {inf_cpu:.2f} | {size / max(inf_cpu, 1e-9):.0f} | 1.00× | "
         f"{inf_rss / 1024:.0f} MB | 1.00× |",
         f"| · inferno-collapse-perf alone | {rows['inferno-collapse'][0]:.2f} | | | {rows['inferno-collapse'][1] / 1024:.0f} MB | |",
         f"| · inferno-flamegraph alone | {rows['inferno-flamegraph'][0]:.2f} | | | {rows['inferno-flamegraph'][1] / 1024:.0f} MB | |", ""]
text = "\n".join(lines)
print(text)
if append == "--append":
    body = open(doc).read() if os.path.exists(doc) else ""
    if "## profile" not in body:
        body = body.rstrip("\n") + ("\n\n## profile\n\n`bench/profile.sh`: `perfhound profile --flamegraph` vs "
                "`inferno-collapse-perf | inferno-flamegraph` on the same `perf script` file. Inferno's peak RSS is "
                "the larger of its two processes (a pipe runs both at once).\n\n")
    open(doc, "w").write(body.rstrip("\n") + "\n\n" + text)
PY
