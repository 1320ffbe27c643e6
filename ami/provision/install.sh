#!/usr/bin/env bash
# Installs the worker into a root file system: the AMI's (/) from ami/provision/setup-instance.sh, or a
# temporary folder in the tests. Files go where the unit expects them, under --root (as DESTDIR does):
#   /opt/trainingworkers/bin/          tw and tw-worker (self-contained) and libtw_native.so built here
#   /etc/systemd/system/               tw-worker.service and tw-worker.path, both enabled
#   /etc/trainingworkers/              worker.env.example (the launch template writes worker.env)
#   /usr/lib/sysusers.d/, /etc/logrotate.d/, /opt/aws/amazon-cloudwatch-agent/etc/trainingworkers.json
# Usage: install.sh [--root DIR] [--bin DIR] [--python PY | --torch-dir DIR] [--shim-build-dir DIR]
#   --bin DIR             the self-contained publish of tw and tw-worker (default: bin/ of the bundle)
#   --python/--torch-dir  the libtorch to build the shim against (scripts/build-shim.sh; default: CMake's search)
#   --shim-build-dir DIR  keep CMake's build folder there (default: a temporary one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bundle=$(cd "$here/../.." && pwd)
root=/
bin=$bundle/bin
shim_from=()
shim_build=

while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --python | --torch-dir) shim_from=("$1" "$2"); shift 2 ;;
    --shim-build-dir) shim_build=$2; shift 2 ;;
    *) echo "install.sh: unknown argument '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
for program in tw tw-worker; do
  [ -x "$bin/$program" ] || { echo "install.sh: no $bin/$program (publish it with ami/build.sh bundle)" >&2; exit 1; }
done
root=$(cd "$root" && pwd)
prefix=$root/opt/trainingworkers

echo "== tw and tw-worker into $prefix/bin"
rm -rf "${prefix:?}/bin"
install -d -m 0755 "$prefix/bin"
cp -a "$bin/." "$prefix/bin/"
# A shim that came with the publish was built for another libtorch; this machine's is built next.
rm -f "$prefix/bin/libtw_native.so"
install -d -m 0755 "$root/usr/local/bin"
ln -sfn /opt/trainingworkers/bin/tw "$root/usr/local/bin/tw"

echo "== the shim against this machine's libtorch"
if [ -z "$shim_build" ]; then
  shim_build=$(mktemp -d)
  trap 'rm -rf "$shim_build"' EXIT
fi
"$bundle/scripts/build-shim.sh" "${shim_from[@]}" --build-dir "$shim_build" --install "$prefix/bin"

echo "== the service, its user, its configuration folder, log rotation, the CloudWatch agent's configuration"
install -D -m 0644 "$here/files/tw-worker.service" "$root/etc/systemd/system/tw-worker.service"
install -D -m 0644 "$here/files/tw-worker.path" "$root/etc/systemd/system/tw-worker.path"
# What `systemctl enable` does, without a running systemd (an image build, a temporary root).
install -d -m 0755 "$root/etc/systemd/system/multi-user.target.wants"
for unit in tw-worker.service tw-worker.path; do
  ln -sfn "/etc/systemd/system/$unit" "$root/etc/systemd/system/multi-user.target.wants/$unit"
done
install -D -m 0644 "$here/files/trainingworkers.sysusers" "$root/usr/lib/sysusers.d/trainingworkers.conf"
systemd-sysusers --root="$root"
install -D -m 0644 "$here/files/worker.env.example" "$root/etc/trainingworkers/worker.env.example"
# systemd opens the log for appending before the service starts: its folder must exist.
install -d -m 0755 "$root/var/log/trainingworkers"
install -D -m 0644 "$here/files/trainingworkers.logrotate" "$root/etc/logrotate.d/trainingworkers"
install -D -m 0644 "$here/files/cloudwatch-agent.json" "$root/opt/aws/amazon-cloudwatch-agent/etc/trainingworkers.json"
echo "installed into $root"
