"""The PyTorch DDP peer of the data-parallel benchmark: the same MLP, data and global batch, trained the
way a PyTorch user would, one process per rank with torchrun's environment (RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR, MASTER_PORT). The benchmark starts the processes itself: Debian's torchrun
(torch 1.13 under Python 3.11) fails before it starts any (`'NoneType' object has no attribute 'get'`).

  RANK=r WORLD_SIZE=N LOCAL_RANK=r MASTER_ADDR=127.0.0.1 MASTER_PORT=p \
      /usr/bin/python3 ddp_peer.py --device cpu|cuda --epochs E --train-limit T --batch B --threads K

Gloo on CPU, NCCL on CUDA (cuda:LOCAL_RANK). Each rank trains its slice of one seeded permutation per
epoch, as our ranks do; DistributedDataParallel all-reduces the gradients in buckets. Rank 0 prints one
JSON object: the samples/s of the last epoch (all ranks' samples over rank 0's epoch time).
"""
import argparse, gzip, json, os, time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

FMNIST = "/usr/share/datasets/fashion-mnist"


def read(name, header, limit, item):
    with gzip.open(os.path.join(FMNIST, name)) as f:
        f.read(header)
        return np.frombuffer(f.read(limit * item), dtype=np.uint8)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train-limit", type=int, default=20000)
    p.add_argument("--batch", type=int, default=64, help="per rank")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rank, world, local = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    cuda = a.device.startswith("cuda")
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if cuda else "gloo")

    x = read("train-images-idx3-ubyte.gz", 16, a.train_limit, 784).reshape(a.train_limit, 784).astype(np.float32) / 255
    x = (x - x.mean()) / x.std()
    y = read("train-labels-idx1-ubyte.gz", 8, a.train_limit, 1).astype(np.int64)
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
    model = DistributedDataParallel(model, device_ids=[local] if cuda else None)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    for epoch in range(a.epochs):
        order = torch.from_numpy(np.random.default_rng(epoch).permutation(a.train_limit))
        mine = order[rank::world].to(device)
        dist.barrier()
        start = time.perf_counter()
        for i in range(0, len(mine), a.batch):
            batch = mine[i:i + a.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x.index_select(0, batch)), y.index_select(0, batch))
            loss.backward()
            optimizer.step()
        loss.item()
        if cuda:
            torch.cuda.synchronize()
        dist.barrier()
        seconds.append(time.perf_counter() - start)
    if rank == 0:
        print(json.dumps({"epoch_seconds": seconds, "samples_per_second": a.train_limit / seconds[-1], "world_size": world}), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
