#!/usr/bin/env bash
# test.sh: the whole check, as CI runs it (.ci/run calls this).
#
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Loop]
#
# Steps: install host prerequisites (scripts/install-prerequisites.sh), build the solution
# (Release; warnings are errors), publish the driver (scripts/build.sh -> artifacts/volume-driver),
# export VOLUME_DRIVER_BINARY=<absolute path of that artifact> for the contract tests, and run
# `dotnet test` on the solution with a TRX logger into artifacts/test-results/.
#
# Output ends with the names of failed tests (read from the TRX files) and then, as the very last
# line, the summary `N passed, N failed` (`, N skipped` appended when tests were skipped). A step
# that errors without producing test results (prerequisites, build, publish, a crashed or hung
# test run) is reported by name and counted as one failure, so the summary never looks green
# when nothing ran. Exit status: 0 only when no test failed and every step succeeded.
#
# Environment: TEST_VERBOSITY (console logger verbosity, default normal),
# TEST_TIMEOUT (overall limit for dotnet test, default 45m; a single test hanging for 15 minutes
# aborts the run with a hang report).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ "${CI:-}" == true ]]; then
    # No MSBuild node processes left behind holding the CI job's output open.
    export MSBUILDDISABLENODEREUSE=1
fi

results_dir="$repo_root/artifacts/test-results"
step_errors=()
finished=0
exit_expected=0

# Reads every TRX file under a directory. Mode "count-failed" prints the number of failed tests;
# mode "report" prints failed test names, step errors (env STEP_ERRORS) and the summary line, and
# exits 3 when anything failed. Counts come from each <UnitTestResult outcome=...>: VSTest's
# <Counters> leaves notExecuted at 0 for xunit's skipped tests (their outcome is NotExecuted).
# shellcheck disable=SC2016
trx_py='
import glob, os, sys
import xml.etree.ElementTree as ET

mode, results_dir = sys.argv[1], sys.argv[2]
errors = [e for e in os.environ.get("STEP_ERRORS", "").splitlines() if e.strip()]
passed = failed = skipped = 0
failed_names = []
for path in sorted(glob.glob(os.path.join(results_dir, "**", "*.trx"), recursive=True)):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        errors.append(f"unreadable TRX file {path}: {exc}")
        continue
    for result in root.iter():
        if not result.tag.endswith("UnitTestResult"):
            continue
        outcome = result.get("outcome", "")
        if outcome in ("Passed", "PassedButRunAborted"):
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive", "NotRunnable"):
            skipped += 1
        else:  # Failed, Error, Timeout, Aborted, or anything unexpected
            failed += 1
            suffix = "" if outcome == "Failed" else f" (outcome {outcome})"
            failed_names.append(result.get("testName", "?") + suffix)

if mode == "count-failed":
    print(failed)
    sys.exit(0)
if failed_names:
    print()
    print(f"Failed tests ({len(failed_names)}):")
    for name in failed_names:
        print(f"  FAILED {name}")
if errors:
    print()
    for error in errors:
        print(f"  ERROR {error}")
print()
summary = f"{passed} passed, {failed + len(errors)} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary, flush=True)
sys.exit(3 if failed + len(errors) else 0)
'

# Prints failed test names and the summary line; runs on every exit, also after an error.
summarize() {
    local rc=$?
    ((finished)) && return
    finished=1
    set +e
    if ((rc != 0)) && ! ((exit_expected)) && ((${#step_errors[@]} == 0)); then
        step_errors+=("test.sh stopped unexpectedly (exit $rc)")
    fi
    if [[ "${CI:-}" == true ]]; then
        dotnet build-server shutdown >/dev/null 2>&1
    fi
    local errors
    errors=$(printf '%s\n' "${step_errors[@]+"${step_errors[@]}"}")
    STEP_ERRORS="$errors" python3 -c "$trx_py" report "$results_dir"
    local py_rc=$?
    if ((py_rc == 3)); then
        exit 1
    elif ((py_rc != 0)); then
        # The summary could not be computed: still end with a well-formed, failing line.
        echo "0 passed, 1 failed"
        exit 1
    fi
}
trap summarize EXIT

# Results of an earlier run must never be counted as this run's.
rm -rf -- "$results_dir"
mkdir -p "$results_dir"

# Runs one step; on failure records it and stops (the EXIT trap prints the summary).
step() {
    local name=$1
    shift
    echo
    echo "==> $name"
    if ! "$@"; then
        step_errors+=("step failed: $name")
        exit 1
    fi
}

step "install prerequisites" ./scripts/install-prerequisites.sh
step "build solution (Release)" dotnet build VolumeDriver.sln -c Release -nologo -v minimal
step "publish driver" ./scripts/build.sh

export VOLUME_DRIVER_BINARY="$repo_root/artifacts/volume-driver"
echo
echo "==> run tests (VOLUME_DRIVER_BINARY=$VOLUME_DRIVER_BINARY)"
set +e
timeout --kill-after=2m "${TEST_TIMEOUT:-45m}" \
    dotnet test VolumeDriver.sln -c Release --no-build -nologo \
    --results-directory "$results_dir" \
    --logger "trx;LogFilePrefix=results" \
    --logger "console;verbosity=${TEST_VERBOSITY:-normal}" \
    --blame-hang-timeout 15m --blame-hang-dump-type none \
    "$@" </dev/null
test_rc=$?
set -e

trx_count=$(find "$results_dir" -name '*.trx' | wc -l)
if ((test_rc == 124 || test_rc == 137)); then
    step_errors+=("dotnet test exceeded ${TEST_TIMEOUT:-45m} and was stopped")
elif ((test_rc != 0)) && ((trx_count == 0)); then
    step_errors+=("dotnet test exited $test_rc without writing test results")
elif ((test_rc != 0)); then
    # Failing tests are counted from the TRX files; a non-zero exit with no failed test in them
    # (test host crash, blame hang abort) is recorded below by comparing counts.
    failed_in_trx=$(python3 -c "$trx_py" count-failed "$results_dir")
    if [[ "$failed_in_trx" == 0 ]]; then
        step_errors+=("dotnet test exited $test_rc but no test is recorded as failed (crash or aborted run?)")
    fi
fi

if ((test_rc != 0)); then
    exit_expected=1
    exit 1
fi
