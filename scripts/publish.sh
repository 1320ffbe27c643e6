#!/usr/bin/env bash
# Publishes tw and tw-worker self-contained (no .NET needed where they run) into one folder, without a
# shim: each machine builds its own against its libtorch (scripts/build-shim.sh). Used by the AMI's
# bundle (ami/build.sh bundle) and Dockerfile.gpu.
#   scripts/publish.sh OUT [RUNTIME]     RUNTIME: a .NET runtime identifier, default linux-x64
set -euo pipefail
out=${1:?usage: scripts/publish.sh OUT [RUNTIME]}
runtime=${2:-linux-x64}
cd "$(dirname "$0")/.."
mkdir -p "$out"
for project in src/TrainingWorkers.Worker src/TrainingWorkers.Cli; do
  dotnet publish "$project" -c Release -r "$runtime" --self-contained -o "$out" --nologo -v quiet -clp:ErrorsOnly
done
rm -f "$out/libtw_native.so" "$out"/*.pdb
