#!/usr/bin/env bash
# make demo: the product end to end on this machine, no AWS account needed.
# Starts the AWS emulator (moto) on 127.0.0.1, creates the queue with its dead-letter queue, the bucket and
# the jobs table (tw env create), puts Fashion-MNIST in the bucket, starts a worker, submits the CNN example,
# follows it to the end, shows where the model is, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${CONFIG:-Release}
TW=src/TrainingWorkers.Cli/bin/$CONFIG/net10.0/tw
WORKER=src/TrainingWorkers.Worker/bin/$CONFIG/net10.0/tw-worker
SPEC=${1:-examples/fleet/fashion-cnn.json}
# shellcheck source=examples/local/emulator.sh
source examples/local/emulator.sh

echo "== worker (log: $state/worker.log)"
TW_Aws__ServiceUrl="$endpoint" TW_Aws__Region=us-east-1 TW_Aws__Queue__QueueUrl="$queue_url" \
TW_Aws__S3__Bucket="$bucket" TW_Aws__S3__AllowedPrefixes__0="s3://$bucket/datasets/" TW_Aws__JobTable__TableName="$table" \
TW_Aws__S3__CacheDirectory="$state/cache" TW_Worker__WorkDirectory="$state/jobs" TW_Worker__TwExecutable="$PWD/$TW" \
TW_Worker__HealthPort=0 TW_Worker__UseInstanceMetadata=false \
  "$WORKER" >"$state/worker.log" 2>&1 &
pids+=($!)

echo "== tw submit $SPEC"
job=$("$TW" submit "$SPEC" --output json | python3 -c 'import json, sys; print(json.load(sys.stdin)["job_id"])')
echo "job $job"
status=0
"$TW" wait "$job" || status=$?
"$TW" status "$job"
echo "== the trained model and its reports, in the bucket"
aws --endpoint-url "$endpoint" s3 ls "s3://$bucket/jobs/$job/model/"
if [ "$status" -ne 0 ]; then echo "the job did not succeed; the worker's log:"; tail -n 40 "$state/worker.log"; fi
exit "$status"
