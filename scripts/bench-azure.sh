#!/usr/bin/env bash
# bench-azure.sh: the Azure backend's benchmark. Publishes the driver, then runs
# tests/VolumeDriver.Tests/Benchmarks/AzureBenchmark against the ARM double (as root, for the loop
# devices of the emulated node) and prints artifacts/bench-azure.md: ARM requests
# per verb beside the in-tree plugin, and attach times for 1 and 16 concurrent attaches, and 16 concurrent detaches, with 20 ms latency.
# A benchmark: it reports figures and never fails on timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ "${1:-}" == "--no-build" ]] || scripts/build.sh >/dev/null
export VOLUME_DRIVER_BINARY="${VOLUME_DRIVER_BINARY:-$PWD/artifacts/volume-driver}" VOLUME_DRIVER_BENCH=1
dotnet test tests/VolumeDriver.Tests -c Release --filter "FullyQualifiedName~Benchmarks.AzureBenchmark" --logger "console;verbosity=quiet" >/dev/null
cat artifacts/bench-azure.md
