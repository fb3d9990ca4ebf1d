#!/usr/bin/env bash
# demo.sh: show the driver working on one machine, on the loop backend, by playing kubelet.
#
#   sudo scripts/demo.sh [--keep]      (--keep: leave the temporary directory for inspection)
#
# Uses artifacts/volume-driver (publishes it with scripts/build.sh if missing), a temporary
# directory holding config.yaml (backend: loop; loop.directory and log.file inside that
# directory; exported as VOLUME_DRIVER_CONFIG), node name = lowercased hostname, volume
# demo-vol-<random>. Each call is started as kubelet starts it (no shell, cwd /, env with only
# PATH and VOLUME_DRIVER_CONFIG, stdin /dev/null, stdout+stderr read as one reply), printed as
# `$ volume-driver <verb> <args>` with its reply, and checked: exactly one JSON object, the
# expected status, the exit code that goes with it, and `device` where the verb returns one.
# Sequence: init, attach, isattached, waitforattach, mountdevice (formats ext4), write a file,
# unmountdevice, detach, then attach, waitforattach, mountdevice again, which must NOT reformat
# (the file is still there with the same content, and the filesystem UUID is unchanged),
# unmountdevice, detach, isattached (false), delete (operator verb). Stops with a clear message
# at the first step that misbehaves; always cleans up on exit (unmount, detach, delete).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)

keep=0
case "${1:-}" in
    "") ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac

if [[ $(id -u) -ne 0 ]]; then
    echo "demo: must run as root (loop devices, mkfs, mount): sudo $0" >&2
    exit 1
fi
for tool in python3 losetup mkfs.ext4 blkid mount umount mountpoint findmnt; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "demo: '$tool' is missing: run scripts/install-prerequisites.sh first" >&2
        exit 1
    fi
done

binary="$repo_root/artifacts/volume-driver"
if [[ ! -x "$binary" ]]; then
    echo "demo: $binary is missing; building it"
    ./scripts/build.sh
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/volume-driver-demo.XXXXXX")
chmod 0700 "$work"
mkdir -p "$work/disks"
cat >"$work/config.yaml" <<YAML
backend: loop
loop:
  directory: $work/disks
log:
  file: $work/driver.log
YAML
export VOLUME_DRIVER_CONFIG="$work/config.yaml"

node=$( (hostname 2>/dev/null || cat /proc/sys/kernel/hostname) | tr '[:upper:]' '[:lower:]')
name="demo-vol-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
options="{\"kubernetes.io/pvOrVolumeName\":\"$name\",\"kubernetes.io/fsType\":\"ext4\",\"kubernetes.io/readwrite\":\"rw\",\"size\":\"1Gi\"}"
# What kubelet creates (0750) before mountdevice: <root>/plugins/kubernetes.io/flexvolume/<vendor>/<driver>/mounts/<name>
mount_dir="$work/plugins/kubernetes.io/flexvolume/demo/volume-driver/mounts/$name"
mkdir -p "$mount_dir"
chmod 0750 "$mount_dir"

steps=0
attached=0   # the driver may hold a disk attached for this volume
created=0    # the driver may have created a disk for this volume

# --- cleanup -------------------------------------------------------------------------------
quiet_driver() { (cd / && env -i PATH="$PATH" VOLUME_DRIVER_CONFIG="$VOLUME_DRIVER_CONFIG" "$binary" "$@" </dev/null >/dev/null 2>&1); }
cleanup() {
    local rc=$?
    set +e
    if ((rc != 0)) && [[ -s "$work/driver.log" ]]; then
        echo "demo: last lines of the driver log ($work/driver.log):"
        tail -n 20 "$work/driver.log" | sed 's/^/  | /'
    fi
    if mountpoint -q "$mount_dir"; then
        echo "demo: cleanup: unmounting $mount_dir"
        quiet_driver unmountdevice "$mount_dir"
        mountpoint -q "$mount_dir" && umount "$mount_dir"
    fi
    if ((attached)); then
        echo "demo: cleanup: detaching $name"
        quiet_driver detach "$name" "$node"
    fi
    if ((created)); then
        echo "demo: cleanup: deleting $name"
        quiet_driver delete "$name"
    fi
    # Anything the driver left attached from our disk directory: detach it ourselves.
    local line dev
    while IFS= read -r line; do
        dev=${line%%:*}
        [[ -n "$dev" ]] || continue
        echo "demo: cleanup: $dev still backed by a file in $work/disks; detaching it"
        losetup -d "$dev"
    done < <(losetup -a 2>/dev/null | grep -F "($work/disks/" || true)
    if mountpoint -q "$mount_dir" || findmnt -rn -o TARGET | grep -qF "$work/"; then
        echo "demo: WARNING: something is still mounted under $work; not deleting it" >&2
    elif ((keep)); then
        echo "demo: kept $work"
    else
        rm -rf -- "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo >&2
    echo "demo: FAILED at step $steps: $*" >&2
    exit 1
}

# Shell-quote an argument for display only when it needs it.
show_arg() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then
        printf ' %s' "$1"
    else
        printf " '%s'" "${1//\'/\'\\\'\'}"
    fi
}

