#!/usr/bin/env bash
# build.sh: publish the driver as ONE self-contained executable at artifacts/volume-driver.
#
#   scripts/build.sh
#
#   scripts/build.sh --size-report    (the same NativeAOT build, also printing where its bytes go by
#                                      assembly: scripts/size-breakdown.py over ILC's map file)
#
#   scripts/build.sh --ready-to-run   (the previous self-contained single-file R2R build, for
#                                      scripts/compare-builds.sh; written to artifacts/volume-driver-r2r)
#
# Runs `dotnet publish` of src/VolumeDriver with -p:PublishDriver=true (NativeAOT, linux-x64,
# Release; warnings are errors and the trim and AOT analyzers are on) into a temporary directory,
# checks that the publish produced only the executable (a stray .pdb/.dbg/.json is dropped; any
# other file is an error, because the driver must run from a FlexVolume plugin directory with
# nothing beside it), copies it atomically to artifacts/volume-driver, and smoke-runs it the way
# kubelet does (`init`, cwd /, env with only PATH, no HOME, stdin /dev/null). Prints the artifact's
# path and size. The native link needs a C toolchain and zlib's headers
# (scripts/install-prerequisites.sh installs them). Works from any cwd.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

flavour=native-aot
artifact_name=volume-driver
publish_props=(-p:PublishDriver=true)
size_report=0
case "${1:-}" in
    "") ;;
    --size-report)
        size_report=1
        publish_props+=(-p:IlcGenerateMapFile=true) ;;
    --ready-to-run)
        flavour=ready-to-run
        artifact_name=volume-driver-r2r
        publish_props+=(-p:PublishDriverReadyToRun=true) ;;
    *) echo "usage: scripts/build.sh [--size-report | --ready-to-run]" >&2; exit 2 ;;
esac

publish_dir=$(mktemp -d "${TMPDIR:-/tmp}/volume-driver-publish.XXXXXX")
cleanup() { rm -rf -- "$publish_dir"; }
trap cleanup EXIT

echo "build: dotnet publish src/VolumeDriver (Release, linux-x64, $flavour, one file)"
dotnet publish src/VolumeDriver/VolumeDriver.csproj -c Release -r linux-x64 \
    "${publish_props[@]}" -nologo -v minimal -o "$publish_dir"

if [[ ! -f "$publish_dir/volume-driver" ]]; then
    echo "build: ERROR: publish did not produce $publish_dir/volume-driver" >&2
    exit 1
fi

# Only the executable may be needed beside itself. Debug symbols and host JSON files are not
# (NativeAOT compiles everything in; a single-file bundle embeds the runtime and deps
# configuration); anything else means the executable is incomplete, e.g. a native library that
# was not linked in.
unexpected=()
while IFS= read -r -d '' entry; do
    name=${entry#"$publish_dir"/}
    case "$name" in
        volume-driver) ;;
        *.pdb | *.dbg | *.deps.json | *.runtimeconfig.json)
            echo "build: dropping $name (not needed by the single-file executable)"
            rm -rf -- "$entry" ;;
        *) unexpected+=("$name") ;;
    esac
done < <(find "$publish_dir" -mindepth 1 -maxdepth 1 -print0)
if ((${#unexpected[@]} > 0)); then
    echo "build: ERROR: publish output holds files beside the executable: ${unexpected[*]}" >&2
    echo "build: the driver must be one self-contained file; check the PublishDriver properties." >&2
    exit 1
fi

mkdir -p artifacts
# Copy then rename, so a concurrent reader never sees a half-written binary.
cp -- "$publish_dir/volume-driver" "artifacts/.$artifact_name.tmp"
chmod 0755 "artifacts/.$artifact_name.tmp"
mv -f -- "artifacts/.$artifact_name.tmp" "artifacts/$artifact_name"
artifact="$repo_root/artifacts/$artifact_name"

# Smoke run exactly as kubelet would start it: no shell, cwd /, only PATH, no HOME, no stdin.
set +e
smoke_output=$(cd / && env -i PATH=/usr/bin:/bin HOME= "$artifact" init </dev/null 2>&1)
smoke_rc=$?
set -e
if ((smoke_rc != 0)); then
    echo "build: ERROR: '$artifact init' exited $smoke_rc (cwd /, no HOME). Output:" >&2
    printf '%s\n' "$smoke_output" >&2
    exit 1
fi
if [[ -z "$smoke_output" ]]; then
    echo "build: smoke run 'volume-driver init' exited 0 (printed nothing)"
else
    echo "build: smoke run 'volume-driver init' exited 0: $smoke_output"
fi

size_bytes=$(stat -c %s "$artifact")
size_mib=$(awk -v b="$size_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "build: artifact $artifact ($size_mib MiB, $size_bytes bytes)"

if ((size_report)); then
    native=src/VolumeDriver/obj/Release/net10.0/linux-x64/native
    python3 scripts/size-breakdown.py "$native/volume-driver.map.xml" "$native/volume-driver.ilc.rsp"
fi
