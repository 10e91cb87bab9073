"""The four workloads of docs/performance.md in PyTorch and in plain NumPy, for scripts/bench.sh.

    python3 benches/reference.py SYSTEM WORKLOAD DATA.csv [RUNS]

SYSTEM is `torch` (2 threads, torch.set_num_threads(2)) or `numpy`. Each run trains from fresh
starting values and prints one JSON line: the seconds of its training loop alone (the data is
loaded and converted before the clock starts), and the final loss and accuracy on the whole data
set. The networks, optimizers, batch sizes and epochs are those of examples/*.nabla:

| workload   | network                 | loss                  | training                        |
| xor        | 2-2-1 sigmoid           | mean squared error    | SGD lr 0.5, batch 4, 10,000 ep. |
| iris       | 4-16-3 tanh             | softmax cross-entropy | SGD lr 0.05, batch 1, 200 ep.   |
| digits     | 64-128-10 relu          | softmax cross-entropy | SGD lr 0.01 m 0.9, b 32, 50 ep. |
| mnist-size | 784-256-128-10 relu     | softmax cross-entropy | Adam lr 1e-3, b 64, 5 ep.       |
| cnn-digits | conv 1→8 3×3 p1, relu, max 2, avg 2, 32-10 | softmax c.-e. | SGD lr 0.05 m 0.9, b 32, 20 ep. |
| lenet      | conv 1→6 5×5 p2, relu, max 2, conv 6→16 5×5, relu, max 2, 400-120-84-10 relu | softmax c.-e. | Adam lr 1e-3, b 64, 5 ep. |

The two convolutional networks (examples/cnn-digits.nabla, benches/workloads/lenet.nabla) run in
PyTorch only: plain NumPy has no convolution to compare with.

float32 throughout. Starting values: xor's as its file gives them; the others drawn as the file's
initializers say (xavier uniform, he normal, zero biases) from NumPy's generator (the same
distributions, not the same numbers as nabla's generator).
"""

import json
import sys
import time

import numpy as np

WORKLOADS = {
    "xor": dict(sizes=[2, 2, 1], act="sigmoid", loss="mse", opt="sgd", lr=0.5, momentum=0.0,
                batch=4, epochs=10000, shuffle=False),
    "iris": dict(sizes=[4, 16, 3], act="tanh", loss="ce", opt="sgd", lr=0.05, momentum=0.0,
                 batch=1, epochs=200, shuffle=True),
    "digits": dict(sizes=[64, 128, 10], act="relu", loss="ce", opt="sgd", lr=0.01, momentum=0.9,
                   batch=32, epochs=50, shuffle=True),
    "mnist-size": dict(sizes=[784, 256, 128, 10], act="relu", loss="ce", opt="adam", lr=1e-3,
                       momentum=0.0, batch=64, epochs=5, shuffle=True),
    # Convolutional networks: the layers in order, images of one channel of `image` rows.
    "cnn-digits": dict(sizes=[64, 10], image=8, loss="ce", opt="sgd", lr=0.05, momentum=0.9, batch=32,
                       epochs=20, shuffle=True,
                       layers=[("conv", 1, 8, 3, 1), ("relu",), ("max", 2), ("avg", 2),
                               ("flatten",), ("linear", 32, 10, "xavier")]),
    "lenet": dict(sizes=[784, 10], image=28, loss="ce", opt="adam", lr=1e-3, momentum=0.0, batch=64,
                  epochs=5, shuffle=True,
                  layers=[("conv", 1, 6, 5, 2), ("relu",), ("max", 2), ("conv", 6, 16, 5, 0),
                          ("relu",), ("max", 2), ("flatten",), ("linear", 400, 120, "he"),
                          ("relu",), ("linear", 120, 84, "he"), ("relu",),
                          ("linear", 84, 10, "xavier")]),
}

XOR_START = [
    (np.array([[0.5, -0.4], [0.3, 0.6]]), np.array([0.1, -0.1])),
    (np.array([[0.7, -0.5]]), np.array([0.2])),
]


