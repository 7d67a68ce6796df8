#!/usr/bin/env bash
# The one test command (README, .ci/run): sets up what the tests need on a Debian machine
# with Rust, then runs `cargo test --workspace` (extra arguments are passed to it).
#
# The tests use real components, never mocks: PostgreSQL + HypoPG, redis-server, Chromium
# (HTML report), a Python virtualenv and npm packages with the real OpenTelemetry SDKs.
#   1. Debian packages: installed when missing if run as root; otherwise the exact
#      `apt-get install` line is printed and the script stops (exit 1) — no test skips.
#   2. Every tests/*/setup.sh (idempotent: venvs, node_modules from PyPI/npm).
#   3. cargo test --workspace.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(ca-certificates postgresql postgresql-contrib postgresql-15-hypopg chromium fonts-dejavu-core
  python3 python3-venv redis-server)
# Node.js may come from elsewhere (nodesource ships npm inside its nodejs package, and
# Debian's npm conflicts with it): ask for Debian's only when node or npm is absent.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
if ! command -v cargo >/dev/null; then
  echo "test.sh: cargo not found: install Rust first (https://rustup.rs)" >&2
  exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: the tests need these Debian packages, which are not installed:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "then run ./test.sh again (as your user)." >&2
    exit 1
  fi
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for setup in tests/*/setup.sh; do
  echo "== $setup"
  bash "$setup"
done

# Runs the tests make are saved in a throwaway run store, not in this project's history
# (tests that check the store pass --store explicitly).
PERFHOUND_STORE="$(mktemp -d /tmp/perfhound-test-store.XXXXXX)/history.db"
export PERFHOUND_STORE
echo "== cargo test --workspace $*"
exec cargo test --workspace "$@"
