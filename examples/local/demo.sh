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
state=$(mktemp -d -t tw-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$state"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port/"
# Emulator credentials: moto accepts any; they only have to be present for the SigV4 signer.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export TW_ENVIRONMENTS="$state/environments.json"

echo "== AWS emulator (moto) on $endpoint"
python3 examples/local/moto_server.py 127.0.0.1 "$port" >"$state/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "$endpoint" && break; sleep 0.1; done

echo "== queue + dead-letter queue, bucket, table"
"$TW" env create demo --endpoint-url "$endpoint"
read -r queue_url bucket table < <(python3 -c '
import json, os
e = json.load(open(os.environ["TW_ENVIRONMENTS"]))["environments"]["demo"]
print(e["queue_url"], e["bucket"], e["table"])')

echo "== Fashion-MNIST into s3://$bucket/datasets/fashion-mnist/"
aws --endpoint-url "$endpoint" s3 cp /usr/share/datasets/fashion-mnist/ "s3://$bucket/datasets/fashion-mnist/" --recursive --quiet

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
