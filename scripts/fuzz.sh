#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), seeded with the bundled examples.
# Needs cargo-fuzz (installed here if missing); libFuzzer's instrumentation uses unstable
# compiler flags, which RUSTC_BOOTSTRAP=1 allows on the stable toolchain.
#
#   scripts/fuzz.sh 300          # every target, five minutes each
#   scripts/fuzz.sh 60 explain   # one target
#
# Targets: check, derive, explain, gen (source text into nabla), and csv, weights (the readers
# of a generated trainer: fuzz/trainer-under-test/, the trainer of examples/iris.nabla, which
# this script regenerates first; a test checks that the committed copy is up to date).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(check derive explain gen csv weights)
fi

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1

cargo run --quiet --release -- gen examples/iris.nabla -o fuzz/trainer-under-test \
  --name trainer-under-test --force >/dev/null

# The seeds of a target: source files, data files or weights files.
seeds() {
  case "$1" in
    csv) find examples/data ../shared/data -name 'iris*.csv' 2>/dev/null || true ;;
    weights) find fuzz/seeds/weights -name '*.json' ;;
    *) find examples tests/fixtures -name '*.nabla' ;;
  esac
}

for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  # Seeds are copied by content hash, so reruns add nothing.
  for seed in $(seeds "$target"); do
    cp "$seed" "$corpus/seed-$(sha1sum "$seed" | cut -c1-16)"
  done
  echo "== $target: ${seconds}s"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 2>&1) \
    | grep -E '^(#[0-9]+[[:space:]]+(DONE|pulse)|Done|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' || true
  if ls fuzz/artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "!! $target: crashes in fuzz/artifacts/$target"
  fi
done
