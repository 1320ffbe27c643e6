"""The PyTorch peer of the TrainingWorkers benchmark: the same job, written the way a PyTorch user would.

Run by the benchmark with Debian's /usr/bin/python3 (torch 1.13, the libtorch our shim links).
It rebuilds the model from the layer list that ModelBuilder produced (the shim's grammar, so the
architecture is the same by construction) and loads Fashion-MNIST the way DatasetLoader does
(pixels / 255, the same SplitMix64 validation split, one mean and deviation over the training split).
Prints one JSON object on stdout.

  timing: train --epochs epochs (train mode, dropout on, shuffled each epoch), no validation;
          per-epoch seconds cover the shuffle, the batch gathers and the steps.
  job:    what `tw run` does for a spec: train, evaluate validation and test, save the weights.
  step:   --epochs steps on the first batch, each timed alone (epoch_seconds holds the step times).
"""
import argparse, gzip, json, os, sys, tempfile, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    """SplitMix64's finalizer, as Shuffle.Mix in src/TrainingWorkers.Engine/Data/Shuffle.cs."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def permutation(count, seed, stream):
    order = list(range(count))
    state = mix(seed ^ mix((stream + GOLDEN) & MASK))
    for i in range(count - 1, 0, -1):
        state = mix((state + GOLDEN) & MASK)
        j = state % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(directory, prefix, limit):
    pixels = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), 16)
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), 8).astype(np.int64)
    x = (pixels.astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
    n = len(labels) if limit is None else min(limit, len(labels))
    return x[:n], labels[:n]


def load_data(a):
    x, y = load(a.data, "train", a.train_limit)
    held = max(1, round(len(y) * a.validation_split)) if a.validation_split > 0 else 0
    val = None
    if held:
        order = permutation(len(y), a.seed, MASK)
        val = (x[order[-held:]], y[order[-held:]])
        x, y = x[order[:-held]], y[order[:-held]]
    test = load(a.data, "t10k", a.test_limit) if a.test else None
    mean = x.mean(dtype=np.float64)
    scale = np.float32(1 / np.sqrt(max(0.0, (x.astype(np.float64) ** 2).mean() - mean * mean)))
    norm = lambda d: None if d is None else (torch.from_numpy((d[0] - np.float32(mean)) * scale), torch.from_numpy(d[1]))
    return norm((x, y)), norm(val), norm(test)


def build(layers):
    """The shim's layer grammar (src/native/model.cpp build_layers), minus resblock."""
    parts, shape, current = {"backbone": [], "head": []}, None, "backbone"
    for line in layers.split(";"):
        t = line.split()
        if not t:
            continue
        k, i = t[0], [int(v) for v in t[1:] if v.lstrip("-").isdigit()]
        if k == "input": shape = i; continue
        if k == "head": current = "head"; continue
        layer = {
            "linear": lambda: [nn.Linear(i[0], i[1])],
            "conv2d": lambda: [nn.Conv2d(i[0], i[1], i[2], stride=i[3] if len(i) > 3 else 1, padding=i[2] // 2)],
            "batchnorm1d": lambda: [nn.BatchNorm1d(i[0])], "batchnorm2d": lambda: [nn.BatchNorm2d(i[0])],
            "maxpool2d": lambda: [nn.MaxPool2d(i[0])], "flatten": lambda: [nn.Flatten()],
            "global_avgpool": lambda: [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()],
            "relu": lambda: [nn.ReLU()], "tanh": lambda: [nn.Tanh()], "gelu": lambda: [nn.GELU()],
            "swish": lambda: [nn.SiLU()], "prelu": lambda: [nn.PReLU()],
            "leaky_relu": lambda: [nn.LeakyReLU(float(t[1]) if len(t) > 1 else 0.01)],
            "dropout": lambda: [nn.Dropout(float(t[1]))],
        }.get(k)
        if layer is None:
            sys.exit(f"torch_peer: layer '{k}' is not supported here")
        parts[current] += layer()
    return nn.Sequential(nn.Sequential(*parts["backbone"]), nn.Sequential(*parts["head"])), shape


def step(model, opt, xb, yb):
    """The same step as tw_train_step: mean cross entropy, Adam, loss and correct count read back."""
    opt.zero_grad()
    out = model(xb)
    loss = F.cross_entropy(out, yb)
    loss.backward()
    opt.step()
    return loss.item(), out.argmax(1).eq(yb).sum().item()


def train_epoch(model, opt, x, y, batch):
    """One epoch in train mode (dropout on), reshuffled, each batch gathered from the tensors."""
    model.train()
    order = torch.randperm(len(y))
    loss_sum, correct = 0.0, 0
    for start in range(0, len(y), batch):
        idx = order[start:start + batch]
        loss, right = step(model, opt, x[idx], y[idx])
        loss_sum += loss * len(idx)
        correct += right
    return loss_sum / len(y), correct / len(y)


@torch.no_grad()
def evaluate(model, data, batch=1000):
    model.eval()
    x, y = data
    correct = sum(model(x[s:s + batch]).argmax(1).eq(y[s:s + batch]).sum().item() for s in range(0, len(y), batch))
    return correct / len(y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["timing", "job", "step"])
    p.add_argument("--layers", required=True, help="ModelBuilder's layer list, lines joined with ';'")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--validation-split", type=float, default=0.1)
    p.add_argument("--train-limit", type=int)
    p.add_argument("--test-limit", type=int)
    p.add_argument("--test", action=argparse.BooleanOptionalAction, default=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, val, test = load_data(a)
    model, shape = build(a.layers)
    x = train[0].reshape(len(train[1]), *shape)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    n = min(1000, len(train[1]))
    result = {"parameters": sum(t.numel() for t in model.parameters()), "threads": torch.get_num_threads(),
              "torch": torch.__version__, "train_examples": len(train[1]),
              "checksum": float(x[:n].double().abs().sum()) + float((train[1][:n] * torch.arange(1, n + 1)).sum())}
    seconds = []
    if a.mode == "step":
        model.train()
        xb, yb = x[:a.batch_size].contiguous(), train[1][:a.batch_size].contiguous()
        for _ in range(a.epochs):
            start = time.perf_counter()
            step(model, opt, xb, yb)
            seconds.append(time.perf_counter() - start)
        print(json.dumps({**result, "epoch_seconds": seconds}))
        return
    for _ in range(a.epochs):
        start = time.perf_counter()
        loss, acc = train_epoch(model, opt, x, train[1], a.batch_size)
        seconds.append(time.perf_counter() - start)
    result.update(epoch_seconds=seconds, train_loss=loss, train_accuracy=acc)
    if a.mode == "job":
        reshape = lambda d: (d[0].reshape(len(d[1]), *shape), d[1])
        if val is not None: result["val_accuracy"] = evaluate(model, reshape(val))
        if test is not None: result["test_accuracy"] = evaluate(model, reshape(test))
        with tempfile.TemporaryDirectory() as d:
            torch.save(model.state_dict(), os.path.join(d, "model.pt"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
