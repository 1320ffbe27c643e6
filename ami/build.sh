#!/usr/bin/env bash
# Builds the worker's AMI from the current Deep Learning AMI and records its id where the fleet reads it.
#   ami/build.sh [all] [PACKER_ARGS...]   bundle, source-ami, packer build, publish (needs AWS credentials)
#   ami/build.sh bundle [OUT]             OUT/tw-image.tgz (default build/image): tw and tw-worker published
#                                         self-contained, the shim's sources, scripts/build-shim.sh, ami/provision
#   ami/build.sh source-ami               prints the newest Deep Learning AMI: "PARAMETER AMI_ID"
#   ami/build.sh publish MANIFEST         the AMI id in Packer's manifest -> SSM parameter /trainingworkers/worker/ami-id
# Settings (environment): AWS_REGION (required but for bundle); TW_DLAMI_PARAMETER pins the source AMI's SSM
# parameter; else the newest "OSS Nvidia Driver AMI GPU PyTorch" under TW_DLAMI_PATH
# (default /aws/service/deeplearning/ami/x86_64), on TW_DLAMI_UBUNTU if set (22.04 or 24.04).
set -euo pipefail
cd "$(dirname "$0")/.."
readonly AMI_PARAMETER=/trainingworkers/worker/ami-id
# Packer reads AWS_REGION; version 1 of the aws CLI reads only AWS_DEFAULT_REGION.
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
[ -n "$region" ] && export AWS_REGION=$region AWS_DEFAULT_REGION=$region

bundle() {
  local out=${1:-build/image}
  local stage=$out/stage
  rm -rf "$stage" && mkdir -p "$stage/src" "$stage/scripts" "$stage/ami"
  scripts/publish.sh "$stage/bin" linux-x64
  cp -r src/native "$stage/src/"
  cp scripts/build-shim.sh "$stage/scripts/"
  cp -r ami/provision "$stage/ami/"
  tar czf "$out/tw-image.tgz" -C "$stage" bin src scripts ami
  rm -rf "$stage"
  echo "$out/tw-image.tgz"
}

# The Deep Learning AMIs publish one parameter per framework version and OS, e.g.
# .../oss-nvidia-driver-gpu-pytorch-2.7-ubuntu-22.04/latest/ami-id: the newest PyTorch wins, then the newest Ubuntu.
source_ami() {
  local parameter=${TW_DLAMI_PARAMETER:-}
  if [ -z "$parameter" ]; then
    local path=${TW_DLAMI_PATH:-/aws/service/deeplearning/ami/x86_64}
    local ubuntu=${TW_DLAMI_UBUNTU:-[0-9.]+}
    parameter=$(aws ssm get-parameters-by-path --path "$path" --recursive --query 'Parameters[].Name' --output text | tr '\t' '\n' |
      sed -nE "s#^(.*/oss-nvidia-driver-gpu-pytorch-([0-9.]+)-ubuntu-($ubuntu)/latest/ami-id)\$#\2 \3 \1#p" |
      sort -k1,1V -k2,2V | tail -n 1 | cut -d' ' -f3)
    [ -n "$parameter" ] || { echo "build.sh: no oss-nvidia-driver-gpu-pytorch-*-ubuntu-* AMI under $path in ${AWS_REGION:-?}" >&2; return 1; }
  fi
  local ami
  ami=$(aws ssm get-parameter --name "$parameter" --query Parameter.Value --output text)
  [[ $ami == ami-* ]] || { echo "build.sh: $parameter holds '$ami', not an AMI id" >&2; return 1; }
  echo "$parameter $ami"
}

publish() {
  local manifest=${1:?usage: ami/build.sh publish MANIFEST}
  # Packer's manifest: the last build's artifact_id is "REGION:AMI_ID".
  local artifact
  artifact=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["builds"][-1]["artifact_id"])' "$manifest")
  local registered=${artifact%%:*} ami=${artifact#*:}
  [[ $ami == ami-* ]] || { echo "build.sh: $manifest: artifact_id '$artifact' is not REGION:AMI_ID" >&2; return 1; }
  [ "$registered" = "${AWS_REGION:?set AWS_REGION}" ] ||
    { echo "build.sh: $ami was registered in $registered, not AWS_REGION $AWS_REGION: the fleet there cannot launch it" >&2; return 1; }
  aws ssm put-parameter --name "$AMI_PARAMETER" --type String --data-type aws:ec2:image --value "$ami" --overwrite \
    --description "TrainingWorkers worker AMI (ami/build.sh)" >/dev/null
  echo "$AMI_PARAMETER = $ami"
}

all() {
  : "${AWS_REGION:?set AWS_REGION}"
  local tgz source parameter ami manifest=build/image/packer-manifest.json
  tgz=$(bundle build/image | tail -n 1)
  source=$(source_ami)
  parameter=${source% *} ami=${source#* }
  echo "source: $parameter = $ami"
  rm -f "$manifest"
  packer build -var "region=$AWS_REGION" -var "source_ami=$ami" -var "source_ami_parameter=$parameter" -var "bundle=$tgz" \
    -var "manifest=$manifest" -var "git_commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$@" ami/worker.pkr.hcl
  publish "$manifest"
}

command=${1:-all}
[ $# -gt 0 ] && shift
case $command in
  bundle) bundle "$@" ;;
  source-ami) source_ami ;;
  publish) publish "$@" ;;
  all) all "$@" ;;
  -*) all "$command" "$@" ;;
  *) echo "build.sh: unknown command '$command' (bundle, source-ami, publish, all)" >&2; exit 2 ;;
esac
