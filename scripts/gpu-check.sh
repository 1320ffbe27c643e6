#!/usr/bin/env bash
# Everything this project checks on a GPU, in one command on a machine with CUDA, PyTorch (a CUDA
# libtorch with its CMake files), NCCL and a C compiler, but no .NET SDK. From the repository root,
# with build/gpu/tw-gpu.tgz from `make gpu-bundle` beside it:
#   scripts/gpu-check.sh                 # each step's log goes to $OUT (default /tmp/tw-gpu-out)
#   DEVICE=cpu scripts/gpu-check.sh      # the same steps on CPU against Debian's libtorch: checks this script
# Steps: the shim against PyTorch's libtorch (scripts/build-shim.sh, as the AMI builds it); `tw doctor`; the C smoke tests (autocast and loss scaling, a c10d group);
# every engine test in-process (the [GpuFact] ones run); `tw run` of a CNN in fp32, bf16 and fp16 on the
# GPU, of a small ResNet, and of a CNN interrupted and resumed; the data-parallel benchmark against PyTorch DDP. Exit code: the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-/tmp/tw-gpu-out}
PYTHON=${PYTHON:-$(command -v python3)}
# Training examples of the tw run steps (the bundle holds 12,000); the CPU check takes fewer.
LIMIT=${LIMIT:-$([ "$DEVICE" = cpu ] && echo 2000 || echo 12000)}
work=$(mktemp -d /tmp/tw-gpu-XXXXXX)
mkdir -p "$OUT"
failed=0

# step NAME TIMEOUT_SECONDS COMMAND...: runs it with its output in $OUT/NAME.log; PASS or FAIL and the log's tail.
step() {
  local name=$1 limit=$2 start=$SECONDS rc
  shift 2
  timeout --kill-after=10 "$limit" "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "PASS $name ($((SECONDS - start)) s)"
  else
    echo "FAIL $name (exit $rc after $((SECONDS - start)) s; $OUT/$name.log ends:)"
    tail -n 25 "$OUT/$name.log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
  return $rc
}

tar xzf build/gpu/tw-gpu.tgz -C "$work" || { echo "no build/gpu/tw-gpu.tgz: run make gpu-bundle (on a machine with the .NET SDK) and carry it"; exit 1; }
bin=$work/bin
# The engine's `fashion-mnist` is Debian's copy; a GPU machine gets the bundle's subset in its place.
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  if ! { mkdir -p /usr/share/datasets && cp -r "$work/fashion-mnist" /usr/share/datasets/fashion-mnist; }; then
    echo "cannot write /usr/share/datasets/fashion-mnist (run as root)"
    exit 1
  fi
fi

# The shim is built by the script the AMI and Dockerfile.gpu use: against PyTorch's libtorch on CUDA.
shim_from=()
if [ "$DEVICE" = cuda ]; then
  nvidia-smi -L
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "nccl", torch.cuda.nccl.version(), "gpus", torch.cuda.device_count())'
  shim_from=(--python "$PYTHON")
fi
step shim 900 scripts/build-shim.sh "${shim_from[@]}" --build-dir "$work/native" || exit 1
grep -E "tw_native:" "$OUT/shim.log"
export TW_NATIVE_LIB=$work/native/libtw_native.so TW_TEST_PYTHON=$PYTHON

# What the AMI's worker checks before it starts: the shim, libtorch's CUDA/cuDNN/NCCL, a step on each device.
doctor_args=()
[ "$DEVICE" = cuda ] && doctor_args=(--min-gpus 1 --require-cuda-build)
step doctor 300 "$bin/tw" doctor "${doctor_args[@]}"
cat "$OUT/doctor.log"

# The C smoke tests: autocast and loss scaling; a c10d group of one (port 29512).
for smoke in Precision/native/amp_smoke:"$DEVICE:0" Distributed/native/dist_smoke:"$DEVICE:0 29512"; do
  source=${smoke%%:*} name=$(basename "${smoke%%:*}")
  step "$name" 300 bash -c "cc -I src/native 'tests/TrainingWorkers.Engine.Tests/$source.c' -L '$work/native' -ltw_native \
    -Wl,-rpath,'$work/native' -lm -o '$work/$name' && '$work/$name' ${smoke#*:}"
