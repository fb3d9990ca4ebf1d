#!/usr/bin/env bash
# bench.sh: benchmark process start-up of the driver against the floor of what .NET 10 can start
# here. A benchmark: it REPORTS figures and never fails on timing.
#
#   scripts/bench.sh [--no-build] [--baseline OTHER-DRIVER] [--runs N] [--warmup N] [--json FILE]
#
# 1. Publishes the driver (scripts/build.sh -> artifacts/volume-driver, NativeAOT) unless --no-build,
#    and builds the test doubles (tests/Simulators).
# 2. In a temporary directory, creates a hello-world console app (`dotnet new console`, printing
#    {"status":"Success"}) whose project imports eng/NativeExecutable.props, the driver's own
#    NativeAOT compile, link and feature-switch settings, and publishes it. That is the floor.
# 3. Runs scripts/bench.py: each command N times (default 30, at least 20) after 3 warm-up runs,
#    started as kubelet starts a driver, and prints median/p90 wall time, median/max peak RSS,
#    the ratio to hello-world, and how many outputs were not exactly one JSON object. The commands:
#    init, getvolumename and isattached (loop backend, no volume); as root, isattached, waitforattach
#    and mountdevice on an attached and mounted loop volume; isattached against the ARM and vCD
#    doubles (started by bench.py through `Simulators bench-doubles`).
# 4. Prints both files' sizes.
# With --baseline PATH (another build of the driver, such as an older commit's artifacts/volume-driver;
# may be repeated), every driver row is measured for each build, interleaved round by round.
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
        -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
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
simulators="$repo_root/tests/Simulators/bin/Release/net10.0/Simulators.dll"
if ((build)) || [[ ! -f "$simulators" ]]; then
    dotnet build tests/Simulators -c Release -nologo -v quiet >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/volume-driver-hello.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

echo "bench: building the hello-world floor (published like the driver)"
dotnet new console --name hello --output "$work/hello" --no-restore >"$work/new.log" 2>&1 \
    || { cat "$work/new.log" >&2; exit 1; }
cat >"$work/hello/Program.cs" <<'CS'
Console.WriteLine("{\"status\":\"Success\"}");
CS
# The floor imports the driver's own compile, link and feature-switch settings
# (eng/NativeExecutable.props), so it is built exactly as the driver is.
cat >"$work/hello/hello.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Deterministic>true</Deterministic>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <PublishAot>true</PublishAot>
  </PropertyGroup>
  <Import Project="$repo_root/eng/NativeExecutable.props" />
</Project>
PROJ
dotnet publish "$work/hello/hello.csproj" -c Release -r linux-x64 \
    -nologo -v quiet -o "$work/out" >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; exit 1; }

# Every measured command starts through bench-spawn, so its RSS is its own (see bench-spawn.c).
cc -O2 -Wall -Wextra -Werror -o "$work/bench-spawn" scripts/bench-spawn.c

python3 scripts/bench.py --hello "$work/out/hello" --driver "$driver" --spawner "$work/bench-spawn" \
    --node "$(hostname 2>/dev/null | tr '[:upper:]' '[:lower:]' || echo bench-node)" \
    "${bench_args[@]+"${bench_args[@]}"}" \
    --doubles dotnet "$simulators" bench-doubles

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB (%d bytes)", b / 1048576, b }'; }
echo "bench: file sizes: hello-world $(mib "$(stat -c %s "$work/out/hello")"), volume-driver $(mib "$(stat -c %s "$driver")")"
for ((i = 0; i < ${#bench_args[@]} - 1; i++)); do
    if [[ ${bench_args[i]} == --baseline ]]; then
        echo "bench: baseline ${bench_args[i + 1]}: $(mib "$(stat -c %s "${bench_args[i + 1]}")")"
    fi
done
