#!/usr/bin/env bash
# Runs as root on the AMI's build instance (Packer's shell provisioner), from the extracted bundle:
# build tools if missing, the CloudWatch agent if missing, then install.sh against the Deep Learning AMI's
# CUDA libtorch, the agent's configuration, and `tw doctor --require-cuda-build` as the last word.
# Needs no GPU: the shim compiles against CUDA on a CPU instance, and doctor checks the build, not devices.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive

# cloud-init and unattended upgrades hold apt's lock on a fresh instance.
cloud-init status --wait >/dev/null || true
missing=()
for tool in cmake make g++; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Deep Learning AMI's PyTorch: /opt/pytorch on current releases, a conda env on older ones.
python=
for candidate in /opt/pytorch/bin/python3 /opt/pytorch/bin/python /opt/conda/envs/pytorch/bin/python3 "$(command -v python3 || true)"; do
  if [ -x "$candidate" ] && "$candidate" -c 'import torch, sys; sys.exit(0 if torch.version.cuda else 1)' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || { echo "setup-instance.sh: no Python with a CUDA build of torch (is the source a Deep Learning AMI?)" >&2; exit 1; }
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'

agent=/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl
if [ ! -x "$agent" ]; then
  deb=$(mktemp --suffix=.deb)
  curl -fsSL -o "$deb" "https://s3.amazonaws.com/amazoncloudwatch-agent/ubuntu/$(dpkg --print-architecture)/latest/amazon-cloudwatch-agent.deb"
  dpkg -i "$deb" >/dev/null
  rm -f "$deb"
fi

"$here/install.sh" --root / --python "$python"

# Validates and translates the configuration; the agent starts with it at boot (not now: no metrics from the builder).
"$agent" -a fetch-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/trainingworkers.json
systemctl enable amazon-cloudwatch-agent

/opt/trainingworkers/bin/tw doctor --require-cuda-build
apt-get clean
