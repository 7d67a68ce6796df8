#!/usr/bin/env bash
# bench/db.sh — time the `perfhound db` index advisor over a workload of >= 500 distinct
# statements (10 tables x 20k rows, pg_stat_statements + HypoPG) on a throwaway
# PostgreSQL started here. Goal: under 60 s. Usage: bench/db.sh [--append]
# (--append adds the result under "## db" in docs/benchmarks.md).
# Dexter (the peer) is a Ruby gem not available from this machine's registries, so only
# perfhound is timed; the statement count and the suggestion count are printed with it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
STATEMENTS=${STATEMENTS:-520}
DIR=$(mktemp -d /tmp/perfhound-bench-db.XXXXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; RUNAS=(runuser -u postgres --); fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { "${RUNAS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${RUNAS[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync >/dev/null
"${RUNAS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c fsync=off -c pg_stat_statements.max=10000" start >/dev/null
PSQL=(psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION hypopg"
for t in $(seq 0 9); do
  "${PSQL[@]}" -c "CREATE TABLE t$t AS SELECT i AS id, i % 1000 AS c0, i % 997 AS c1, i % 50 AS c2, i % 7 AS c3, (i * 31) % 20000 AS c4, i % 10 AS c5, md5(i::text) AS c6 FROM generate_series(1, 20000) i" -c "VACUUM ANALYZE t$t"
done
cargo build -q -p perfhound ${PROFILE:+--profile "$PROFILE"}
PERFHOUND=target/${PROFILE:-debug}/perfhound
# Distinct statement shapes: table x selected column x filter columns x order/limit.
python3 - "$STATEMENTS" > "$DIR/workload.sql" <<'PY'
import itertools, sys
n = int(sys.argv[1]); out = []
for t, a, (b, c), tail in itertools.product(range(10), ["id", "c6", "c5"], itertools.permutations(["c0", "c1", "c2", "c3", "c4"], 2), ["", " ORDER BY id LIMIT 10"]):
    out.append(f"SELECT {a} FROM t{t} WHERE {b} = 1 AND {c} > 2{tail};")
    if len(out) >= n: break
print("\n".join(out))
PY
"${PSQL[@]}" -f "$DIR/workload.sql" >/dev/null
DISTINCT=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pg_stat_statements WHERE query LIKE 'SELECT % FROM t%'")
START=$(date +%s.%N)
"$PERFHOUND" db "postgres://postgres@127.0.0.1:$PORT/postgres" --format json --no-checks --max-statements 2000 > "$DIR/run.json"
END=$(date +%s.%N)
SECS=$(python3 -c "print(round($END - $START, 2))")
SUGGESTIONS=$(python3 -c "import json; r=json.load(open('$DIR/run.json')); print(sum(1 for f in r['findings'] if f['rule']['code']=='PH-DB001'))")
LINE="$(date -u +%Y-%m-%d) · $(nproc) cores · PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') · ${PROFILE:-debug} build · advisor over $DISTINCT distinct statements: ${SECS} s (goal < 60 s), $SUGGESTIONS index suggestions"
echo "$LINE"
if [ "${1:-}" = "--append" ]; then
  grep -q '^## db' docs/benchmarks.md 2>/dev/null || printf '\n## db\n\n`bench/db.sh`: time of `perfhound db` (index advisor with HypoPG, no health checks) over a generated workload.\n\n' >> docs/benchmarks.md
  echo "- $LINE" >> docs/benchmarks.md
fi
