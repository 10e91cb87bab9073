"""Runs the benchmark of docs/performance.md and prints its table (scripts/bench.sh prepares the
trainers, the data and the peak probe, then runs this with a Python that has PyTorch and NumPy).

    python3 benches/bench.py OUT RUNS

OUT holds `trainers/NAME/target/release/NAME` (the generated f32 trainers), `peak.txt` (the
probe's output) and `data.json` (the data file of each workload). Each system runs each workload
RUNS times; the table shows the median. The generated trainer is timed as a whole process (reading
the CSV file, training, scoring); PyTorch and NumPy by their training loop alone.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import reference  # noqa: E402

WORKLOADS = ["xor", "iris", "digits", "mnist-size"]


def trainer_runs(out, name, data, runs):
    program = os.path.join(out, "trainers", name, "target", "release", name)
    work = None
    with open(os.path.join(out, "trainers", name, "src", "model.rs")) as f:
        work = int(re.search(r"pub const WORK: usize = (\d+);", f.read()).group(1))
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([program, "train", data, "--quiet", "--bench"],
                              capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - start
        text = done.stdout
        loss = float(re.search(r"^loss (\S+)", text, re.M).group(1))
        accuracy = float(re.search(r"^accuracy (\S+)%", text, re.M).group(1)) / 100
        loop = float(re.search(r"^bench: .*?, (\S+) GFLOP/s", text, re.M).group(1))
        epochs = int(re.search(r"^trained (\d+) epochs on (\d+) rows", text, re.M).group(1))
        rows = int(re.search(r"^trained (\d+) epochs on (\d+) rows", text, re.M).group(2))
        results.append(dict(seconds=seconds, loss=loss, accuracy=accuracy, loop=loop,
                            flops=2.0 * work * rows * epochs))
    return results


def reference_runs(system, name, data, runs):
    w = reference.WORKLOADS[name]
    x, y = reference.load(data, w["sizes"][-1])
    run = reference.run_torch if system == "torch" else reference.run_numpy
    results = []
    for seed in range(runs):
        seconds, loss, accuracy = run(w, x, y, seed)
        results.append(dict(seconds=seconds, loss=loss, accuracy=accuracy))
    return results


def median(results, key):
    return statistics.median(r[key] for r in results)


def main():
    out, runs = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(out, "data.json")) as f:
        data = json.load(f)
    with open(os.path.join(out, "peak.txt")) as f:
        peak = {line.split()[0]: line.split()[1:] for line in f if line.strip()}
    one_core, all_cores = float(peak["one-core"][0]), float(peak["all-cores"][0])
    cores = peak["all-cores"][1]
    rows = []
    for name in WORKLOADS:
        ours = trainer_runs(out, name, data[name], runs)
        flops = ours[0]["flops"]
        torch = reference_runs("torch", name, data[name], runs)
        numpy = reference_runs("numpy", name, data[name], runs)
        torch_seconds = median(torch, "seconds")
        for system, results in [("nabla gen (f32)", ours), ("PyTorch 2 threads", torch),
                                ("NumPy", numpy)]:
            seconds = median(results, "seconds")
            gflops = flops / seconds / 1e9
            loop = median(results, "loop") if "loop" in results[0] else None
            rows.append([
                name, system, f"{seconds:.3f}", f"{torch_seconds / seconds:.1f}×",
                f"{gflops:.2f}" + (f" ({loop:.1f} in the loop)" if loop is not None else ""),
                f"{100 * (loop if loop is not None else gflops) / all_cores:.1f}%",
                f"{median(results, 'loss'):.4f}", f"{100 * median(results, 'accuracy'):.1f}%",
            ])
        print(f"{name}: done", file=sys.stderr, flush=True)
    header = ["workload", "system", "seconds (median of %d)" % runs, "speed-up over PyTorch",
              "GFLOP/s", "share of peak", "final loss", "accuracy"]
    print(f"peak (f32 multiply–adds): {one_core:.1f} GFLOP/s on one core, "
          f"{all_cores:.1f} GFLOP/s on {cores} cores\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
