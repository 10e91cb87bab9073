"""The batch loss and its gradients of .nabla files, computed by PyTorch in float64.

Reads a JSON list of files' texts on standard input and prints a JSON list, for each file
{"loss": L, "gradients": {NAME: nested lists}} (one process for them all: importing torch takes
a second).
It reads the part of the language the random networks of tests/batch_properties.rs use (each
lists, index inputs and targets, batch statistics, picked rows, concat and the usual functions
and losses), independently of nabla: a value of each example is a tensor whose first axis runs
over the examples, a value every example shares (a parameter, a batch statistic) has none, and
every operation says which it makes. The batch loss is the mean of the examples' losses.
"""

import json
import re
import sys

import torch

torch.set_default_dtype(torch.float64)


class B:
    """A value: `t`, with the examples along its first axis when `each` is true."""

    def __init__(self, t, each):
        self.t = t
        self.each = each

    @staticmethod
    def of(x):
        return x if isinstance(x, B) else B(torch.tensor(float(x)), False)

    def _zip(self, other, f):
        other = B.of(other)
        return B(f(self.t, other.t), self.each or other.each)

    def __add__(self, o):
        return self._zip(o, lambda a, b: a + b)

    def __radd__(self, o):
        return B.of(o)._zip(self, lambda a, b: a + b)

    def __sub__(self, o):
        return self._zip(o, lambda a, b: a - b)

    def __rsub__(self, o):
        return B.of(o)._zip(self, lambda a, b: a - b)

    def __mul__(self, o):
        return self._zip(o, lambda a, b: a * b)

    def __rmul__(self, o):
        return B.of(o)._zip(self, lambda a, b: a * b)

    def __truediv__(self, o):
        return self._zip(o, lambda a, b: a / b)

    def __rtruediv__(self, o):
        return B.of(o)._zip(self, lambda a, b: a / b)

    def __pow__(self, p):
        return B(self.t ** float(p), self.each)

    def __neg__(self):
        return B(-self.t, self.each)

    def __matmul__(self, o):
        # A matrix every example shares times each example's vector.
        assert not self.each
        if o.each:
            return B(torch.einsum("ij,mj->mi", self.t, o.t), True)
        return B(self.t @ o.t, False)

    def __getitem__(self, i):
        # A row of a shared table picked by each example's index.
        assert not self.each and i.each
        return B(self.t[i.t.long()], True)


def per_example(f):
    return lambda v: B(f(v.t), v.each)


def last_axis_sum(v):
    if v.each:
        return B(v.t.reshape(v.t.shape[0], -1).sum(1), True)
    return B(v.t.sum(), False)


def batch_mean(v):
    return B(v.t.mean(0), False)


def batch_var(v, unbiased=0):
    return B(v.t.var(0, correction=int(unbiased)), False)


def cross_entropy(p, y):
    # y: each example's class number.
    return B(-torch.log(p.t.gather(-1, y.t.long().unsqueeze(-1)).squeeze(-1)), True)


def binary_cross_entropy(p, y):
    return last_axis_sum(-(y * B(torch.log(p.t), p.each) + (1 - y) * B(torch.log(1 - p.t), p.each)))


def mse(o, y):
    d = (o - y) ** 2
    n = d.t[0].numel() if d.each else d.t.numel()
    return last_axis_sum(d) / n


NAMES = {
    "tanh": per_example(torch.tanh),
    "sigmoid": per_example(torch.sigmoid),
    "exp": per_example(torch.exp),
    "log": per_example(torch.log),
    "sqrt": per_example(torch.sqrt),
    "relu": per_example(torch.relu),
    "softmax": per_example(lambda t: torch.softmax(t, -1)),
    "sum": last_axis_sum,
    "concat": lambda *vs: B(torch.cat([v.t for v in vs], -1), any(v.each for v in vs)),
    "batch_mean": batch_mean,
    "batch_var": batch_var,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "mse": mse,
}

DECLARATION = re.compile(r"^(input|target|param)\s+(\w+)\s*(?:\[[^\]]*\]|:\s*index\(\d+\))?\s*=\s*(.*)$")
DEFINITION = re.compile(r"^(?:loss\s+)?(\w+)\s*=\s*(.*)$")


def python(expression):
    return expression.replace("^", "**")


def batch_loss_and_gradients(source):
    env = dict(NAMES)
    params = {}
    loss_name = None
    for line in source.splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("optimizer"):
            continue
        declared = DECLARATION.match(line)
        if declared:
            kind, name, value = declared.groups()
            each = value.startswith("each")
            value = value[len("each"):].strip() if each else value
            t = torch.tensor(eval(value), dtype=torch.float64)
            if kind == "param":
                t.requires_grad_(True)
                params[name] = t
            env[name] = B(t, each)
            continue
        defined = DEFINITION.match(line)
        assert defined, line
        name, expression = defined.groups()
        env[name] = B.of(eval(python(expression), {}, env))
        if line.startswith("loss"):
            loss_name = name
    loss = env[loss_name]
    batch_loss = loss.t.mean() if loss.each else loss.t
    batch_loss.backward()
    return {
        "loss": batch_loss.item(),
        "gradients": {name: t.grad.tolist() for name, t in params.items()},
    }


print(json.dumps([batch_loss_and_gradients(source) for source in json.load(sys.stdin)]))
