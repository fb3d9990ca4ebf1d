#!/usr/bin/env bash
# compare-builds.sh: show that the NativeAOT executable answers exactly as the ReadyToRun build.
#
#   scripts/compare-builds.sh [--no-build]
#
# Publishes both builds (scripts/build.sh -> artifacts/volume-driver, NativeAOT; scripts/build.sh
# --ready-to-run -> artifacts/volume-driver-r2r) unless --no-build, then runs the same commands
# through each: help texts, every verb with good, bad and missing arguments, the operators'
# commands, configuration errors and, as root with loop devices, the kubelet sequence on a loop
# volume. Each command runs as kubelet runs it (cwd /, only PATH and VOLUME_DRIVER_CONFIG in the
# environment, stdin /dev/null, stdout and stderr together), from the same path and on a fresh
# state directory of the same name for each build, so the outputs can be compared byte for byte.
# Records the exit code and the output of each command and diffs them. Only what the machine changes
# between the two runs is normalised: the number of a loop device (/dev/loopN), as the kernel hands
# out whichever is free, free-space figures in bytes and GiB (doctor's overcommit check), as
# the first build's runs use disk space, and how many times a wait looked for a device within its
# time limit ("after waiting 120 s (123 looks)"), which depends on how fast each look runs.
# Exit status: 0 when every command answered identically, 1 otherwise (the diff is printed).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)

if [[ "${1:-}" != "--no-build" ]]; then
    ./scripts/build.sh
    ./scripts/build.sh --ready-to-run
fi
for binary in artifacts/volume-driver artifacts/volume-driver-r2r; do
    [[ -x "$binary" ]] || { echo "compare: $binary is missing; run without --no-build" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/volume-driver-compare.XXXXXX")
cleanup() {
    # A loop volume left by an interrupted run: unmount and detach it with whichever binary is there.
    if [[ -x "$work/bin/volume-driver" ]]; then
        run_driver unmountdevice "$mount" >/dev/null 2>&1 || true
        run_driver detach pv-compare node-1 >/dev/null 2>&1 || true
    fi
    rm -rf -- "$work"
}
trap cleanup EXIT

path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
run_driver() {
    (cd / && env -i PATH="$path" VOLUME_DRIVER_CONFIG="$work/state/config.yaml" \
        "$work/bin/volume-driver" "$@" </dev/null 2>&1)
}

# Runs one command; writes its exit code and output to $out/<number>-<label>.
count=0
record() {
    local label=$1
    shift
    count=$((count + 1))
    local file
    file=$(printf '%s/%02d-%s' "$out" "$count" "$label")
    set +e
    run_driver "$@" >"$file.raw"
    local rc=$?
    set -e
    {
        printf 'argv: %s\nexit: %d\n' "$*" "$rc"
        sed -E -e 's#/dev/loop[0-9]+#/dev/loopN#g' \
            -e 's#[0-9]+(\.[0-9]+)? GiB \([0-9]+ bytes\)#N GiB (N bytes)#g' \
            -e 's#\([0-9]+ looks\)#(N looks)#g' "$file.raw"
    } >"$file"
    rm -f -- "$file.raw"
}

volume='{"kubernetes.io/fsType":"","kubernetes.io/pvOrVolumeName":"pv-compare","kubernetes.io/readwrite":"rw","size":"64Mi"}'
absent='{"kubernetes.io/pvOrVolumeName":"pv-absent"}'
# Where kubelet mounts a FlexVolume device; the driver refuses any other path.
mount="$work/state/kubelet/plugins/kubernetes.io/flexvolume/example.com/volume-driver/mounts/pv-compare"

run_all() {
    record no-arguments
    record help --help
    record help-short -h
    record version --version
    record init init
    record init-pretty --pretty init
    record init-help init --help
    record attach-help attach --help
    record mountdevice-help mountdevice --help
    record doctor-help doctor --help
    record install-help install --help
    record list-help list --help
    record migrate-help migrate-vhd --help
    record unknown-verb frobnicate
    record unknown-option init --frobnicate
    record getvolumename getvolumename "$absent"
    record mount mount /mnt/x "$absent"
    record unmount unmount /mnt/x
    record attach-no-arguments attach
    record attach-bad-json attach '{"kubernetes.io/pvOrVolumeName":' node-1
    record attach-json-array attach '[1,2]' node-1
    record attach-unknown-key attach '{"kubernetes.io/pvOrVolumeName":"pv-x","colour":"blue"}' node-1
    record attach-traversal attach '{"kubernetes.io/pvOrVolumeName":"../../etc/passwd"}' node-1
    record attach-bad-size attach '{"kubernetes.io/pvOrVolumeName":"pv-x","size":"lots"}' node-1
    record isattached-absent isattached "$absent" node-1
    record isattached-swapped isattached node-1 "$absent"
    record detach-absent detach pv-absent node-1
    record waitforattach-missing waitforattach /dev/no-such-device "$absent"
    record unmountdevice-nothing unmountdevice "$work/state/not-mounted"
    record mountdevice-relative mountdevice relative/path /dev/null "$absent"
    record expandvolume-bad expandvolume "$absent" /dev/no-such-device notanumber 1073741824
    record delete-absent delete pv-absent
    record list list
    record doctor-json doctor --json
    record config-missing --config "$work/state/no-such.yaml" init
    record config-missing-verb --config "$work/state/no-such.yaml" isattached "$absent" node-1
    record config-bad-key --config "$work/state/bad.yaml" isattached "$absent" node-1
    if [[ $(id -u) -eq 0 && -e /dev/loop-control ]] && command -v losetup >/dev/null; then
        record loop-attach attach "$volume" node-1
        local device
        record loop-attach-again attach "$volume" node-1
        device=$(run_driver attach "$volume" node-1 | sed -nE 's/.*"device":"([^"]+)".*/\1/p')
        record loop-isattached isattached "$volume" node-1
        record loop-waitforattach waitforattach "$device" "$volume"
        record loop-mountdevice mountdevice "$mount" "$device" "$volume"
        record loop-mountdevice-again mountdevice "$mount" "$device" "$volume"
        record loop-delete-attached delete pv-compare
        record loop-list list
        record loop-unmountdevice unmountdevice "$mount"
        record loop-detach detach pv-compare node-1
        record loop-isattached-after isattached "$volume" node-1
        record loop-delete delete pv-compare
    else
        echo "compare: not root or no loop devices: the loop volume's sequence is left out"
    fi
}

for flavour in r2r aot; do
    case $flavour in
        r2r) binary=artifacts/volume-driver-r2r ;;
        aot) binary=artifacts/volume-driver ;;
    esac
    rm -rf -- "$work/bin" "$work/state"
    mkdir -p "$work/bin" "$work/state/images" "$work/out/$flavour" "$mount"
    cp -- "$binary" "$work/bin/volume-driver"
    cat >"$work/state/config.yaml" <<YAML
backend: loop
nodeName: node-1
loop:
  directory: $work/state/images
log:
  file: $work/state/driver.log
locking:
  directory: $work/state/locks
YAML
    printf 'backend: loop\nloop:\n  directroy: /tmp\n' >"$work/state/bad.yaml"
    out="$work/out/$flavour"
    count=0
    run_all
done

commands=$(find "$work/out/aot" -type f | wc -l)
if diff -ru "$work/out/r2r" "$work/out/aot"; then
    echo "compare: $commands commands, NativeAOT and ReadyToRun answered identically (exit codes and output)"
else
    echo "compare: the builds differ (diff above, r2r first) over $commands commands" >&2
    exit 1
fi