# call EXPECTED_STATUS WANT_DEVICE(0|1) VERB ARGS... : run one driver call as kubelet does and
# check its reply. Sets $reply, and $device (empty unless WANT_DEVICE=1).
reply=""
device=""
call() {
    local expected=$1 want_device=$2
    shift 2
    steps=$((steps + 1))
    echo
    printf '[%d] $ volume-driver' "$steps"
    for arg in "$@"; do show_arg "$arg"; done
    echo
    local rc=0
    device=""
    reply=$(cd / && env -i PATH="$PATH" VOLUME_DRIVER_CONFIG="$VOLUME_DRIVER_CONFIG" "$binary" "$@" </dev/null 2>&1) || rc=$?
    if [[ -n "$reply" ]]; then printf '%s\n' "$reply" | sed 's/^/    /'; else echo "    (no output)"; fi
    local verdict
    verdict=$(REPLY_TEXT="$reply" python3 - "$expected" "$want_device" "$rc" <<'PY'
import json, os, sys
expected, want_device, rc = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
text = os.environ["REPLY_TEXT"]
try:
    value = json.loads(text)
except ValueError as exc:
    print(f"ERROR the reply is not exactly one JSON object ({exc})")
    sys.exit(0)
if not isinstance(value, dict):
    print("ERROR the reply is JSON but not an object")
    sys.exit(0)
status = value.get("status")
if status != expected:
    message = value.get("message")
    print(f"ERROR status {status!r}, expected {expected!r}" + (f"; message: {message}" if message else ""))
    sys.exit(0)
wanted_rc = 1 if status == "Failure" else 0
if rc != wanted_rc:
    print(f"ERROR exit code {rc} with status {status!r} (expected {wanted_rc})")
    sys.exit(0)
if want_device:
    device = value.get("device")
    if not isinstance(device, str) or not device:
        print("ERROR no non-empty \"device\" in the reply")
        sys.exit(0)
    print("DEVICE " + device)
    sys.exit(0)
print("OK")
PY
)
    case "$verdict" in
        OK) ;;
        "DEVICE "*) device=${verdict#DEVICE } ;;
        "ERROR "*) fail "volume-driver $1: ${verdict#ERROR }" ;;
        *) fail "volume-driver $1: could not check the reply ($verdict)" ;;
    esac
}

# check DESCRIPTION: a step that is ours, not a driver call.
check() {
    steps=$((steps + 1))
    echo
    echo "[$steps] check: $1"
}

expect_bool() {  # expect_bool KEY true|false: the last reply's KEY must be that JSON boolean
    local got
    got=$(REPLY_TEXT="$reply" python3 -c 'import json,os,sys; v=json.loads(os.environ["REPLY_TEXT"]).get(sys.argv[1]); print(json.dumps(v))' "$1")
    [[ "$got" == "$2" ]] || fail "\"$1\" is $got, expected $2"
}

echo "demo: binary $binary"
echo "demo: config $VOLUME_DRIVER_CONFIG:"
sed 's/^/    /' "$VOLUME_DRIVER_CONFIG"
echo "demo: node '$node', volume '$name', mount dir $mount_dir"

content="written by demo.sh for $name at $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# --- first life: provision, format, write --------------------------------------------------
call Success 0 init
python3 -c 'import json,os,sys; c=json.loads(sys.argv[1]).get("capabilities"); sys.exit(0 if isinstance(c,dict) and c.get("attach") is True else 1)' "$reply" \
    || fail "init: \"capabilities\" must be an object with \"attach\": true"

created=1
attached=1
call Success 1 attach "$options" "$node"
attach_device=$device
call Success 0 isattached "$options" "$node"
expect_bool attached true
call Success 1 waitforattach "$attach_device" "$options"
node_device=$device
[[ -b "$node_device" ]] || fail "waitforattach returned $node_device, which is not a block device"

call Success 0 mountdevice "$mount_dir" "$node_device" "$options"
check "$mount_dir is a mount point holding ext4"
mountpoint -q "$mount_dir" || fail "$mount_dir is not a mount point after mountdevice"
fstype=$(findmnt -n -o FSTYPE --mountpoint "$mount_dir")
[[ "$fstype" == ext4 ]] || fail "$mount_dir holds '$fstype', expected ext4"
uuid_before=$(blkid -p -o value -s UUID "$node_device" || true)
echo "    ext4 on $node_device, UUID ${uuid_before:-?}"

check "write a file into the volume"
printf '%s\n' "$content" >"$mount_dir/demo.txt"
sync -f "$mount_dir/demo.txt"
echo "    $mount_dir/demo.txt: $content"

call Success 0 unmountdevice "$mount_dir"
mountpoint -q "$mount_dir" && fail "$mount_dir is still a mount point after unmountdevice"
call Success 0 detach "$name" "$node"
attached=0

# --- second life: the same disk again, must keep its data ----------------------------------
attached=1
call Success 1 attach "$options" "$node"
attach_device=$device
call Success 1 waitforattach "$attach_device" "$options"
node_device=$device
call Success 0 mountdevice "$mount_dir" "$node_device" "$options"
check "the volume was not reformatted: the file is there with the same content"
mountpoint -q "$mount_dir" || fail "$mount_dir is not a mount point after mountdevice"
[[ -f "$mount_dir/demo.txt" ]] || fail "demo.txt is GONE after re-attach and mountdevice: the volume was reformatted or is another disk"
read_back=$(cat "$mount_dir/demo.txt")
[[ "$read_back" == "$content" ]] || fail "demo.txt changed: expected '$content', found '$read_back'"
uuid_after=$(blkid -p -o value -s UUID "$node_device" || true)
[[ "$uuid_after" == "$uuid_before" ]] || fail "filesystem UUID changed from '$uuid_before' to '$uuid_after': the volume was reformatted"
echo "    demo.txt: $read_back (UUID ${uuid_after:-?} unchanged)"

call Success 0 unmountdevice "$mount_dir"
mountpoint -q "$mount_dir" && fail "$mount_dir is still a mount point after unmountdevice"
call Success 0 detach "$name" "$node"
attached=0
call Success 0 isattached "$options" "$node"
expect_bool attached false
call Success 0 delete "$name"
created=0

echo
echo "demo: all $steps steps behaved"
