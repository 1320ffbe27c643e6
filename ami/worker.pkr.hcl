# The worker's AMI: the current Deep Learning AMI (PyTorch, NVIDIA driver, CUDA, NCCL, EFA) plus a
# self-contained tw and tw-worker, the shim built against the AMI's CUDA libtorch, the worker as a
# systemd service and the CloudWatch agent's configuration. Built on a CPU instance: nothing here needs a GPU.
#
# Run through ami/build.sh, which resolves source_ami from the Deep Learning AMI's public SSM parameter,
# makes the bundle, and writes the new AMI's id to the SSM parameter the fleet's launch template reads.
# HCL2 for Packer's built-in amazon-ebs builder (no required_plugins block: Debian's packer 1.6.6 validates it).

variable "region" {
  type        = string
  description = "Where the AMI is built and registered."
}

variable "source_ami" {
  type        = string
  description = "The Deep Learning AMI to start from (ami/build.sh resolves it from SSM)."
}

variable "source_ami_parameter" {
  type        = string
  default     = ""
  description = "The SSM parameter source_ami came from, recorded in the AMI's tags and the manifest."
}

variable "bundle" {
  type        = string
  description = "The bundle from `ami/build.sh bundle`: tw and tw-worker published self-contained, the shim's sources, the provisioning scripts."
}

variable "instance_type" {
  type        = string
  default     = "c6i.2xlarge"
  description = "The build instance: a CPU type is enough (the shim compiles against CUDA without a GPU)."
}

variable "ssh_username" {
  type    = string
  default = "ubuntu"
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "A subnet with a route to the internet (the build installs packages); empty: the default VPC's."
}

variable "ami_name_prefix" {
  type    = string
  default = "trainingworkers-worker"
}

variable "git_commit" {
  type    = string
  default = "unknown"
}

variable "manifest" {
  type        = string
  default     = "build/image/packer-manifest.json"
  description = "Where the manifest post-processor writes the AMI's id (ami/build.sh reads it)."
}

locals {
  stamp = formatdate("YYYYMMDD-hhmmss", timestamp())
}

source "amazon-ebs" "worker" {
  region          = var.region
  source_ami      = var.source_ami
  instance_type   = var.instance_type
  ssh_username    = var.ssh_username
  subnet_id       = var.subnet_id
  ami_name        = "${var.ami_name_prefix}-${local.stamp}"
  ami_description = "TrainingWorkers worker (tw-worker as a systemd service) on ${var.source_ami}"
  ena_support     = true

  tags = {
    Name                         = "${var.ami_name_prefix}-${local.stamp}"
    "trainingworkers:source-ami" = var.source_ami
    "trainingworkers:source-ssm" = var.source_ami_parameter
    "trainingworkers:commit"     = var.git_commit
  }
  run_tags = {
    Name = "${var.ami_name_prefix}-build"
  }
}

build {
  sources = ["source.amazon-ebs.worker"]

  provisioner "file" {
    source      = var.bundle
    destination = "/tmp/tw-image.tgz"
  }

  provisioner "shell" {
    execute_command = "sudo -E bash '{{ .Path }}'"
    inline = [
      "set -euo pipefail",
      "rm -rf /tmp/tw-image && mkdir -p /tmp/tw-image && tar xzf /tmp/tw-image.tgz -C /tmp/tw-image",
      "/tmp/tw-image/ami/provision/setup-instance.sh",
      "rm -rf /tmp/tw-image /tmp/tw-image.tgz",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest
    strip_path = true
    custom_data = {
      source_ami           = var.source_ami
      source_ami_parameter = var.source_ami_parameter
      commit               = var.git_commit
    }
  }
}