done

step engine_tests 1800 "$bin/TrainingWorkers.DeviceTests"
grep -E "^(SKIP|FAIL)|passed, " "$OUT/engine_tests.log"

# tw run on the device in each precision: a CNN with batch norm, checkpointed every 40 steps.
summary='import json, sys; r = json.load(open(sys.argv[1])); print(" ", r["job"], r["device"], r["stop_reason"], "test accuracy", r["test"]["accuracy"], "seconds", round(r["duration_seconds"], 1), "epochs (s)", [round(h["seconds"], 2) for h in r["history"]], "resumed from", r.get("resumed_from"))'
for precision in fp32 bf16 fp16; do
  [ "$DEVICE" = cpu ] && [ $precision = fp16 ] && continue
  cat > "$work/cnn-$precision.json" <<JSON
{ "apiVersion": "trainingworkers/v1", "name": "cnn-$precision",
  "model": { "type": "cnn", "conv": [ { "filters": 32 }, { "filters": 64 } ], "hidden": [128] },
  "data": { "train": "fashion-mnist", "train_limit": $LIMIT, "test_limit": 3000 },
  "training": { "epochs": 3, "batch_size": 128, "learning_rate": 0.002, "device": "$DEVICE",
                "precision": "$precision", "cudnn_benchmark": true, "seed": 7 },
  "checkpointing": { "every_steps": 40 } }
JSON
  step "run_$precision" 900 bash -c "'$bin/tw' run '$work/cnn-$precision.json' --output json --runs-dir '$work/runs' > '$OUT/run_$precision.json'" &&
    "$PYTHON" -c "$summary" "$OUT/run_$precision.json"
done

# A small ResNet (the default stages 16-32-64 with batch norm), 2 epochs.
cat > "$work/resnet.json" <<JSON
{ "apiVersion": "trainingworkers/v1", "name": "resnet",
  "model": { "type": "resnet" },
  "data": { "train": "fashion-mnist", "train_limit": $LIMIT, "test_limit": 3000 },
  "training": { "epochs": 2, "batch_size": 128, "learning_rate": 0.002, "device": "$DEVICE", "seed": 7 } }
JSON
step run_resnet 900 bash -c "'$bin/tw' run '$work/resnet.json' --output json --runs-dir '$work/runs' > '$OUT/run_resnet.json'" &&
  "$PYTHON" -c "$summary" "$OUT/run_resnet.json"

# Stopped by SIGTERM (as Ctrl-C; a background job ignores SIGINT) once its second checkpoint is written (it checkpoints and exits 130), then
# resumed from that checkpoint to the end.
sed 's/"epochs": 3/"epochs": 12/; s/"name": "cnn-fp32"/"name": "cnn-resume"/' "$work/cnn-fp32.json" > "$work/cnn-resume.json"
"$bin/tw" run "$work/cnn-resume.json" --output json --runs-dir "$work/runs" > "$OUT/run_interrupted.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ "$(find "$work/runs" -path '*/cnn-resume-*/checkpoints/*/manifest.json' 2>/dev/null | wc -l)" -ge 2 ] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.2
done
kill -TERM $pid 2>/dev/null
wait $pid
echo "  interrupted run: exit $? (130: stopped by SIGTERM after a checkpoint)"
step run_resume 900 bash -c "'$bin/tw' run '$work/cnn-resume.json' --resume --output json --runs-dir '$work/runs' > '$OUT/run_resume.json'" &&
  "$PYTHON" -c "$summary" "$OUT/run_resume.json"

# samples/s against PyTorch DDP: one GPU, and one rank per GPU where there are several.
step dp_benchmark 1200 "$bin/TrainingWorkers.DataParallelBenchmark" 3 "$LIMIT" "$DEVICE" "$PYTHON"
cat "$OUT/dp_benchmark.log"

echo "$failed step(s) failed; logs in $OUT"
rm -rf "$work"
exit "$failed"
