#!/usr/bin/env bash
# bench/traces.sh — perfhound traces vs perf-sentinel 0.7.8 on the same generated traces.
#
# Generates SPANS spans (default 1,000,000; realistic mix of N+1 loops, serial calls to
# other services, row-at-a-time writes, clean requests; see
# crates/perfhound-traces/examples/gen_traces.rs) as
#   - one OTLP/JSON-lines file (Collector file exporter style) for perfhound, and
#   - Jaeger JSON files of at most 90 MB each (perf-sentinel's batch `analyze` reads Jaeger,
#     Zipkin or its native format, not OTLP files, and at most 100 MiB per file),
# then runs perfhound on the OTLP file, perfhound on the Jaeger files (same input as the
# peer) and perf-sentinel on each Jaeger file in turn. Prints spans per CPU-second and
# peak RSS of each, and ratios. Never a test: numbers depend on the machine.
#
# Usage: bench/traces.sh [SPANS] [--append]   (--append adds the result under "## traces"
# in docs/benchmarks.md). Needs: perf-sentinel 0.7.8 (`cargo install perf-sentinel@0.7.8
# --locked`, or PERF_SENTINEL=path), GNU time (apt-get install time).
set -euo pipefail
SPANS=${1:-1000000}
APPEND=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PS=${PERF_SENTINEL:-$(command -v perf-sentinel || true)}
if [ -z "$PS" ]; then
  echo "perf-sentinel not found: cargo install perf-sentinel@0.7.8 --locked (or set PERF_SENTINEL)" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/perfhound-bench-traces.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cargo build -q --release -p perfhound
cargo build -q --release -p perfhound-traces --example gen_traces
PERFHOUND=${CARGO_TARGET_DIR:-target}/release/perfhound
GEN=${CARGO_TARGET_DIR:-target}/release/examples/gen_traces
"$GEN" "$SPANS" otlp "$WORK/traces.jsonl"
"$GEN" "$SPANS" jaeger "$WORK/jaeger" 90
# perf-sentinel caps a batch input at [daemon] max_payload_size (at most 100 MiB).
printf '[daemon]\nmax_payload_size = 104857600\n' > "$WORK/perf-sentinel.toml"

# measure LABEL CMD...: appends "LABEL cpu_s max_rss_kb" (user+sys, summed over runs; max RSS).
measure() {
  local label=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/$label.err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$WORK/time")
  echo "$label $(python3 -c "print($u+$s)") $m" >> "$WORK/results"
}

measure perfhound-otlp "$PERFHOUND" traces "$WORK/traces.jsonl" --format json -o "$WORK/run-otlp.json"
measure perfhound-jaeger "$PERFHOUND" traces "$WORK"/jaeger-*.json --format none -o "$WORK/run-jaeger.json"
for f in "$WORK"/jaeger-*.json; do
  measure "perf-sentinel-$(basename "$f" .json)" "$PS" analyze -c "$WORK/perf-sentinel.toml" --input "$f" --format json
done

python3 - "$WORK" "$SPANS" "$APPEND" "$ROOT/docs/benchmarks.md" "$(nproc)" <<'PY'
import json, os, sys, datetime, platform
work, spans, append, doc, cores = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}
for line in open(os.path.join(work, "results")):
    label, cpu, rss = line.split()
    key = "perf-sentinel" if label.startswith("perf-sentinel") else label
    c, r = rows.get(key, (0.0, 0))
    rows[key] = (c + float(cpu), max(r, int(rss)))
run = json.load(open(os.path.join(work, "run-otlp.json")))
codes = {}
for f in run["findings"]:
    codes[f["rule"]["code"]] = codes.get(f["rule"]["code"], 0) + 1
ps_findings = 0
for name in os.listdir(work):
    if name.startswith("perf-sentinel-") and name.endswith(".out"):
        try:
            ps_findings += len(json.load(open(os.path.join(work, name))).get("findings", []))
        except Exception:
            pass
size = os.path.getsize(os.path.join(work, "traces.jsonl")) / 1e6
jsize = sum(os.path.getsize(os.path.join(work, n)) for n in os.listdir(work) if n.startswith("jaeger-")) / 1e6
ps_cpu, ps_rss = rows["perf-sentinel"]
lines = [f"- {datetime.date.today()} · {cores} cores · {platform.machine()} · release build · {spans:,} spans "
         f"(OTLP JSON lines {size:.0f} MB; Jaeger {jsize:.0f} MB in files of ≤ 90 MB for perf-sentinel)", "",
         "| tool · input | CPU s | spans / CPU-s | × perf-sentinel | peak RSS | RSS ÷ perf-sentinel |",
         "|---|---:|---:|---:|---:|---:|"]
for key in ["perfhound-otlp", "perfhound-jaeger", "perf-sentinel"]:
    cpu, rss = rows[key]
    tput = spans / max(cpu, 1e-9)
    lines.append(f"| {key.replace('-', ' · ', 1) if key != 'perf-sentinel' else 'perf-sentinel 0.7.8 · jaeger (per file)'} | {cpu:.2f} | {tput:,.0f} | "
                 f"{tput / (spans / max(ps_cpu, 1e-9)):.2f}× | {rss / 1024:.0f} MB | {rss / max(ps_rss, 1):.2f}× |")
lines += ["", f"perfhound findings on the OTLP file by rule: {dict(sorted(codes.items()))}; "
          f"perf-sentinel findings (all files): {ps_findings}.", ""]
text = "\n".join(lines)
print(text)
if append == "--append":
    body = open(doc).read() if os.path.exists(doc) else ""
    if "## traces" not in body:
        body = body.rstrip("\n") + "\n\n## traces\n\n`bench/traces.sh`: perfhound traces vs perf-sentinel 0.7.8 on the same generated traces.\n\n"
    open(doc, "w").write(body.rstrip("\n") + "\n\n" + text)
PY
