#!/usr/bin/env python3
"""Trains the same networks with a `nabla gen` trainer and with PyTorch, in float64, from the same
starting weights and in the same data order, and shows that the weights agree to 1e-9 relative
after several epochs, for SGD, SGD with momentum and Adam; with batch normalization, the running
averages too (PyTorch's `batch_norm` keeps them), and the outputs `predict` computes from them.

Not part of CI: it needs PyTorch, which it installs into a virtual environment of its own
(NABLA_TORCH_VENV, default /tmp/nabla-torch-venv) on first use. Run it from anywhere:

    python3 scripts/check-against-pytorch.py

It builds nabla (release), generates and builds one trainer per case under target/pytorch-check/,
and prints one line per case. Exit status 0 when every case agrees.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("NABLA_TORCH_VENV", "/tmp/nabla-torch-venv"))
TOLERANCE = 1e-9


def ensure_torch():
    """Re-runs this script with the virtual environment's Python, installing PyTorch there first."""
    try:
        import torch  # noqa: F401

        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        sys.exit("PyTorch is not importable even in the virtual environment " + str(VENV))
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import torch"], capture_output=True)
    if check.returncode != 0:
        print(f"installing PyTorch into {VENV} (once) ...", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "torch", "numpy"], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


# --- The trainer's random number generator (src/init.rs), for the data order -----------------

MASK = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Rng:
    """xoshiro256** seeded through SplitMix64, as nabla and its trainers define it."""

    def __init__(self, seed):
        x = seed & MASK
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        threshold = ((1 << 64) - n) % n
        while True:
            x = self.next_u64()
            if x >= threshold:
                return x % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


# --- The cases -----------------------------------------------------------------------------------

TANH_SOFTMAX = """
input  x[4]
target y[3]
param W1[8, 4] ~ xavier
param b1[8]    ~ zeros
param W2[3, 8] ~ xavier
param b2[3]    ~ uniform(-0.1, 0.1)
h = tanh(W1 @ x + b1)
p = softmax(W2 @ h + b2)
loss L = cross_entropy(p, y)
optimizer {optimizer}
train(epochs = {epochs}, batch = {batch}, shuffle = true, seed = {seed})
"""

RELU_SIGMOID_MSE = """
input  x[4]
target y[3]
param W1[6, 4] ~ he
param b1[6]    ~ normal(0, 0.1)
param W2[3, 6] ~ xavier
param b2[3]    ~ zeros
h = relu(W1 @ x + b1)
o = sigmoid(W2 @ h + b2)
loss E = mse(o, y)
optimizer {optimizer}
train(epochs = {epochs}, batch = {batch}, shuffle = true, seed = {seed})
"""


TANH_BATCHNORM = """
input  x[4]
target y : index(3)
param W1[8, 4] ~ xavier
param gamma[8] ~ ones
param beta[8]  ~ zeros
param W2[3, 8] ~ xavier
param b2[3]    ~ zeros
z   = W1 @ x
mu  = batch_mean(z)
var = batch_var(z)
h   = tanh(gamma * (z - mu) / sqrt(var + 1e-5) + beta)
p   = softmax(W2 @ h + b2)
loss L = cross_entropy(p, y)
optimizer {optimizer}
train(epochs = {epochs}, batch = {batch}, shuffle = true, seed = {seed})
"""

RELU_SAMPLE_VARIANCE_MSE = """
input  x[4]
target y[3]
param W1[6, 4] ~ he
param W2[3, 6] ~ xavier
param b2[3]    ~ zeros
z = W1 @ x
h = relu((z - batch_mean(z)) / sqrt(batch_var(z, 1) + 1e-3))
o = W2 @ h + b2
loss E = mse(o, y)
optimizer {optimizer}
train(epochs = {epochs}, batch = {batch}, shuffle = true, seed = {seed})
"""


def tanh_batchnorm(torch, w, x, y, running, training):
    z = x @ w["W1"].T
    normalized = torch.nn.functional.batch_norm(
        z, running["running mu"], running["running var"], w["gamma"], w["beta"],
        training=training, momentum=0.1, eps=1e-5)
    logits = torch.tanh(normalized) @ w["W2"].T + w["b2"]
    return -(y * torch.log_softmax(logits, dim=1)).sum(dim=1)


def relu_sample_variance_output(torch, w, x, running, training):
    z = x @ w["W1"].T
    mean, variance = running["running batch_mean(z)"], running["running batch_var(z, 1)"]
    if training:
        mean_b, variance_b = z.mean(dim=0), z.var(dim=0, correction=1)
        mean.mul_(0.9).add_(0.1 * mean_b.detach())
        variance.mul_(0.9).add_(0.1 * variance_b.detach())
        mean, variance = mean_b, variance_b
    h = torch.relu((z - mean) / torch.sqrt(variance + 1e-3))
    return h @ w["W2"].T + w["b2"]


def relu_sample_variance_mse(torch, w, x, y, running, training):
    o = relu_sample_variance_output(torch, w, x, running, training)
    return ((o - y) ** 2).mean(dim=1)


def tanh_softmax(torch, w, x, y, running, training):
    h = torch.tanh(x @ w["W1"].T + w["b1"])
    z = h @ w["W2"].T + w["b2"]
    return -(y * torch.log_softmax(z, dim=1)).sum(dim=1)


def relu_sigmoid_mse(torch, w, x, y, running, training):
    h = torch.relu(x @ w["W1"].T + w["b1"])
    o = torch.sigmoid(h @ w["W2"].T + w["b2"])
    return ((o - y) ** 2).mean(dim=1)


