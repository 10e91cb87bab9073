"""Runs the benchmark of docs/performance.md and prints its table (scripts/bench.sh prepares the
trainers, the data and the peak probe, then runs this with a Python that has PyTorch and NumPy).

    python3 benches/bench.py OUT RUNS [WORKLOAD ...]   (all of them if none is named)

OUT holds `trainers/NAME/target/release/NAME` (the generated f32 trainers) and `data.json` (the
data file of each workload); the peak probe is `benches/peak/target/release/peak`. Each workload
runs RUNS rounds, and a round runs the peak probe, the generated trainer, PyTorch and NumPy once
each, one after the other: a slow moment of this shared machine then slows a round's systems
together, and the speed-up over PyTorch is each round's; the table shows the medians over the
rounds. The peak is the highest any round's probe measured (a probe lasts 50 ms, and other
machines' work sometimes takes one of these cores for that long: the lowest probes are about half
the highest). The generated trainer is timed as a whole process (reading the CSV file, training,
scoring), twice a round: without `--save` and with `--save W.json` (as docs/trainer.md tells users
to run it), in alternating order from round to round; the speed-ups are the runs with `--save`,
and a second table sets the two side by side. PyTorch and NumPy are timed by their training loop
alone. Every round's numbers are written to OUT/rounds.json.
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

WORKLOADS = ["xor", "iris", "digits", "mnist-size", "cnn-digits", "lenet"]
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peak", "target", "release",
                     "peak")


def peak():
    """The probe's f32 multiply–add peak now: GFLOP/s on one core, on all, and how many cores."""
    text = subprocess.run([PROBE], capture_output=True, text=True, check=True).stdout
    found = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    return float(found["one-core"][0]), float(found["all-cores"][0]), int(found["all-cores"][1])


def trainer_run(out, name, data, work, save):
    """One whole run of the generated trainer, keeping the weights in `save` if it is given:
    seconds, loss, accuracy, rate in the loop, work."""
    program = os.path.join(out, "trainers", name, "target", "release", name)
    options = ["--save", save] if save else []
    start = time.perf_counter()
    done = subprocess.run([program, "train", data, "--quiet", "--bench"] + options,
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    text = done.stdout
    loss = float(re.search(r"^loss (\S+)", text, re.M).group(1))
    accuracy = float(re.search(r"^accuracy (\S+)%", text, re.M).group(1)) / 100
    loop = float(re.search(r"^bench: .*?, (\S+) GFLOP/s", text, re.M).group(1))
    trained = re.search(r"^trained (\d+) epochs on (\d+) rows", text, re.M)
    epochs, rows = int(trained.group(1)), int(trained.group(2))
    return dict(seconds=seconds, loss=loss, accuracy=accuracy, loop=loop,
                flops=2.0 * work * rows * epochs)


def reference_run(system, w, x, y, seed):
    """One training run in PyTorch (`torch`) or NumPy: seconds of its loop, loss, accuracy;
    `None` for NumPy on a convolutional network, which it has no convolution for."""
    if system == "numpy" and "layers" in w:
        return None
    run = reference.run_torch if system == "torch" else reference.run_numpy
    seconds, loss, accuracy = run(w, x, y, seed)
    return dict(seconds=seconds, loss=loss, accuracy=accuracy)


def rounds(out, name, data, runs):
    """`runs` rounds of the workload: each the peak probe, then each system once."""
    with open(os.path.join(out, "trainers", name, "src", "model.rs")) as f:
        work = int(re.search(r"pub const WORK: usize = (\d+);", f.read()).group(1))
    w = reference.WORKLOADS[name]
    x, y = reference.load(data, w["sizes"][-1])
    results = []
    for seed in range(runs):
        print(f"{name}: round {seed + 1} of {runs}", file=sys.stderr, flush=True)
        one_core, all_cores, cores = peak()
        save = os.path.join(out, f"{name}-weights.json")
        # Without and with --save, the first of the two alternating from round to round.
        if seed % 2 == 0:
            plain = trainer_run(out, name, data, work, None)
            saved = trainer_run(out, name, data, work, save)
        else:
            saved = trainer_run(out, name, data, work, save)
            plain = trainer_run(out, name, data, work, None)
        results.append(dict(one_core=one_core, all_cores=all_cores, cores=cores, ours=saved,
                            plain=plain, torch=reference_run("torch", w, x, y, seed),
                            numpy=reference_run("numpy", w, x, y, seed)))
    return results


def main():
    out, runs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:] or WORKLOADS
    unknown = [name for name in names if name not in WORKLOADS]
    if unknown:
        sys.exit(f"unknown workloads {unknown}: the workloads are {WORKLOADS}")
    with open(os.path.join(out, "data.json")) as f:
        data = json.load(f)
    measured = {name: rounds(out, name, data[name], runs) for name in names}
    with open(os.path.join(out, "rounds.json"), "w") as f:
        json.dump(measured, f, indent=1)
    peaks = [r for results in measured.values() for r in results]
    one_core = max(r["one_core"] for r in peaks)
    all_cores = max(r["all_cores"] for r in peaks)
    rows = []
    for name, results in measured.items():
        flops = results[0]["ours"]["flops"]
        for system, label in [("ours", "nabla gen (f32), --save"),
                              ("plain", "nabla gen (f32), no --save"),
                              ("torch", "PyTorch 2 threads"), ("numpy", "NumPy")]:
            if results[0][system] is None:
                continue
            seconds = statistics.median(r[system]["seconds"] for r in results)
            speedup = statistics.median(r["torch"]["seconds"] / r[system]["seconds"]
                                        for r in results)
            gflops = flops / seconds / 1e9
            if system in ("ours", "plain"):
                loop = statistics.median(r[system]["loop"] for r in results)
                rate = f"{gflops:.2f} ({loop:.1f} in the loop)"
                share = loop / all_cores
            else:
                rate = f"{gflops:.2f}"
                share = gflops / all_cores
            rows.append([
                name, label, f"{seconds:.3f}", f"{speedup:.1f}×", rate, f"{100 * share:.1f}%",
                f"{statistics.median(r[system]['loss'] for r in results):.4f}",
                f"{100 * statistics.median(r[system]['accuracy'] for r in results):.1f}%",
            ])
    header = ["workload", "system", "seconds (median of %d)" % runs, "speed-up over PyTorch",
              "GFLOP/s", "share of peak", "final loss", "accuracy"]
    low = min(r["all_cores"] for r in peaks)
    print(f"peak (f32 multiply–adds, the highest of the {len(peaks)} rounds' probes): "
          f"{one_core:.1f} GFLOP/s on one core, {all_cores:.1f} GFLOP/s on "
          f"{peaks[0]['cores']} cores (the lowest all-core probe: {low:.1f})\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    # What --save costs: each round's two runs side by side.
    print("\n| workload | without --save (s) | with --save (s) | --save adds (ms) | --save adds (%) |")
    print("| --- | --- | --- | --- | --- |")
    for name, results in measured.items():
        plain = statistics.median(r["plain"]["seconds"] for r in results)
        saved = statistics.median(r["ours"]["seconds"] for r in results)
        added = [r["ours"]["seconds"] - r["plain"]["seconds"] for r in results]
        share = [d / r["plain"]["seconds"] for d, r in zip(added, results)]
        print(f"| {name} | {plain:.4f} | {saved:.4f} | "
              f"{1000 * statistics.median(added):.1f} (rounds {1000 * min(added):.1f} to "
              f"{1000 * max(added):.1f}) | {100 * statistics.median(share):.1f} |")


if __name__ == "__main__":
    main()
