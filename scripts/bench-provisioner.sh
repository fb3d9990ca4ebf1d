#!/usr/bin/env bash
# bench-provisioner.sh: the provisioner's benchmark. Publishes the driver, then runs
# tests/VolumeDriver.Tests/Provisioning/EndToEnd/ProvisioningBenchmark (as root, for the loop
# devices) and prints artifacts/bench-provisioner.md: 100 claims created at once against the
# Kubernetes double, and the time from each claim to its PV (median, p90, max).
# A benchmark: it reports figures and never fails on timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[[ "${1:-}" == "--no-build" ]] || scripts/build.sh >/dev/null
export VOLUME_DRIVER_BINARY="${VOLUME_DRIVER_BINARY:-$PWD/artifacts/volume-driver}" VOLUME_DRIVER_BENCH=1
dotnet test tests/VolumeDriver.Tests -c Release --filter "FullyQualifiedName~Provisioning.EndToEnd.ProvisioningBenchmark" --logger "console;verbosity=quiet" >/dev/null
cat artifacts/bench-provisioner.md
