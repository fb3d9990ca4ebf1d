#!/usr/bin/env bash
# install-prerequisites.sh: install the host tools the driver and its tests use, and make sure
# loop devices work. Idempotent and quiet: prints one line per step; the full apt/dpkg output goes
# to artifacts/install-prerequisites.log (its tail is shown if a step fails).
#
#   sudo scripts/install-prerequisites.sh
#
# Steps:
#   1. Debian packages (e2fsprogs xfsprogs util-linux fdisk mount, etcd-server for the lock tests,
#      python3 for the scripts, and for the NativeAOT link binutils, libc6-dev, zlib1g-dev and clang
#      unless clang or gcc is already there):
#      nothing is run when all are installed; otherwise `apt-get update` once, then
#      `apt-get install -y --no-install-recommends` non-interactively.
#   2. Azurite (npm, pinned), the Azure Storage emulator the blob-disk tests run against, when
#      azurite-blob is not on PATH: `npm install -g azurite@3.37.0` (needs node and npm).
#   3. Loop devices: `modprobe loop` when /dev/loop-control is missing and modprobe exists (a
#      missing modprobe is fine when loop already works), then a real check: attach a small sparse
#      file with `losetup --find --show` and detach it again. Fails if loop devices are unusable.
# Needs root for any step that has work to do. Works from any cwd.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the driver (loop backend, format, mount) and its tests need.
# Later: udev (by-id links).
packages=(e2fsprogs xfsprogs util-linux fdisk mount etcd-server)
# Not needed by the driver, but by the scripts that test and benchmark it.
command -v python3 >/dev/null 2>&1 || packages+=(python3)
# Not needed by the driver either, but by its NativeAOT build (scripts/build.sh): the SDK links the
# executable with clang (gcc when clang is missing) through binutils' ld.bfd, splits the symbols
# off with objcopy, and links zlib and libc, whose development files it needs.
packages+=(binutils libc6-dev zlib1g-dev)
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || packages+=(clang)

mkdir -p artifacts
log="$PWD/artifacts/install-prerequisites.log"
{ echo "=== install-prerequisites.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"; } >>"$log"

say() { echo "prerequisites: $*"; }
fail() {
    echo "prerequisites: ERROR: $*" >&2
    echo "prerequisites: last lines of $log:" >&2
    tail -n 25 "$log" >&2 || true
    exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command with its output appended to the log.
logged() {
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 </dev/null
}

# --- 1. packages -----------------------------------------------------------------------------
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    say "packages already installed: ${packages[*]}"
else
    is_root || fail "packages missing (${missing[*]}) and not root: run this script as root"
    # Only for apt/dpkg, not exported to anything else this script runs.
    apt_env=(env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a)
    apt_opts=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    say "apt-get update"
    logged "${apt_env[@]}" apt-get "${apt_opts[@]}" update || fail "apt-get update failed"
    say "apt-get install ${missing[*]}"
    logged "${apt_env[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
        || fail "apt-get install ${missing[*]} failed"
fi

# --- 2. Azurite ------------------------------------------------------------------------------
azurite_version=3.37.0
if command -v azurite-blob >/dev/null 2>&1; then
    say "azurite-blob already installed"
else
    command -v npm >/dev/null 2>&1 || fail "npm is missing: the blob-disk tests need Azurite (npm install -g azurite@$azurite_version)"
    is_root || fail "azurite-blob missing and not root: run this script as root"
    say "npm install -g azurite@$azurite_version"
    logged npm install -g --no-audit --no-fund "azurite@$azurite_version" || fail "npm install azurite failed"
fi

# --- 3. loop devices -------------------------------------------------------------------------
if [[ ! -c /dev/loop-control ]]; then
    if command -v modprobe >/dev/null 2>&1; then
        is_root || fail "/dev/loop-control is missing and not root: run 'modprobe loop' as root"
        say "modprobe loop"
        logged modprobe loop || echo "prerequisites: modprobe loop failed (see $log); checking loop anyway"
    else
        say "/dev/loop-control missing and no modprobe here; checking loop anyway"
    fi
fi

if ! is_root; then
    say "loop devices: not checked (needs root)"
    exit 0
fi

probe_dir=$(mktemp -d "${TMPDIR:-/tmp}/loop-probe.XXXXXX")
probe_dev=""
cleanup_probe() {
    if [[ -n "$probe_dev" ]]; then losetup -d "$probe_dev" >>"$log" 2>&1 || true; fi
    rm -rf -- "$probe_dir"
}
trap cleanup_probe EXIT
truncate -s 1M "$probe_dir/probe.img"
echo "+ losetup --find --show $probe_dir/probe.img" >>"$log"
if probe_dev=$(losetup --find --show "$probe_dir/probe.img" 2>>"$log"); then
    logged losetup -d "$probe_dev" || fail "could not detach probe loop device $probe_dev"
    probe_dev=""
    say "loop devices usable (attached and detached a probe file)"
else
    probe_dev=""
    fail "loop devices are not usable: 'losetup --find --show' failed (is the loop module loaded, /dev/loop-control present, and this container privileged?)"
fi
