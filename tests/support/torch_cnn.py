"""Trains the CNN of tests/fixtures/tensors/cnn-momentum.nabla with PyTorch in float64, from a
trainer's starting weights and in its data order, and prints the weights after EPOCHS epochs as
JSON. Called by tests/codegen_tensors.rs:

    python torch_cnn.py DATA.csv START.json EPOCHS BATCH SEED LR MOMENTUM
"""

import importlib.util
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]


def trainer_rng():
    """The trainer's generator (xoshiro256** seeded through SplitMix64), from the script that
    checks the matrix networks against PyTorch."""
    spec = importlib.util.spec_from_file_location(
        "check_against_pytorch", ROOT / "scripts" / "check-against-pytorch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Rng


def network(w, x):
    """conv2d(X, K, c, 1, 1), relu, 2×2 max pooling, 2×2 average pooling, a dense layer."""
    h = torch.relu(torch.nn.functional.conv2d(x, w["K"], w["c"], stride=1, padding=1))
    p = torch.nn.functional.avg_pool2d(torch.nn.functional.max_pool2d(h, 2), 2)
    return p.flatten(1) @ w["W"].T + w["b"]


def main():
    data, start, epochs, batch, seed, lr, momentum = sys.argv[1:]
    epochs, batch, seed = int(epochs), int(batch), int(seed)
    torch.set_default_dtype(torch.float64)
    rows = [line.split(",") for line in Path(data).read_text().splitlines() if line.strip()]
    x = torch.tensor([[float(v) for v in row[:-1]] for row in rows]).reshape(len(rows), 1, 8, 8)
    y = torch.tensor([int(row[-1]) for row in rows])
    weights = {k: torch.tensor(v, requires_grad=True)
               for k, v in json.loads(Path(start).read_text()).items()}
    opt = torch.optim.SGD(list(weights.values()), lr=float(lr), momentum=float(momentum))
    rng = trainer_rng()(seed + 1)
    for _ in range(epochs):
        order = list(range(len(rows)))
        rng.shuffle(order)
        for b in range(0, len(order), batch):
            part = order[b:b + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(network(weights, x[part]), y[part])
            loss.backward()
            opt.step()
    print(json.dumps({k: v.detach().tolist() for k, v in weights.items()}))


if __name__ == "__main__":
    main()
