#!/usr/bin/env bash
# bench/accuracy.sh — perfhound's diagnosis accuracy on the real-application corpus.
#
# Runs the corpus test (crates/perfhound/tests/corpus): each app of tests/corpus/ (Flask,
# Django, FastAPI, Express) is started against a real PostgreSQL, redis-server and downstream service and
# audited by `perfhound audit` with default thresholds; the findings are judged against the
# app's ground_truth.yaml. Prints, per app, every verdict — found / MISSED for each planted
# bottleneck, clean / FALSE-POSITIVE for each clean twin — and the score, verdicts right /
# total; then how many call-site findings got the Location of their ground truth. The test fails while any verdict is wrong; this script prints the score anyway.
#
# Usage: bench/accuracy.sh            (record the result in docs/accuracy.md by hand)
# Needs: tests/corpus/setup.sh (run here), PostgreSQL 15 + hypopg, redis-server, node 20.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash tests/corpus/setup.sh
SCORES=$(mktemp -d /tmp/perfhound-accuracy.XXXXXX)
trap 'rm -rf "$SCORES"' EXIT
set +e
PERFHOUND_CORPUS_SCORE_DIR="$SCORES" cargo test -q -p perfhound --test corpus -- --test-threads=1 \
  > "$SCORES/test.log" 2>&1
status=$?
set -e
shopt -s nullglob
files=("$SCORES"/*.txt)
if [ ${#files[@]} -eq 0 ]; then
  echo "no app was scored (the test failed before judging); its output:" >&2
  tail -n 60 "$SCORES/test.log" >&2
  exit 2
fi
right=0 total=0
for f in "${files[@]}"; do
  cat "$f"
  echo
  read -r r t < <(tail -n 1 "$f" | sed -E 's/.*: ([0-9]+)\/([0-9]+) verdicts right/\1 \2/')
  right=$((right + r)) total=$((total + t))
done
echo "corpus: $right/$total verdicts right ($(git rev-parse --short HEAD), $(date -u +%Y-%m-%d))"
# Locations (issue 14): each runtime finding of a call-site bottleneck names its loop.
lright=0 ltotal=0
for f in "$SCORES"/*.loc; do
  read -r r t < <(tail -n 1 "$f" | sed -E 's/.*: ([0-9]+)\/([0-9]+) locations right/\1 \2/')
  lright=$((lright + r)) ltotal=$((ltotal + t))
done
echo "corpus: $lright/$ltotal locations right"
[ "$status" -eq 0 ] || echo "(the corpus test fails while a verdict is wrong: exit $status)"
