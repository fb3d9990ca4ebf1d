#!/usr/bin/env bash
# bench.sh: benchmark process start-up of the driver against the floor of what .NET 10 can start
# here. A benchmark: it REPORTS figures and never fails on timing.
#
#   scripts/bench.sh [--no-build] [--runs N] [--warmup N] [--json FILE]
#
# 1. Publishes the driver (scripts/build.sh -> artifacts/volume-driver) unless --no-build.
# 2. In a temporary directory, creates a hello-world console app (`dotnet new console`, printing
#    {"status":"Success"}) and publishes it exactly like the driver: Release, linux-x64,
#    self-contained, single file, ReadyToRun, InvariantGlobalization, same runtime switches.
# 3. Runs scripts/bench.py: each command N times (default 30, at least 20) after 3 warm-up runs,
#    started as kubelet starts a driver, and prints median/p90 wall time, median/max peak RSS,
#    the ratio to hello-world, and how many outputs were not exactly one JSON object.
# Other arguments go to bench.py. Works from any cwd.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build=1
bench_args=()
while (($# > 0)); do
    case "$1" in
        --no-build) build=0 ;;
        -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) bench_args+=("$1") ;;
    esac
    shift
done

driver="$repo_root/artifacts/volume-driver"
if ((build)); then
    ./scripts/build.sh
elif [[ ! -x "$driver" ]]; then
    echo "bench: $driver is missing; run scripts/build.sh or drop --no-build" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/volume-driver-hello.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

echo "bench: building the hello-world floor (published like the driver)"
dotnet new console --name hello --output "$work/hello" --no-restore >"$work/new.log" 2>&1 \
    || { cat "$work/new.log" >&2; exit 1; }
cat >"$work/hello/Program.cs" <<'CS'
Console.WriteLine("{\"status\":\"Success\"}");
CS
# The driver's PublishDriver property group and runtime switches, property for property.
publish_props=(
    -p:SelfContained=true -p:PublishSingleFile=true -p:PublishReadyToRun=true
    -p:IncludeNativeLibrariesForSelfExtract=false -p:IncludeAllContentForSelfExtract=false
    -p:DebugType=none -p:GenerateRuntimeConfigurationFiles=true -p:Deterministic=true
    -p:InvariantGlobalization=true -p:UseSystemResourceKeys=false -p:EventSourceSupport=false
    -p:AutoreleasePoolSupport=false -p:TieredPGO=false -p:TieredCompilation=true
    -p:SatelliteResourceLanguages=en
)
dotnet publish "$work/hello/hello.csproj" -c Release -r linux-x64 "${publish_props[@]}" \
    -nologo -v quiet -o "$work/out" >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; exit 1; }
echo "bench: hello-world $(stat -c %s "$work/out/hello") bytes; driver $(stat -c %s "$driver") bytes"

python3 scripts/bench.py --hello "$work/out/hello" --driver "$driver" \
    --node "$(hostname 2>/dev/null | tr '[:upper:]' '[:lower:]' || echo bench-node)" \
    "${bench_args[@]+"${bench_args[@]}"}"
