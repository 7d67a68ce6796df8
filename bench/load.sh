#!/usr/bin/env bash
# bench/load.sh — perfhound vs wrk (and oha when installed) against nginx on loopback.
#
# Prints, for each client: requests completed, client CPU seconds, requests per client
# CPU-second, peak RSS, and ratios to wrk. Then measures perfhound's memory growth with
# 1,000 and 10,000 open connections. Never a test: numbers depend on the machine.
#
# Usage: bench/load.sh [DURATION_S=10] [CONNECTIONS=64] [THREADS=1]   (PERFHOUND=path uses a prebuilt binary)
# Needs: nginx, wrk, GNU time (apt-get install nginx wrk time); oha optional (cargo install oha).
set -euo pipefail
DUR=${1:-10}
CONNS=${2:-64}
THREADS=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap '[ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

for tool in nginx wrk /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/load.sh: $tool is missing (apt-get install nginx wrk time)" >&2; exit 2; }
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

if [ -n "${PERFHOUND:-}" ]; then
  PH=$PERFHOUND   # a prebuilt binary
else
  echo "building perfhound (release)…" >&2
  (cd "$ROOT" && cargo build --release -q -p perfhound)
  PH="$ROOT/target/release/perfhound"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile 65536;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 30000; multi_accept on; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server { listen 127.0.0.1:$PORT backlog=16384; location / { return 200 "hello world\n"; } }
}
NGX
nginx -c "$WORK/nginx.conf" -p "$WORK"
URL="http://127.0.0.1:$PORT/"
for _ in $(seq 50); do curl -fs "$URL" >/dev/null 2>&1 && break; python3 -c 'import time; time.sleep(0.1)'; done

# run NAME CMD... → prints "NAME requests cpu_s rss_kb"
run() {
  local name=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || true
  read -r user sys rss < "$WORK/$name.time"
  local reqs
  case $name in
    wrk*) reqs=$(awk '/requests in/ {print $1}' "$WORK/$name.out") ;;
    oha*) reqs=$(python3 -c "import json,sys; d=json.load(open('$WORK/$name.out')); print(sum(d['statusCodeDistribution'].values()))") ;;
    perfhound*) reqs=$(python3 -c "import json; d=json.load(open('$WORK/$name.json')); print(d['load']['accounting']['requests_ok'])") ;;
  esac
  echo "$name $reqs $(python3 -c "print(round($user+$sys,3))") $rss"
}

echo "== throughput: $CONNS connections, ${DUR}s, $THREADS client thread(s), nginx 1 worker, $(nproc) cores ==" | tee "$OUT/load.txt"
{
  run wrk wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency "$URL"
  if command -v oha >/dev/null; then
    run oha oha -z "${DUR}s" -c "$CONNS" --no-tui --output-format json "$URL"
  fi
  run perfhound "$PH" load "$URL" -c "$CONNS" -d "${DUR}s" --threads "$THREADS" -q --format none --out "$WORK/perfhound.json"
} > "$WORK/results.txt"

python3 - "$WORK/results.txt" <<'PY' | tee -a "$OUT/load.txt"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
data = {r[0]: (int(r[1]), float(r[2]), int(r[3])) for r in rows}
w = data["wrk"]; w_eff = w[0] / max(w[1], 1e-9)
print(f"{'client':<10} {'requests':>10} {'cpu_s':>7} {'req/cpu-s':>11} {'peak_rss':>10} {'eff/wrk':>8} {'rss/wrk':>8}")
for name, (reqs, cpu, rss) in data.items():
    eff = reqs / max(cpu, 1e-9)
    print(f"{name:<10} {reqs:>10} {cpu:>7.2f} {eff:>11.0f} {rss/1024:>8.1f}MB {eff/w_eff:>7.2f}x {rss/w[2]:>7.2f}x")
PY

echo "== memory vs open connections (perfhound, closed model, 5s, every connection busy) ==" | tee -a "$OUT/load.txt"
{
  for c in 64 1000 10000; do
    /usr/bin/time -f "%M" -o "$WORK/mem$c.time" "$PH" load "$URL" -c "$c" -d 5s -q --format none \
      --out "$WORK/mem$c.json" 2>"$WORK/mem$c.err" || true
    ok=$(python3 -c "import json; print(json.load(open('$WORK/mem$c.json'))['load']['accounting']['requests_ok'])" 2>/dev/null || echo 0)
    echo "$c $(cat "$WORK/mem$c.time") $ok"
  done
} > "$WORK/mem.txt"
python3 - "$WORK/mem.txt" <<'PY' | tee -a "$OUT/load.txt"
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
base_c, base_kb, _ = rows[0]
print(f"{'connections':>11} {'peak_rss':>10} {'KB/conn beyond 64':>18} {'requests ok':>12}")
for c, kb, ok in rows:
    per = (kb - base_kb) / (c - base_c) if c != base_c else 0
    print(f"{c:>11} {kb/1024:>8.1f}MB {per:>18.1f} {ok:>12}")
PY
echo "== memory vs run length (perfhound, 64 connections) ==" | tee -a "$OUT/load.txt"
for d in 5 30; do
  /usr/bin/time -f "%M" -o "$WORK/len$d.time" "$PH" load "$URL" -c 64 -d "${d}s" -q --format none 2>/dev/null || true
  echo "  ${d}s run: peak RSS $(( $(cat "$WORK/len$d.time") / 1024 )) MB" | tee -a "$OUT/load.txt"
done
echo "(full output in $OUT/load.txt)" >&2
