#!/usr/bin/env bash
# make finetune-demo: transfer learning through the coordinator, on this machine, no AWS account needed.
# Starts the AWS emulator (moto), a fleet environment (tw env create), two workers and a coordinator; pretrains a
# CNN on Fashion-MNIST classes 0-4 as a fleet job; then `tw finetune` compares four ways to learn classes 5-9 from
# ~2,000 images (continue, freeze, gradual, and a from-scratch baseline), follows the study with `tw study wait`
# (it prints the ranking), copies the report and its picture here, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${CONFIG:-Release}
TW=$PWD/src/TrainingWorkers.Cli/bin/$CONFIG/net10.0/tw
WORKER=src/TrainingWorkers.Worker/bin/$CONFIG/net10.0/tw-worker
COORDINATOR=src/TrainingWorkers.Coordinator/bin/$CONFIG/net10.0/tw-coordinator
OUT=${OUT:-runs/finetune-demo}
# shellcheck source=examples/local/emulator.sh
source examples/local/emulator.sh

echo "== two workers and a coordinator (logs: $state/*.log)"
fleet=(TW_Aws__ServiceUrl="$endpoint" TW_Aws__Region=us-east-1 TW_Aws__Queue__QueueUrl="$queue_url" TW_Aws__S3__Bucket="$bucket" TW_Aws__JobTable__TableName="$table")
for w in a b; do
  env "${fleet[@]}" TW_Aws__S3__AllowedPrefixes__0="s3://$bucket/datasets/" TW_Aws__S3__CacheDirectory="$state/cache-$w" \
    TW_Worker__WorkerId="worker-$w" TW_Worker__WorkDirectory="$state/jobs-$w" TW_Worker__TwExecutable="$TW" \
    TW_Worker__HealthPort=0 TW_Worker__UseInstanceMetadata=false "$WORKER" >"$state/worker-$w.log" 2>&1 &
  pids+=($!)
done
env "${fleet[@]}" TW_Coordinator__PollInterval=00:00:02 TW_Coordinator__HealthPort=0 "$COORDINATOR" >"$state/coordinator.log" 2>&1 &
pids+=($!)

echo "== pretraining on classes 0-4: tw submit examples/studies/pretrain-0-4.json"
"$TW" submit examples/studies/pretrain-0-4.json --job-id fashion-pretrain-0-4 >/dev/null
"$TW" wait fashion-pretrain-0-4

echo "== tw finetune examples/studies/finetune-compare.json: four ways to learn classes 5-9"
study=$("$TW" finetune examples/studies/finetune-compare.json --output json | python3 -c 'import json, sys; print(json.load(sys.stdin)["study_id"])')
status=0
"$TW" study wait "$study" || status=$?
mkdir -p "$OUT"
aws --endpoint-url "$endpoint" s3 cp "s3://$bucket/studies/$study/" "$OUT/" --recursive --quiet
echo "== the report and its picture: $OUT/report.json, $OUT/curves.svg"
if [ "$status" -ne 0 ]; then echo "the study did not succeed; the coordinator's log:"; tail -n 40 "$state/coordinator.log"; fi
exit "$status"