def load(path, classes):
    """Inputs and class labels (or, for xor, targets) of a CSV file with a header row."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    x = table[:, :-1].astype(np.float32)
    y = table[:, -1]
    return x, y


def start(w, seed):
    """Starting weights and biases, float32, by the initializers of the example files."""
    if w["sizes"] == [2, 2, 1]:
        return [(a.astype(np.float32), b.astype(np.float32)) for a, b in XOR_START]
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(w["sizes"], w["sizes"][1:]):
        if w["act"] == "relu":
            weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in))
        else:
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            weight = rng.uniform(-bound, bound, (fan_out, fan_in))
        layers.append((weight.astype(np.float32), np.zeros(fan_out, np.float32)))
    return layers


def cnn(w, seed):
    """The layers of a convolutional workload as PyTorch modules, with the file's initializers:
    kernels he (normal, std √(2 / fan_in), fan_in = C·kh·kw), dense layers as each says, zero
    biases."""
    import torch

    rng = np.random.default_rng(seed)
    modules = []
    for layer in w["layers"]:
        kind = layer[0]
        if kind == "conv":
            _, c, f, k, padding = layer
            module = torch.nn.Conv2d(c, f, k, padding=padding)
            weight = rng.normal(0.0, np.sqrt(2.0 / (c * k * k)), (f, c, k, k))
        elif kind == "linear":
            _, fan_in, fan_out, init = layer
            module = torch.nn.Linear(fan_in, fan_out)
            if init == "he":
                weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in))
            else:
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                weight = rng.uniform(-bound, bound, (fan_out, fan_in))
        else:
            modules.append({"relu": lambda: torch.nn.ReLU(),
                            "max": lambda: torch.nn.MaxPool2d(layer[-1]),
                            "avg": lambda: torch.nn.AvgPool2d(layer[-1]),
                            "flatten": lambda: torch.nn.Flatten()}[kind]())
            continue
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(weight.astype(np.float32)))
            module.bias.zero_()
        modules.append(module)
    return torch.nn.Sequential(*modules)


def run_torch(w, x, y, seed):
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(seed)
    if "layers" in w:
        model = cnn(w, seed)
        x = x.reshape(len(x), 1, w["image"], w["image"])
        return train_torch(w, model, x, y)
    layers = []
    for weight, bias in start(w, seed):
        linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight))
            linear.bias.copy_(torch.from_numpy(bias))
        layers.append(linear)
    act = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[w["act"]]
    modules = []
    for i, linear in enumerate(layers):
        modules.append(linear)
        if i + 1 < len(layers) or w["loss"] == "mse":
            modules.append(act())
    model = torch.nn.Sequential(*modules)
    return train_torch(w, model, x, y)


def train_torch(w, model, x, y):
    """Trains `model` as the workload says; seconds of the loop, then loss and accuracy."""
    import torch

    if w["opt"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=w["lr"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=w["lr"], momentum=w["momentum"])
    xs = torch.from_numpy(x)
    if w["loss"] == "mse":
        ys = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
        loss_fn = torch.nn.functional.mse_loss
    else:
        ys = torch.from_numpy(y.astype(np.int64))
        loss_fn = torch.nn.functional.cross_entropy
    n, batch = len(xs), w["batch"]
    t0 = time.perf_counter()
    for _ in range(w["epochs"]):
        order = torch.randperm(n) if w["shuffle"] else torch.arange(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            loss = loss_fn(model(xs[idx]), ys[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        out = model(xs)
        loss = float(loss_fn(out, ys))
        if w["loss"] == "mse":
            accuracy = float(((out >= 0.5).float() == ys).float().mean())
        else:
            accuracy = float((out.argmax(1) == ys).float().mean())
    return seconds, loss, accuracy


def run_numpy(w, x, y, seed):
    params = [(a.copy(), b.copy()) for a, b in start(w, seed)]
    f32 = np.float32
    classes = w["sizes"][-1]
    if w["loss"] == "mse":
        targets = y.astype(np.float32).reshape(-1, 1)
    else:
        targets = np.eye(classes, dtype=np.float32)[y.astype(np.int64)]
    act, dact = {
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a, z: a * (1 - a)),
        "tanh": (np.tanh, lambda a, z: 1 - a * a),
        "relu": (lambda z: np.maximum(z, f32(0)), lambda a, z: (z > 0).astype(np.float32)),
    }[w["act"]]
    velocity = [(np.zeros_like(a), np.zeros_like(b)) for a, b in params]
    moments = [[np.zeros_like(a), np.zeros_like(b), np.zeros_like(a), np.zeros_like(b)]
               for a, b in params]
    rng = np.random.default_rng(seed)
    n, batch, lr = len(x), w["batch"], f32(w["lr"])
    steps = 0

    def forward(xb):
        acts, zs = [xb], []
        for i, (a, b) in enumerate(params):
            z = acts[-1] @ a.T + b
            zs.append(z)
            last = i + 1 == len(params)
            if last and w["loss"] == "ce":
                acts.append(z)
            else:
                acts.append(act(z))
        return acts, zs

    def loss_of(out, t):
        if w["loss"] == "mse":
            return float(np.mean((out - t) ** 2)), 2 * (out - t) / out.size
        shifted = out - out.max(1, keepdims=True)
        e = np.exp(shifted)
        p = e / e.sum(1, keepdims=True)
        logp = shifted - np.log(e.sum(1, keepdims=True))
        return float(-(t * logp).sum(1).mean()), (p - t) / len(out)

    t0 = time.perf_counter()
    for _ in range(w["epochs"]):
        order = rng.permutation(n) if w["shuffle"] else np.arange(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            acts, zs = forward(x[idx])
            _, delta = loss_of(acts[-1], targets[idx])
            grads = []
            for i in range(len(params) - 1, -1, -1):
                last = i + 1 == len(params)
                if not (last and w["loss"] == "ce"):
                    delta = delta * dact(acts[i + 1], zs[i])
                grads.append((delta.T @ acts[i], delta.sum(0)))
                if i > 0:
                    delta = delta @ params[i][0]
            grads.reverse()
            steps += 1
            for i, ((a, b), (ga, gb)) in enumerate(zip(params, grads)):
                if w["opt"] == "adam":
                    m_a, m_b, v_a, v_b = moments[i]
                    for p, g, m, v in ((a, ga, m_a, v_a), (b, gb, m_b, v_b)):
                        m += f32(0.1) * (g - m)
                        v *= f32(0.999)
                        v += f32(0.001) * g * g
                        step = lr / f32(1 - 0.9 ** steps)
                        denom = np.sqrt(v) / f32(np.sqrt(1 - 0.999 ** steps)) + f32(1e-8)
                        p -= step * m / denom
                elif w["momentum"]:
                    va, vb = velocity[i]
                    for p, g, v in ((a, ga, va), (b, gb, vb)):
                        if steps == 1:
                            v[...] = g
                        else:
                            v *= f32(w["momentum"])
                            v += g
                        p -= lr * v
                else:
                    a -= lr * ga
                    b -= lr * gb
    seconds = time.perf_counter() - t0
    acts, _ = forward(x)
    loss, _ = loss_of(acts[-1], targets)
    if w["loss"] == "mse":
        accuracy = float(((acts[-1] >= 0.5) == targets).mean())
    else:
        accuracy = float((acts[-1].argmax(1) == y).mean())
    return seconds, loss, accuracy


def main():
    system, name, path = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    w = WORKLOADS[name]
    x, y = load(path, w["sizes"][-1])
    run = run_torch if system == "torch" else run_numpy
    if system == "numpy" and "layers" in w:
        sys.exit(f"{name} runs in PyTorch only")
    for seed in range(runs):
        seconds, loss, accuracy = run(w, x, y, seed)
        print(json.dumps(dict(system=system, workload=name, seconds=seconds, loss=loss,
                              accuracy=accuracy)), flush=True)


if __name__ == "__main__":
    main()
