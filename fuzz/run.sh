#!/usr/bin/env bash
# Runs one fuzz target for a while on stable Rust (see docs/fuzzing.md).
#   fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]
#   CARGO_FUZZ_FLAGS="--sanitizer none" fuzz/run.sh TARGET 60
# The committed seeds and regression inputs (fuzz/corpus/TARGET) are read as inputs;
# libFuzzer writes what it discovers to fuzz/corpus-work/TARGET (git-ignored) and crashes
# to fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-180}
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "fuzz/corpus-work/$target" "fuzz/corpus/$target"
# shellcheck disable=SC2086 # CARGO_FUZZ_FLAGS is a list of flags
RUSTC_BOOTSTRAP=1 exec nice -n 10 cargo fuzz run ${CARGO_FUZZ_FLAGS:-} "$target" \
  "fuzz/corpus-work/$target" "fuzz/corpus/$target" \
  -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "$@"
