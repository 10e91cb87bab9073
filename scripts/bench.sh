#!/usr/bin/env bash
# The benchmark of docs/performance.md (not run in CI): generates and builds the f32 trainers of
# the six workloads (xor, iris, digits, mnist-size, and the convolutional cnn-digits and lenet)
# and the f32 peak probe, then runs each workload in RUNS rounds (default 5), each round the
# probe, the generated trainer, PyTorch (2 threads) and plain NumPy (not for the convolutional
# networks), one after the other (benches/bench.py). Prints the table: seconds
# (median), speed-up over PyTorch and share of the all-core peak (medians of each round's),
# GFLOP/s, final loss and accuracy.
#
#   scripts/bench.sh          # five rounds of everything, about five minutes
#   RUNS=1 scripts/bench.sh   # one round each
#   scripts/bench.sh mnist-size cnn-digits   # only the workloads named
#
# PyTorch and NumPy come from /tmp/nabla-torch-venv when it has them (NABLA_TORCH_VENV to choose
# another), else from a virtual environment this script makes under $BENCH_DIR. The mnist-size
# data are written by ../shared/data/gen_synth.py (10,000 synthetic rows, the same every time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
out="${BENCH_DIR:-/tmp/nabla-bench}"
shared="${NABLA_SHARED_DATA:-../shared/data}"
mkdir -p "$out/trainers"

venv="${NABLA_TORCH_VENV:-/tmp/nabla-torch-venv}"
if ! "$venv/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
  venv="$out/venv"
  if ! "$venv/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
    echo "== installing PyTorch (CPU) and NumPy into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy
    "$venv/bin/pip" install --quiet torch --index-url https://download.pytorch.org/whl/cpu \
      || "$venv/bin/pip" install --quiet torch
  fi
fi
py="$venv/bin/python"

echo "== data"
if [ ! -s "$out/synth.csv" ]; then
  "$py" "$shared/gen_synth.py" "$out/synth.csv" >&2
fi
cat > "$out/data.json" <<JSON
{
  "xor": "$PWD/examples/data/xor.csv",
  "iris": "$(cd "$shared" && pwd)/iris.csv",
  "digits": "$(cd "$shared" && pwd)/digits.csv",
  "mnist-size": "$out/synth.csv",
  "cnn-digits": "$(cd "$shared" && pwd)/digits.csv",
  "lenet": "$out/synth.csv"
}
JSON

echo "== building nabla and the trainers"
cargo build --release --quiet
for spec in xor:examples/xor.nabla iris:examples/iris.nabla \
  digits:benches/workloads/digits.nabla mnist-size:benches/workloads/mnist-size.nabla \
  cnn-digits:examples/cnn-digits.nabla lenet:benches/workloads/lenet.nabla; do
  name="${spec%%:*}"
  file="${spec#*:}"
  ./target/release/nabla gen "$file" -o "$out/trainers/$name" --dtype f32 --name "$name" \
    --force >/dev/null
  (cd "$out/trainers/$name" && cargo build --release --quiet)
done

echo "== the peak probe (run again in every round)"
(cd benches/peak && cargo build --release --quiet)
benches/peak/target/release/peak

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L1d|L2|L3)' || true
echo "nproc: $(nproc)"
"$py" -c 'import torch, numpy; print("PyTorch", torch.__version__, "NumPy", numpy.__version__)'

echo "== running ($runs rounds of each workload)"
"$py" benches/bench.py "$out" "$runs" "$@"
