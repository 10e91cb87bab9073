"""The batch loss and its gradients of .nabla files, computed by PyTorch in float64.

Reads a JSON list of files' texts on standard input and prints a JSON list, for each file
{"loss": L, "gradients": {NAME: nested lists}} (one process for them all: importing torch takes
a second).
It reads the part of the language the random networks of tests/batch_properties.rs and
tests/random_networks/ use (statements over several lines inside brackets and in any order,
arrays in expressions, each lists, index inputs and targets, batch statistics, picked rows,
concat, the usual functions and losses (cross-entropy against a class number or a
distribution), matrix products and transposes (`transpose(A)`, `A'` and `(A @ B)'`), and on
tensors conv2d, max_pool, avg_pool, flatten, and sum, mean, softmax and log_softmax along an
axis), independently of nabla: a value of each example is a tensor whose first axis runs
over the examples, a value every example shares (a parameter, a batch statistic) has none, and
every operation says which it makes. The batch loss is the mean of the examples' losses.
"""

import json
import re
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


class B:
    """A value: `t`, with the examples along its first axis when `each` is true."""

    def __init__(self, t, each):
        self.t = t
        self.each = each

    @staticmethod
    def of(x):
        if isinstance(x, B):
            return x
        return B(torch.tensor(x, dtype=torch.float64), False)

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
        # A matrix every example shares times each example's vector or matrix.
        o = B.of(o)
        assert not self.each
        if o.each and o.t.dim() == 2:
            return B(torch.einsum("ij,mj->mi", self.t, o.t), True)
        return B(self.t @ o.t, o.each)

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
    if not getattr(y, "index", False):
        # A distribution over the last axis: −sum(y ⊙ log p).
        return last_axis_sum(-(y * B(torch.log(p.t), p.each)))
    # y: each example's class number.
    return B(-torch.log(p.t.gather(-1, y.t.long().unsqueeze(-1)).squeeze(-1)), True)


def binary_cross_entropy(p, y):
    return last_axis_sum(-(y * B(torch.log(p.t), p.each) + (1 - y) * B(torch.log(1 - p.t), p.each)))


def mse(o, y):
    d = (o - y) ** 2
    n = d.t[0].numel() if d.each else d.t.numel()
    return last_axis_sum(d) / n


def axis(v, a):
    """nabla's axis `a` of `v`: the examples' axis comes first."""
    return a + 1 if v.each else a


def maps(v):
    """`v` as maps of [N, C, H, W] for torch.nn.functional, and how to undo it."""
    t = v.t if v.each else v.t.unsqueeze(0)
    shape = t.shape
    t = t.reshape(-1, 1, shape[-2], shape[-1])

    def back(out):
        out = out.reshape(*shape[:-2], out.shape[-2], out.shape[-1])
        return B(out if v.each else out[0], v.each)

    return t, back


def conv2d(x, k, *rest):
    # conv2d(X, K), conv2d(X, K, stride, padding), conv2d(X, K, b, stride, padding)
    b, (stride, padding) = (rest[0], rest[1:]) if len(rest) == 3 else (None, rest or (1, 0))
    assert not k.each
    t = x.t if x.each else x.t.unsqueeze(0)
    channels = k.t.dim() == 4
    kernels = k.t if channels else k.t[None, None]
    out = F.conv2d(t if channels else t.unsqueeze(1), kernels, stride=stride, padding=padding)
    if not channels:
        out = out[:, 0]
    if b is not None:
        out = out + (b.t[:, None, None] if channels else b.t)
    return B(out if x.each else out[0], x.each)


def pool(f):
    def pooled(x, k):
        t, back = maps(x)
        return back(f(t, k))

    return pooled


def flatten(x):
    return B(x.t.reshape(x.t.shape[0], -1) if x.each else x.t.reshape(-1), x.each)


def sum_(v, *a):
    if not a:
        return last_axis_sum(v)
    return B(v.t.sum(axis(v, a[0])), v.each)


def mean(v, *a):
    if not a:
        n = v.t[0].numel() if v.each else v.t.numel()
        return last_axis_sum(v) / n
    return B(v.t.mean(axis(v, a[0])), v.each)


def along(f):
    def applied(v, *a):
        return B(f(v.t, axis(v, a[0]) if a else -1), v.each)

    return applied


