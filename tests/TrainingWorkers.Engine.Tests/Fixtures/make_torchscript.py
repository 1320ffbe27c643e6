"""Writes a small scripted PyTorch CNN for the bring-your-own-model tests.

Usage: /usr/bin/python3 make_torchscript.py OUT.pt [linear30]   (Debian's python3-torch: the same libtorch)
The module has `forward` (10 logits for 1x28x28 images) and `features` (the 64 values under the head).
With `linear30` it is instead a linear layer over 30 features: a model that does not fit image data.
"""
import sys

import torch
from torch import nn


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU())
        self.fc = nn.Linear(64, 10)

    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(30, 10)) if sys.argv[2:] == ["linear30"] else SmallCnn()
torch.jit.script(model).save(sys.argv[1])
