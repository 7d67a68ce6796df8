#!/usr/bin/env bash
# bench/profile_pprof.sh — perfhound profile's memory on large pprof profiles: the peak RSS
# must not grow with the file (the decoder streams, gzip included; memory follows the
# distinct stacks), so the same stacks repeated into a 50 MB and a 500 MB profile must
# cost the same RSS.
#
# The inputs come from bench/pprof_large.py (STACKS distinct stacks, default 5000, sampled
# over and over, tables after the samples), gzipped with `gzip -1` as Go serves profiles.
# Prints, per size: uncompressed MB, CPU seconds (user+sys), MB per CPU-second, peak RSS.
# Never a test: numbers depend on the machine.
#
# Usage: bench/profile_pprof.sh [SIZES_MB...]   (default: 50 500). PERFHOUND=path picks the
# binary (default: target/release/perfhound when built, else target/debug/perfhound).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(50 500)
STACKS=${STACKS:-5000}
if [ -z "${PERFHOUND:-}" ]; then
  PERFHOUND=target/release/perfhound
  [ -x "$PERFHOUND" ] || PERFHOUND=target/debug/perfhound
fi
[ -x "$PERFHOUND" ] || { echo "$PERFHOUND not built: cargo build -p perfhound" >&2; exit 2; }
WORK=$(mktemp -d /tmp/perfhound-bench-pprof.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "binary: $PERFHOUND · distinct stacks: $STACKS"
printf '| uncompressed | gzipped | CPU s | MB / CPU-s | peak RSS |\n|---:|---:|---:|---:|---:|\n'
for mb in "${SIZES[@]}"; do
  python3 bench/pprof_large.py "$mb" "$STACKS" 2> /dev/null | gzip -1 > "$WORK/big.pb.gz"
  raw=$(gzip -dc "$WORK/big.pb.gz" | wc -c)
  gz=$(stat -c %s "$WORK/big.pb.gz")
  /usr/bin/time -f '%U %S %M' -o "$WORK/time" "$PERFHOUND" profile "$WORK/big.pb.gz" --no-store --top 3 > "$WORK/out" 2>&1 \
    || { cat "$WORK/out" >&2; exit 1; }
  read -r user sys rss < "$WORK/time"
  awk -v raw="$raw" -v gz="$gz" -v u="$user" -v s="$sys" -v rss="$rss" 'BEGIN {
    cpu = u + s; mb = raw / 1048576
    printf "| %.0f MB | %.1f MB | %.2f | %.0f | %.0f MB |\n", mb, gz / 1048576, cpu, mb / (cpu > 0 ? cpu : 0.01), rss / 1024 }'
  head -1 "$WORK/out" | sed 's/^/  perfhound: /'
done
