#!/usr/bin/env bash
# bench/traces_stream.sh — the trace engine's memory on ONE large OTLP/JSON document and its
# speed on a 16 MiB Jaeger file (perf-sentinel's per-file input) against perf-sentinel 0.7.8.
#
# Inputs (generated, deterministic; crates/perfhound-traces/examples/gen_traces.rs):
#   - one OTLP/JSON document whose single `resourceSpans` element holds N spans, for
#     N = 200k and 1.4M (7×): memory must stay flat (bounded by traces in flight);
#   - the first 16 MiB Jaeger file of a generated set.
# perfhound side: examples/ingest_bench (exactly what `perfhound traces FILE` runs: ingest,
# assembly, detectors, the Run; no terminal output), so only perfhound-traces needs a
# release build. Each tool runs REPEAT times on the same file; CPU (user+sys) is summed.
#
# Usage: bench/traces_stream.sh [REPEAT]   Needs: perf-sentinel 0.7.8, GNU time, python3.
set -euo pipefail
REPEAT=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PS=${PERF_SENTINEL:-$(command -v perf-sentinel || true)}
[ -n "$PS" ] || { echo "perf-sentinel not found: cargo install perf-sentinel@0.7.8 --locked" >&2; exit 2; }
WORK=$(mktemp -d /tmp/perfhound-bench-stream.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build -q --release -p perfhound-traces --example gen_traces --example ingest_bench
GEN=${CARGO_TARGET_DIR:-target}/release/examples/gen_traces
ENGINE=${CARGO_TARGET_DIR:-target}/release/examples/ingest_bench

one_document() { # SPANS OUT: one document, one resourceSpans element, spans in trace order
  "$GEN" "$1" otlp "$WORK/lines.jsonl" >/dev/null
  python3 - "$WORK/lines.jsonl" "$2" <<'PY'
import json, sys
with open(sys.argv[2], "w") as out:
    out.write('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"scope":{"name":"gen"},"spans":[\n')
    first = True
    for line in open(sys.argv[1]):
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for sp in ss["spans"]:
                    out.write(("" if first else ",\n") + json.dumps(sp)); first = False
    out.write("\n]}]}]}\n")
PY
  rm "$WORK/lines.jsonl"
}

cpu_rss() { # CMD...: prints "cpu_s max_rss_kb" for one run
  /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { tail -3 "$WORK/err" >&2; exit 1; }
  read -r u s m < "$WORK/time"; python3 -c "print($u+$s, $m)"
}

echo "== one OTLP/JSON document (memory must not grow with the document)"
for n in 200000 1400000; do
  one_document "$n" "$WORK/doc.json"
  printf '%8d spans  %4d MB  ' "$n" $(( $(stat -c %s "$WORK/doc.json") / 1000000 ))
  read -r cpu rss < <(cpu_rss "$ENGINE" "$WORK/doc.json")
  python3 -c "print(f'cpu {$cpu:.2f} s  {int($n/$cpu):,} spans/CPU-s  peak RSS {$rss/1024:.0f} MB')"
  rm "$WORK/doc.json"
done

echo "== 16 MiB Jaeger file, $REPEAT runs each"
"$GEN" 60000 jaeger "$WORK/jg" 16 >/dev/null
JG="$WORK/jg-000.json"
printf '[daemon]\nmax_payload_size = 104857600\n' > "$WORK/ps.toml"
spans=$("$ENGINE" "$JG" | awk '{print $2}')
ph=0; ps=0; ph_rss=0; ps_rss=0
for _ in $(seq "$REPEAT"); do
  read -r c r < <(cpu_rss "$ENGINE" "$JG"); ph=$(python3 -c "print($ph+$c)"); ph_rss=$r
  read -r c r < <(cpu_rss "$PS" analyze -c "$WORK/ps.toml" --input "$JG" --format json); ps=$(python3 -c "print($ps+$c)"); ps_rss=$r
done
python3 - "$spans" "$REPEAT" "$ph" "$ps" "$ph_rss" "$ps_rss" <<'PY'
import sys
spans, rep, ph, ps, ph_rss, ps_rss = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"{spans:,} spans per run")
print(f"perfhound     {ph:.2f} CPU-s  {spans*rep/ph:,.0f} spans/CPU-s  peak RSS {ph_rss/1024:.0f} MB")
print(f"perf-sentinel {ps:.2f} CPU-s  {spans*rep/ps:,.0f} spans/CPU-s  peak RSS {ps_rss/1024:.0f} MB")
print(f"ratio (perfhound ÷ perf-sentinel, spans per CPU-s): {ps/ph:.2f}x; RSS {ph_rss/ps_rss:.2f}x")
PY
