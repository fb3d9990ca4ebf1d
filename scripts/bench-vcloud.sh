#!/usr/bin/env bash
# bench-vcloud.sh: the vCloud backend's benchmark. Publishes the driver, then runs
# tests/VolumeDriver.Tests/Benchmarks/VCloudBenchmark against the vCD double (as root, for the loop
# devices of the emulated node) and prints artifacts/bench-vcloud.md: vCD requests per verb with a
# warm session beside the Python driver's pattern, and attach times with 0 and 20 ms of latency.
# A benchmark: it reports figures and never fails on timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ "${1:-}" == "--no-build" ]] || scripts/build.sh >/dev/null
export VOLUME_DRIVER_BINARY="${VOLUME_DRIVER_BINARY:-$PWD/artifacts/volume-driver}" VOLUME_DRIVER_BENCH=1
dotnet test tests/VolumeDriver.Tests -c Release --filter "FullyQualifiedName~Benchmarks.VCloudBenchmark" --logger "console;verbosity=quiet" >/dev/null
cat artifacts/bench-vcloud.md
