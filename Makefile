# TrainingWorkers: `make demo` trains a real job end to end; `make test` runs every test.
# Both start with `make setup`, which installs what is missing on a fresh Debian 12 machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CONFIG ?= Release
BUILD := build
NATIVE_LIB := $(BUILD)/native/libtw_native.so
NATIVE_SRC := $(wildcard src/native/*.cpp src/native/*.h) src/native/CMakeLists.txt
# libtorch (CPU) with Gloo, OpenMP OpenBLAS (libtorch falls back to a 13x slower BLAS without it),
# Fashion-MNIST, and Debian's python3-torch: the same libtorch, the peer for benchmarks and fixtures
# (python3-torchvision: the input-pipeline peer, DataLoader; python3-optuna: the tuning benchmark's peer).
APT_PACKAGES := libtorch-dev libgloo-dev libopenblas0-openmp dataset-fashion-mnist python3-torch python3-torchvision python3-optuna cmake g++ make
# The image's tests: `packer validate` of ami/ (Debian's packer 1.6.6) and shellcheck of its scripts.
APT_PACKAGES += packer shellcheck
# Dockerfile.gpu's linter (npm), installed into the build folder.
DOCKERFILE_LINT := $(BUILD)/tools/node_modules/.bin/dockerfile-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DOTNET := dotnet
TW := src/TrainingWorkers.Cli/bin/$(CONFIG)/net10.0/tw

.PHONY: setup check-moto native build test demo finetune-demo train bench bench-input tune-bench accuracy transfer gpu-bundle image-bundle synth fleet-sim clean

setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(DOTNET) >/dev/null || { echo "setup: the .NET 10 SDK is missing: https://dot.net"; exit 1; }
	@$(DOTNET) restore TrainingWorkers.sln --verbosity quiet
	@python3 -c 'import moto' 2>/dev/null || echo 'setup: moto (the AWS emulator the tests use) is missing for python3: pip install "moto[server]"'
	@# The demo puts its data in the emulator's bucket with the AWS CLI, as a user would.
	@command -v aws >/dev/null || { echo "setup: installing awscli"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq awscli >/dev/null; }
	@# The CDK CLI for `make synth` and `cdk deploy` (deploy/package.json pins it), local to deploy/.
	@command -v npm >/dev/null || { echo "setup: installing npm"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm >/dev/null; }
	@[ -x deploy/node_modules/.bin/cdk ] || npm install --prefix deploy --no-audit --no-fund --silent
	@[ -x $(DOCKERFILE_LINT) ] || { echo "setup: installing dockerfile-utils (npm)"; npm install --prefix $(BUILD)/tools --no-audit --no-fund --silent dockerfile-utils@0.16.3; }

# The AWS adapter tests run against moto's server on 127.0.0.1 (never skipped).
check-moto:
	@python3 -c 'import moto.server' 2>/dev/null || { echo 'moto is missing for python3 (the AWS emulator the tests need): pip install "moto[server]"'; exit 1; }

native: $(NATIVE_LIB)

# The same script builds the shim for the GPU check, the AMI and Dockerfile.gpu.
$(NATIVE_LIB): $(NATIVE_SRC) scripts/build-shim.sh
	@scripts/build-shim.sh --build-dir $(BUILD)/native $(if $(Torch_DIR),--torch-dir $(Torch_DIR))

build: setup native
	$(DOTNET) build TrainingWorkers.sln -c $(CONFIG) --no-restore --nologo -clp:ErrorsOnly

# Tests share the machine (test assemblies run side by side, ranks next to them): idle OpenMP threads
# must sleep, not spin, or every process slows down (see the README's numbers).
test: export OMP_WAIT_POLICY ?= PASSIVE
test: build check-moto
	$(DOTNET) test TrainingWorkers.sln -c $(CONFIG) --no-build --nologo --logger "console;verbosity=normal"

# The product end to end on the emulator: moto, queue + DLQ, bucket, table, a worker, tw submit, tw wait.
demo: build check-moto
	CONFIG=$(CONFIG) examples/local/demo.sh

# Transfer learning through the coordinator on the emulator: pretrain, then tw finetune compares four approaches (a few minutes).
finetune-demo: build check-moto
	CONFIG=$(CONFIG) examples/studies/demo.sh

# Train the CNN example on this machine with tw run (no queue, no emulator).
train: build
	$(TW) run examples/fashion-cnn.json

# Full-accuracy runs of the example specs (several minutes each), checked against the README's numbers.
accuracy: build
	$(DOTNET) run --project tests/TrainingWorkers.Benchmarks -c $(CONFIG) --no-build -- accuracy

# Pretrain on classes 0-4, then four ways to learn classes 5-9 from ~1,000 images (a few minutes).
transfer: build
	examples/transfer/run.sh

bench: build check-moto
	$(DOTNET) run --project tests/TrainingWorkers.Benchmarks -c $(CONFIG) --no-build -- throughput
	$(DOTNET) run --project tests/TrainingWorkers.Worker.Benchmarks -c $(CONFIG) --no-build

# The input pipeline (docs/measurements/input-pipeline.md): decoders, ours against torchvision's DataLoader, the epoch loop's overhead.
bench-input: build
	$(DOTNET) run --project tests/TrainingWorkers.Benchmarks -c $(CONFIG) --no-build -- decoders
	$(DOTNET) run --project tests/TrainingWorkers.Benchmarks -c $(CONFIG) --no-build -- input --runs 3 --epochs 1
	$(DOTNET) run --project tests/TrainingWorkers.Benchmarks -c $(CONFIG) --no-build -- epoch-overhead --runs 3 --epochs 2

# The tuning benchmark (docs/measurements/tuning.md): the coordinator's tuner against Optuna 3.1 over the same
# search space, trial budget and tw run jobs, 3 seeds of 16 trials, 4 at a time (about 25 minutes here under load).
tune-bench: build
	$(DOTNET) run --project tests/TrainingWorkers.Coordinator.Benchmarks -c $(CONFIG) --no-build -- --seeds 3 --trials 16 --parallel 4

# What scripts/gpu-check.sh needs on a GPU machine without .NET: build/gpu/tw-gpu.tgz (see the README).
gpu-bundle: setup
	scripts/gpu-bundle.sh

# The fleet's CloudFormation templates, offline and without an AWS account: deploy/cdk.out/{fleet}-data.template.json
# and {fleet}-fleet.template.json. Deploying them: docs/fleet.md.
synth: setup
	cd deploy && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 node_modules/.bin/cdk synth --quiet
	@echo "templates: $$(ls deploy/cdk.out/*.template.json | tr '\n' ' ')"

# The fleet simulator with the stack's defaults: the pictures into docs/measurements/fleet-simulator/, the verdicts
# and the sweeps that chose the defaults as markdown (docs/measurements/fleet-simulator.md records a run).
fleet-sim:
	$(DOTNET) build tools/TrainingWorkers.FleetSimulator -c $(CONFIG) --nologo -clp:ErrorsOnly
	$(DOTNET) tools/TrainingWorkers.FleetSimulator/bin/$(CONFIG)/net10.0/fleet-sim.dll --out docs/measurements/fleet-simulator --sweeps --gangs

# The AMI's bundle (tw and tw-worker self-contained, the shim's sources, ami/provision): build/image/tw-image.tgz.
# ami/build.sh builds the AMI with it (Packer, an AWS account); docs/image.md says how.
image-bundle: setup
	ami/build.sh bundle build/image

clean:
	rm -rf $(BUILD) runs deploy/cdk.out
	$(DOTNET) clean TrainingWorkers.sln --nologo -v quiet
