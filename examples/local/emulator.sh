#!/usr/bin/env bash
# Sourced by the demos (examples/local/demo.sh, examples/studies/demo.sh), from the repository root, with TW set:
# starts the AWS emulator (moto) on a free port of 127.0.0.1, creates a fleet environment `demo` in it (queue with
# its dead-letter queue, bucket, jobs table: tw env create) and puts Fashion-MNIST in the bucket. Sets endpoint,
# queue_url, bucket, table and state (a temporary folder for logs); `pids+=($!)` after starting a process has the
# exit trap stop it too.
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
export TW_ENVIRONMENTS="$state/environments.json" TW_ENV=demo

echo "== AWS emulator (moto) on $endpoint"
python3 examples/local/moto_server.py 127.0.0.1 "$port" >"$state/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "$endpoint" && break; sleep 0.1; done

echo "== queue + dead-letter queue, bucket, table"
"$TW" env create demo --endpoint-url "$endpoint"
# shellcheck disable=SC2034 # read by the scripts that source this one
read -r queue_url bucket table < <(python3 -c '
import json, os
e = json.load(open(os.environ["TW_ENVIRONMENTS"]))["environments"]["demo"]
print(e["queue_url"], e["bucket"], e["table"])')

echo "== Fashion-MNIST into s3://$bucket/datasets/fashion-mnist/"
aws --endpoint-url "$endpoint" s3 cp /usr/share/datasets/fashion-mnist/ "s3://$bucket/datasets/fashion-mnist/" --recursive --quiet