CASES = [
    # name, network, per-example loss in torch, optimizer (nabla), optimizer (torch), epochs,
    # batch; the batch normalization cases' last batch of an epoch has 6 rows.
    ("tanh-softmax", TANH_SOFTMAX, tanh_softmax, "sgd(lr = 0.05)",
     lambda t, p: t.optim.SGD(p, lr=0.05), 8, 16),
    ("tanh-softmax", TANH_SOFTMAX, tanh_softmax, "sgd(lr = 0.05, momentum = 0.9)",
     lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9), 8, 16),
    ("tanh-softmax", TANH_SOFTMAX, tanh_softmax, "adam(lr = 0.01)",
     lambda t, p: t.optim.Adam(p, lr=0.01), 8, 16),
    ("relu-sigmoid-mse", RELU_SIGMOID_MSE, relu_sigmoid_mse, "sgd(lr = 0.5, momentum = 0.5)",
     lambda t, p: t.optim.SGD(p, lr=0.5, momentum=0.5), 6, 10),
    ("relu-sigmoid-mse", RELU_SIGMOID_MSE, relu_sigmoid_mse,
     "adam(lr = 0.005, beta1 = 0.8, beta2 = 0.99, eps = 1e-6)",
     lambda t, p: t.optim.Adam(p, lr=0.005, betas=(0.8, 0.99), eps=1e-6), 6, 10),
    ("tanh-batchnorm", TANH_BATCHNORM, tanh_batchnorm, "sgd(lr = 0.1, momentum = 0.9)",
     lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9), 8, 16),
    ("relu-sample-variance", RELU_SAMPLE_VARIANCE_MSE, relu_sample_variance_mse,
     "adam(lr = 0.01)", lambda t, p: t.optim.Adam(p, lr=0.01), 6, 16),
]

# What `predict` prints, computed by PyTorch in evaluation, for the networks whose output is
# numbers: the running averages in place of the batch statistics.
OUTPUTS = {"relu-sample-variance": relu_sample_variance_output}

SEED = 7


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stderr}")
    return result.stdout


def read_data(path):
    rows = [line.split(",") for line in Path(path).read_text().splitlines()[1:] if line.strip()]
    x = [[float(v) for v in row[:4]] for row in rows]
    y = [[1.0 if int(row[4]) == k else 0.0 for k in range(3)] for row in rows]
    return x, y


def flat(value):
    if isinstance(value, list):
        return [v for item in value for v in flat(item)]
    return [value]


def main():
    ensure_torch()
    import torch

    torch.set_default_dtype(torch.float64)
    data = ROOT / "examples" / "data" / "iris.csv"
    x_all, y_all = read_data(data)
    x_all = torch.tensor(x_all)
    y_all = torch.tensor(y_all)

    run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    nabla = ROOT / "target" / "release" / "nabla"
    work = ROOT / "target" / "pytorch-check"
    work.mkdir(parents=True, exist_ok=True)

    print(f"PyTorch {torch.__version__}, float64; data {data.relative_to(ROOT)} "
          f"({len(x_all)} rows), seed {SEED}")
    print(f"{'network':<20} {'optimizer':<56} {'epochs':>6} {'steps':>6} "
          f"{'max rel. diff':>14}  result")
    failures = 0
    for index, (name, network, per_example, optimizer, make, epochs, batch) in enumerate(CASES):
        case = work / f"case-{index}"
        case.mkdir(exist_ok=True)
        source = case / f"{name}.nabla"
        source.write_text(network.format(optimizer=optimizer, epochs=epochs, batch=batch,
                                         seed=SEED))
        project = case / "trainer"
        run([str(nabla), "gen", str(source), "-o", str(project), "--force", "--dtype", "f64"])
        run(["cargo", "build", "--release", "--quiet"], cwd=project)
        program = project / "target" / "release" / name
        run([str(program), "train", str(data), "--epochs", "0", "--save", "start.json"],
            cwd=case)
        run([str(program), "train", str(data), "--quiet", "--save", "end.json"], cwd=case)
        start = json.loads((case / "start.json").read_text())
        end = json.loads((case / "end.json").read_text())

        weights = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()
                   if not k.startswith("running ")}
        running = {k: torch.tensor(v) for k, v in start.items() if k.startswith("running ")}
        opt = make(torch, list(weights.values()))
        rng = Rng(SEED + 1)
        steps = 0
        for _ in range(epochs):
            order = list(range(len(x_all)))
            rng.shuffle(order)
            for b in range(0, len(order), batch):
                rows = order[b:b + batch]
                opt.zero_grad()
                loss = per_example(torch, weights, x_all[rows], y_all[rows], running,
                                   True).mean()
                loss.backward()
                opt.step()
                steps += 1
        compared = [(flat(end[key]), value.detach().flatten().tolist())
                    for key, value in [*weights.items(), *running.items()]]
        if name in OUTPUTS:
            printed = run([str(program), "predict", str(data), "--weights", "end.json"], cwd=case)
            ours = [float(v) for line in printed.splitlines() for v in line.split(",")]
            with torch.no_grad():
                theirs = OUTPUTS[name](torch, weights, x_all, running, False)
            compared.append((ours, theirs.flatten().tolist()))
        worst = 0.0
        for ours, theirs in compared:
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs):
                worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
        ok = worst <= TOLERANCE
        failures += not ok
        print(f"{name:<20} {optimizer:<56} {epochs:>6} {steps:>6} {worst:>14.2e}  "
              f"{'agrees' if ok else 'DIFFERS'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
