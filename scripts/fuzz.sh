#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), seeded with the bundled examples.
# Needs cargo-fuzz (installed here if missing); libFuzzer's instrumentation uses unstable
# compiler flags, which RUSTC_BOOTSTRAP=1 allows on the stable toolchain.
#
#   scripts/fuzz.sh 300          # every target, five minutes each
#   scripts/fuzz.sh 60 explain   # one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(check derive explain)
fi

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1

for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  # Seeds: every example and test fixture (copied by content hash, so reruns add nothing).
  for seed in $(find examples tests/fixtures -name '*.nabla'); do
    cp "$seed" "$corpus/seed-$(sha1sum "$seed" | cut -c1-16)"
  done
  echo "== $target: ${seconds}s"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 2>&1) \
    | grep -E '^(#[0-9]+ +(DONE|pulse)|Done|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' || true
  if ls fuzz/artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "!! $target: crashes in fuzz/artifacts/$target"
  fi
done
