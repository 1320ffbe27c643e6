#!/usr/bin/env bash
# Builds the libtorch shim (src/native, CMake) into a build folder. One script for every place the shim
# is built, so they cannot drift apart: `make native`, scripts/gpu-check.sh, the AMI (ami/provision/install.sh)
# and Dockerfile.gpu.
#   scripts/build-shim.sh [--python PY | --torch-dir DIR] [--build-dir DIR] [--install DIR] [--jobs N]
#     --python PY      the libtorch inside PY's torch package (a CUDA one on a GPU machine or the Deep
#                      Learning AMI); NCCL's header from the nvidia-nccl wheel beside it, else NCCL_HOME
#     --torch-dir DIR  a folder holding TorchConfig.cmake
#     (neither)        CMake's own search: Debian's libtorch-dev
#     --build-dir DIR  CMake's build folder (default build/native); an up-to-date one is not rebuilt
#     --install DIR    also copy libtw_native.so there
# Prints CMake's `tw_native:` lines (which backends were compiled in) and the libtorch version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build/native
torch_dir=
python=
install_dir=
jobs=$(nproc)

while [ $# -gt 0 ]; do
  case $1 in
    --python) python=$2; shift 2 ;;
    --torch-dir) torch_dir=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --install) install_dir=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "build-shim.sh: unknown argument '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

if [ -n "$python" ]; then
  torch_dir=$("$python" -c 'import os, torch; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))') || {
    echo "build-shim.sh: --python $python: cannot import torch" >&2
    exit 1
  }
fi
if [ -n "$torch_dir" ] && [ ! -f "$torch_dir/TorchConfig.cmake" ]; then
  echo "build-shim.sh: no TorchConfig.cmake in $torch_dir" >&2
  exit 1
fi

args=(-S "$root/src/native" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release)
[ -n "$torch_dir" ] && args+=("-DTorch_DIR=$torch_dir")
# Only CUDA sources would use the architecture list, and the shim has none. Set, it spares a CUDA
# libtorch's CMake files their GPU probe (on the AMI's CPU build instance it finds none and warns).
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-8.0}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cmake "${args[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "build-shim.sh: CMake could not configure src/native (libtorch missing? run make setup, or pass --python/--torch-dir)" >&2
  exit 1
fi
grep -E "tw_native:" "$log" || true
cmake --build "$build_dir" -j "$jobs"
library=$build_dir/libtw_native.so
if [ -n "$install_dir" ]; then
  mkdir -p "$install_dir"
  install -m 0755 "$library" "$install_dir/libtw_native.so"
  echo "build-shim.sh: installed $install_dir/libtw_native.so"
fi
