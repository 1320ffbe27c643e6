"""Runs a TorchScript model in PyTorch on raw float32 inputs; writes its outputs as raw float32.

Usage: /usr/bin/python3 predict.py MODEL.pt INPUTS.f32 OUTPUTS.f32 N D1 [D2 D3]
"""
import sys

import numpy as np
import torch

model = torch.jit.load(sys.argv[1])
model.eval()
shape = [int(d) for d in sys.argv[4:]]
x = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.float32).reshape(shape))
with torch.no_grad():
    model(x).numpy().astype(np.float32).tofile(sys.argv[3])
