#!/usr/bin/env bash
# bench/logs.sh — perfhound logs vs GoAccess on the same generated nginx access log.
#
# Generates LINES lines (default 1,000,000) of nginx `combined` + `$request_time` with a
# realistic URL mix (crates/perfhound-logs/src/synth.rs), runs perfhound (text and JSON
# run, cache simulation included) and GoAccess (JSON report, `%T` request times) on it,
# and prints lines per CPU-second (user+sys) and peak RSS with ratios. Cross-checks that
# the per-endpoint request counts agree: GoAccess counts per URL, so its URLs are summed
# into the endpoint groups perfhound reports. Then the cache simulator's speed (LRU and
# SIEVE, one core). Never a test: numbers depend on the machine.
#
# Usage: bench/logs.sh [LINES] [--append]   (--append adds the result under "## logs" in
# docs/benchmarks.md). Needs goaccess (apt-get install goaccess), GNU time, python3.
# PROFILE=profiling builds with `--profile profiling` (the release build with symbols);
# PERFHOUND=path uses that binary as built (and the examples of target/$PROFILE) instead.
set -euo pipefail
LINES=${1:-1000000}
APPEND=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v goaccess >/dev/null || { echo "goaccess not found: apt-get install goaccess" >&2; exit 2; }
WORK=$(mktemp -d /tmp/perfhound-bench-logs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

PROFILE=${PROFILE:-release}
BIN=target/$PROFILE/examples
if [ -z "${PERFHOUND:-}" ]; then
  cargo build -q --profile "$PROFILE" -p perfhound
  cargo build -q --profile "$PROFILE" -p perfhound-logs --example gen_log --example sim_speed
  PERFHOUND=target/$PROFILE/perfhound
fi
"$BIN/gen_log" "$LINES" > "$WORK/access.log"

# measure LABEL CMD...: appends "LABEL cpu_s max_rss_kb".
measure() {
  local label=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$WORK/time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/$label.err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$WORK/time")
  echo "$label $(python3 -c "print($u+$s)") $m" >> "$WORK/results"
}

measure perfhound "$PERFHOUND" logs "$WORK/access.log" --format none -o "$WORK/run.json"
measure goaccess goaccess "$WORK/access.log" --no-global-config --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T' \
  --date-format=%d/%b/%Y --time-format=%T -q --max-items=1000000 --no-progress -o "$WORK/goaccess.json"
taskset -c 0 "$BIN/sim_speed" 20000000 > "$WORK/sim.out"

python3 - "$WORK" "$LINES" "$APPEND" "$ROOT/docs/benchmarks.md" "$(nproc)" "$(goaccess --version | head -1)" <<'PY'
import json, os, re, sys, datetime, platform
work, lines_n, append, doc, cores, ga_version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
rows = {}
for line in open(os.path.join(work, "results")):
    label, cpu, rss = line.split()
    rows[label] = (float(cpu), int(rss))
run = json.load(open(os.path.join(work, "run.json")))
ph = {t["name"]: t["measurements"]["requests"] for t in run["targets"] if t["kind"] == "endpoint"}
ga = json.load(open(os.path.join(work, "goaccess.json")))
urls = {}
for panel in ("requests", "static_requests", "not_found"):
    for item in ga.get(panel, {}).get("data", []):
        key = (item.get("method", "GET"), item["data"])
        urls[key] = urls.get(key, 0) + item["hits"]["count"]
# GoAccess counts per URL; group its URLs the way the generated log's endpoints are named.
groups = [("GET /api/products/{id}", "GET", r"^/api/products/\d+$"), ("GET /api/products", "GET", r"^/api/products$"),
          ("GET /api/categories", "GET", r"^/api/categories$"), ("GET /api/users/{id}/orders", "GET", r"^/api/users/\d+/orders$"),
          ("POST /api/cart", "POST", r"^/api/cart$"), ("GET /products/{var}", "GET", r"^/products/[^/]+$"),
          ("GET /health", "GET", r"^/health$"), ("GET /api/search", "GET", r"^/api/search$")]
check, ok = [], True
for name, method, rx in groups:
    g = sum(n for (m, u), n in urls.items() if m == method and re.match(rx, u))
    p = ph.get(name, 0)
    ok &= g == p
    check.append(f"{name} {p:,} vs {g:,}")
static_p = sum(n for k, n in ph.items() if k.startswith("GET /static/"))
static_g = sum(n for (m, u), n in urls.items() if u.startswith("/static/"))
ok &= static_p == static_g
check.append(f"GET /static/* {static_p:,} vs {static_g:,}")
sim = {l.split()[0]: l.split() for l in open(os.path.join(work, "sim.out"))}
pc, pr = rows["perfhound"]
gc, gr = rows["goaccess"]
size = os.path.getsize(os.path.join(work, "access.log")) / 1e6
out = [f"- {datetime.date.today()} · {cores} cores · {platform.machine()} · release build · {lines_n:,} lines ({size:.0f} MB) · {ga_version}", "",
       "| tool | CPU s | lines / CPU-s | × GoAccess | peak RSS | RSS ÷ GoAccess |", "|---|---:|---:|---:|---:|---:|"]
for label, (cpu, rss) in (("perfhound logs (percentiles + cache simulation)", rows["perfhound"]), ("GoAccess (JSON report)", rows["goaccess"])):
    tput = lines_n / max(cpu, 1e-9)
    out.append(f"| {label} | {cpu:.2f} | {tput:,.0f} | {tput / (lines_n / max(gc, 1e-9)):.1f}× | {rss / 1024:.0f} MB | {rss / max(gr, 1):.2f}× |")
out += ["", f"Per-endpoint requests, perfhound vs GoAccess (URLs summed per endpoint): {'all agree' if ok else 'MISMATCH'} — " + "; ".join(check) + ".",
        f"Simulator, one core: LRU {float(sim['lru'][5]):,.0f} requests/CPU-s, SIEVE {float(sim['sieve'][5]):,.0f} (20M Zipf requests, 1M keys, 200 MB cache).", ""]
text = "\n".join(out)
print(text)
if append == "--append":
    body = open(doc).read() if os.path.exists(doc) else ""
    if "## logs" not in body:
        body = body.rstrip("\n") + "\n\n## logs\n\n`bench/logs.sh`: perfhound logs vs GoAccess on the same generated nginx log (combined + `$request_time`).\n\n"
    open(doc, "w").write(body.rstrip("\n") + "\n\n" + text)
if not ok:
    sys.exit(1)
PY
