#!/usr/bin/env bash
# bench/redis.sh — perfhound redis against redis-cli --memkeys (the peer for "what fills my
# memory") on the same keyspace, in one run, on a throwaway redis-server on a free loopback
# port. Both scan every key (perfhound's budgets raised so it does); printed: keys covered,
# wall time, CPU-seconds of the client and of redis-server (the scan's cost is mostly the
# server's), peak RSS of the client, and perfhound/redis-cli ratios.
#   bench/redis.sh [--append]   KEYS=250000 PROFILE=release bench/redis.sh
# (--append adds the result under "## redis" in docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-250000}
DIR=$(mktemp -d /tmp/perfhound-bench-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --enable-debug-command local --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
cleanup() { kill "$(cat "$DIR/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
CLI=(redis-cli -h 127.0.0.1 -p "$PORT")
for _ in $(seq 1 100); do "${CLI[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
# Four key templates: sessions (80 %), products, carts (hashes), one big report.
"${CLI[@]}" debug populate $((KEYS * 8 / 10)) session 200 >/dev/null
"${CLI[@]}" debug populate $((KEYS * 15 / 100)) product 100 >/dev/null
python3 - "$((KEYS * 5 / 100))" <<'PY' | "${CLI[@]}" --pipe >/dev/null
import sys
for i in range(int(sys.argv[1])):
    k, f = f"cart:{i}", "items"
    sys.stdout.write(f"*4\r\n$4\r\nHSET\r\n${len(k)}\r\n{k}\r\n${len(f)}\r\n{f}\r\n$2\r\n[]\r\n")
PY
head -c 2000000 /dev/zero | tr "\\0" r | "${CLI[@]}" -x set report:2024 >/dev/null
TOTAL=$("${CLI[@]}" dbsize)
cargo build -q -p perfhound ${PROFILE:+--profile "$PROFILE"}
PERFHOUND=target/${PROFILE:-debug}/perfhound
SERVER_PID=$(cat "$DIR/redis.pid")
server_cpu() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
TICK=$(getconf CLK_TCK)
# measure NAME CMD…: wall, client user+sys, client max RSS (kB), server CPU
measure() {
  local name=$1; shift
  local before after
  before=$(server_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/$name.time" "$@" > "$DIR/$name.out" 2>&1
  after=$(server_cpu)
  read -r wall user sys rss < "$DIR/$name.time"
  echo "$name $wall $(python3 -c "print(round($user + $sys, 2))") $rss $(python3 -c "print(round(($after - $before) / $TICK, 2))")"
}
P=$(measure perfhound "$PERFHOUND" redis "redis://127.0.0.1:$PORT" --sample-keys 100000000 --sample-time 1h --format json)
R=$(measure rediscli "${CLI[@]}" --memkeys)
P_KEYS=$(python3 -c "import json; r=json.load(open('$DIR/perfhound.out')); print(int(r['targets'][0]['measurements']['extra']['cache_server_keys_sampled']))")
R_KEYS=$(grep -o 'Sampled [0-9]* keys' "$DIR/rediscli.out" | awk '{print $2}')
read -r _ PW PC PR PS <<< "$P"
read -r _ RW RC RR RS <<< "$R"
ratio() { python3 -c "a, b = $1, $2; print(round(a / b, 2) if b else 'n/a')"; }
echo "keys in the database: $TOTAL; covered: perfhound $P_KEYS, redis-cli --memkeys $R_KEYS"
printf '%-22s %8s %12s %12s %12s\n' "" wall_s client_cpu_s server_cpu_s client_rss_kB
printf '%-22s %8s %12s %12s %12s\n' perfhound "$PW" "$PC" "$PS" "$PR"
printf '%-22s %8s %12s %12s %12s\n' "redis-cli --memkeys" "$RW" "$RC" "$RS" "$RR"
TOTAL_P=$(python3 -c "print(round($PC + $PS, 2))"); TOTAL_R=$(python3 -c "print(round($RC + $RS, 2))")
LINE="$(date -u +%Y-%m-%d) · $(nproc) cores · redis $(redis-server --version | awk '{print $3}') · ${PROFILE:-debug} build · $TOTAL keys · perfhound/redis-cli --memkeys: wall $(ratio "$PW" "$RW")×, client+server CPU $(ratio "$TOTAL_P" "$TOTAL_R")× ($TOTAL_P s vs $TOTAL_R s), client RSS $(ratio "$PR" "$RR")× ($PR kB vs $RR kB); keys covered $P_KEYS vs $R_KEYS"
echo "$LINE"
if [ "$P_KEYS" != "$TOTAL" ]; then echo "perfhound covered $P_KEYS of $TOTAL keys" >&2; exit 1; fi
if [ "${1:-}" = "--append" ]; then
  grep -q '^## redis' docs/benchmarks.md 2>/dev/null || printf '\n## redis\n\n`bench/redis.sh`: `perfhound redis` (INFO, SLOWLOG, every key: PTTL, MEMORY USAGE, TYPE, templates) vs `redis-cli --memkeys` (every key: TYPE, MEMORY USAGE) on the same keyspace. CPU is client + redis-server.\n\n' >> docs/benchmarks.md
  echo "- $LINE" >> docs/benchmarks.md
fi
