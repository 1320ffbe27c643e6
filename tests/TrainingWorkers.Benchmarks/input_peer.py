"""The input-pipeline peer: torchvision 0.14's ImageFolder and DataLoader on the same image folder, with the same
transforms and worker count as ours, and a ResNet of the shim's layer grammar trained on its batches.
Prints one JSON line. Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision)."""
import argparse, json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision import datasets, transforms


class ResBlock(nn.Module):
    """src/native/model.cpp's ResidualBlock: conv-bn-relu-conv-bn plus a (projected) shortcut, then relu."""
    def __init__(self, i, o, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(i, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o)
        self.conv2, self.bn2 = nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o)
        self.shortcut = nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o)) if i != o or stride != 1 else nn.Sequential()

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


def build(layers):
    seq = []
    for line in layers.split(";"):
        t = line.split()
        if not t or t[0] in ("input", "head"):
            continue
        i = [int(v) for v in t[1:] if v.lstrip("-").isdigit()]
        seq += {
            "linear": lambda: [nn.Linear(i[0], i[1])],
            "conv2d": lambda: [nn.Conv2d(i[0], i[1], i[2], stride=i[3] if len(i) > 3 else 1, padding=i[2] // 2)],
            "batchnorm2d": lambda: [nn.BatchNorm2d(i[0])], "batchnorm1d": lambda: [nn.BatchNorm1d(i[0])],
            "maxpool2d": lambda: [nn.MaxPool2d(i[0])], "flatten": lambda: [nn.Flatten()],
            "global_avgpool": lambda: [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()],
            "relu": lambda: [nn.ReLU()], "resblock": lambda: [ResBlock(i[0], i[1], i[2])],
            "dropout": lambda: [nn.Dropout(float(t[1]))],
        }[t[0]]()
    return nn.Sequential(*seq)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["loader", "train"])
    p.add_argument("--folder", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--scale", type=float, nargs=2, default=(0.08, 1.0))
    p.add_argument("--mean", type=float, nargs="+", required=True)
    p.add_argument("--std", type=float, nargs="+", required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--layers", default="")
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    transform = transforms.Compose([
        transforms.RandomResizedCrop(a.size, scale=tuple(a.scale)), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), transforms.Normalize(a.mean, a.std)])
    data = datasets.ImageFolder(a.folder, transform=transform)
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                                         persistent_workers=a.workers > 0)
    model = build(a.layers) if a.mode == "train" else None
    opt = torch.optim.Adam(model.parameters(), lr=a.lr) if model is not None else None
    seconds = []
    for _ in range(a.epochs):
        start = time.perf_counter()
        for x, y in loader:
            if model is not None:
                model.train()
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"epoch_seconds": seconds, "images": len(data), "torch": torch.__version__, "torchvision": torchvision.__version__,
                      "parameters": sum(p.numel() for p in model.parameters()) if model is not None else 0}))


if __name__ == "__main__":
    main()
