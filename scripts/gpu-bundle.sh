#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has CUDA, PyTorch and NCCL but no .NET
# SDK and no Debian dataset: a self-contained publish of `tw`, the engine tests' runner and the
# data-parallel benchmark, and the first 12,000 training and 3,000 test images of Fashion-MNIST.
#   make gpu-bundle      ->  build/gpu/tw-gpu.tgz (about 40 MB; the device tool carries at most 64 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/gpu
rm -rf "$out" && mkdir -p "$out/bundle/bin" "$out/bundle/fashion-mnist"
for project in src/TrainingWorkers.Cli tests/TrainingWorkers.DeviceTests tests/TrainingWorkers.DataParallelBenchmark; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -o "$out/bundle/bin" --nologo -v quiet -clp:ErrorsOnly
done
# The shim is built on the GPU machine against its CUDA libtorch.
rm -f "$out/bundle/bin/libtw_native.so" "$out"/bundle/bin/*.pdb
python3 - "$out/bundle/fashion-mnist" <<'PY'
import gzip, os, struct, sys
src, dst = "/usr/share/datasets/fashion-mnist", sys.argv[1]
for prefix, count in (("train", 12000), ("t10k", 3000)):
    for kind, item in (("images-idx3", 784), ("labels-idx1", 1)):
        name = f"{prefix}-{kind}-ubyte.gz"
        with gzip.open(os.path.join(src, name)) as f:
            magic, total = struct.unpack(">II", f.read(8))
            header = f.read(8 if item == 784 else 0)
            body = f.read(count * item)
        with gzip.open(os.path.join(dst, name), "wb", compresslevel=9) as f:
            f.write(struct.pack(">II", magic, min(count, total)) + header + body)
PY
tar czf "$out/tw-gpu.tgz" -C "$out/bundle" bin fashion-mnist
rm -rf "$out/bundle"
ls -la "$out/tw-gpu.tgz"
