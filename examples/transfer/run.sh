#!/usr/bin/env bash
# The transfer-learning demonstration (`make transfer`): pretrain a CNN on Fashion-MNIST classes 0-4,
# then learn classes 5-9 from ~1,000 training images four ways, and print their test accuracies.
set -euo pipefail
cd "$(dirname "$0")/../.."
tw=src/TrainingWorkers.Cli/bin/Release/net10.0/tw
accuracy() { python3 -c 'import json,sys; r=json.load(sys.stdin); print("test accuracy %.4f  (%d epochs, %.0f s)" % (r["test"]["accuracy"], r["epochs_run"], r["duration_seconds"]))'; }

rm -rf runs/pretrain-0-4 runs/transfer
echo "pretraining on classes 0-4 (all their training images)..."
$tw run examples/transfer/pretrain.json --run-dir runs/pretrain-0-4 --output json | accuracy
for approach in scratch frozen full gradual; do
  printf '%-8s ' "$approach"
  $tw run "examples/transfer/finetune-$approach.json" --run-dir "runs/transfer/$approach" --output json | accuracy
done
printf '%-8s ' "as-is"
$tw run examples/transfer/evaluate-only.json --run-dir runs/transfer/as-is --output json | accuracy