NAMES = {
    "tanh": per_example(torch.tanh),
    "sigmoid": per_example(torch.sigmoid),
    "exp": per_example(torch.exp),
    "log": per_example(torch.log),
    "sqrt": per_example(torch.sqrt),
    "relu": per_example(torch.relu),
    "abs": per_example(torch.abs),
    "softmax": along(torch.softmax),
    "log_softmax": along(torch.log_softmax),
    "sum": sum_,
    "mean": mean,
    "transpose": lambda v: B(v.t.transpose(-1, -2), v.each),
    "conv2d": conv2d,
    "max_pool": pool(F.max_pool2d),
    "avg_pool": pool(F.avg_pool2d),
    "flatten": flatten,
    "concat": lambda *vs: B(torch.cat([v.t for v in vs], -1), any(v.each for v in vs)),
    "batch_mean": batch_mean,
    "batch_var": batch_var,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "mse": mse,
}

# A function of the language takes any number as its first argument too (`sqrt(0.3**2 + 1)`).
NAMES = {name: (lambda f: lambda v, *rest: f(B.of(v), *rest))(f) for name, f in NAMES.items()}

DECLARATION = re.compile(r"^(input|target|param|const)\s+(\w+)\s*(?:\[[^\]]*\]|:\s*index\(\d+\))?\s*=\s*(.*)$")
DEFINITION = re.compile(r"^(?:loss\s+)?(\w+)\s*=\s*(.*)$")


def python(expression):
    """An expression of the language as Python: `^` is `**`, a postfix `'` (of a name or of
    parentheses) a transpose, an array `[1, 2]` a tensor (`T([1, 2])`; brackets after a name or
    a closing bracket pick rows)."""
    text = expression.replace("^", "**")
    out = []
    closing = []
    for i, c in enumerate(text):
        if c == "[":
            before = "".join(out).rstrip()
            if closing and closing[-1] != "]p":
                # Inside an array: a row of it.
                closing.append("]")
                out.append("[")
            elif before and (before[-1].isalnum() or before[-1] in "_)]"):
                closing.append("]p")
                out.append("[")
            else:
                closing.append("])")
                out.append("T([")
        elif c == "]":
            out.append(closing.pop()[:2].replace("]p", "]"))
        elif c == "'":
            # The operand before: a name, or a parenthesized group.
            done = "".join(out)
            if done.endswith(")"):
                depth = 0
                for start in range(len(done) - 1, -1, -1):
                    depth += {")": 1, "(": -1}.get(done[start], 0)
                    if depth == 0:
                        break
                while start > 0 and (done[start - 1].isalnum() or done[start - 1] == "_"):
                    start -= 1
            else:
                start = len(done)
                while start > 0 and (done[start - 1].isalnum() or done[start - 1] == "_"):
                    start -= 1
            out = [done[:start], "transpose(", done[start:], ")"]
        else:
            out.append(c)
    return "".join(out)


def statements(source):
    """The statements of a file: a newline ends one, except inside brackets."""
    statement, depth = "", 0
    for line in source.splitlines():
        line = line.split("#")[0].strip()
        statement = f"{statement} {line}".strip()
        depth += line.count("[") + line.count("(") - line.count("]") - line.count(")")
        if depth == 0 and statement:
            yield statement
            statement = ""


def batch_loss_and_gradients(source):
    env = dict(NAMES)
    env["T"] = lambda items: B(torch.tensor(items, dtype=torch.float64), False)
    params = {}
    loss_name = None
    definitions = []
    for line in statements(source):
        if line.startswith("optimizer"):
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
            env[name].index = ": index(" in line
            continue
        defined = DEFINITION.match(line)
        assert defined, line
        definitions.append(defined.groups())
        if line.startswith("loss"):
            loss_name = defined.group(1)
    # Names may be used before the line that defines them: each definition once its names are.
    while definitions:
        waiting = []
        for name, expression in definitions:
            try:
                env[name] = B.of(eval(python(expression), {}, env))
            except NameError:
                waiting.append((name, expression))
        assert len(waiting) < len(definitions), waiting
        definitions = waiting
    loss = env[loss_name]
    batch_loss = loss.t.mean() if loss.each else loss.t
    batch_loss.backward()
    return {
        "loss": batch_loss.item(),
        "gradients": {name: t.grad.tolist() for name, t in params.items()},
    }


print(json.dumps([batch_loss_and_gradients(source) for source in json.load(sys.stdin)]))
