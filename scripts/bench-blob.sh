#!/usr/bin/env bash
# bench-blob.sh: the blob-disk pool's benchmark. Runs tests/VolumeDriver.Tests/Benchmarks/BlobPoolBenchmark
# against the ARM double and real Azurite (behind a counting proxy) and prints artifacts/bench-blob.md:
# ARM and Blob requests per shared-disk provision at 2, 20 and 100 pool accounts (no count cache and
# cache fresh) beside the in-tree plugin's pattern, and the wall time of 100 sequential provisions
# with 20 ms added to every request. A benchmark: it reports figures and never fails on timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ "${1:-}" == "--no-build" ]] || scripts/build.sh >/dev/null
export VOLUME_DRIVER_BINARY="${VOLUME_DRIVER_BINARY:-$PWD/artifacts/volume-driver}" VOLUME_DRIVER_BENCH=1
dotnet test tests/VolumeDriver.Tests -c Release --filter "FullyQualifiedName~Benchmarks.BlobPoolBenchmark" --logger "console;verbosity=quiet" >/dev/null
cat artifacts/bench-blob.md
