#!/usr/bin/env bash
# The project's one test command (README and CI): installs tools, starts the real services, builds the
# solution, runs the .NET tests and the Node client tests, stops the services, and exits non-zero if anything
# failed. Set TUS_KEEP_SERVICES=1 to leave the services running afterwards.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG_PREFIX=test
# shellcheck source=lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
cd "$REPO_ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

STEP_NAMES=()
STEP_RESULTS=()
CURRENT_STEP=
SERVICES_STARTED=0
# Test runners' output is kept here too, so the summary can add up what every runner counted.
RUNNER_LOG=$(mktemp)

record() {
  STEP_NAMES+=("$1")
  STEP_RESULTS+=("$2")
}

# Runs one step, records its outcome and never aborts the script, so later steps still run and report.
run_step() {
  local name=$1 started=$SECONDS status=0
  shift
  log "=== $name: $*"
  CURRENT_STEP=$name
  "$@" || status=$?
  CURRENT_STEP=
  if ((status == 0)); then
    record "$name" "passed ($((SECONDS - started))s)"
  else
    record "$name" "FAILED (exit $status, $((SECONDS - started))s)"
  fi
  return "$status"
}

# Runs a test runner with its output both shown and kept for the summary; keeps the runner's exit status.
run_logged() {
  "$@" 2>&1 | tee -a "$RUNNER_LOG"
}

# One line with the totals of xunit ("Failed: F, Passed: P") and node's runner ("ℹ pass P" / "ℹ fail F").
print_totals() {
  awk '
    /^(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
      line = $0
      sub(/.*Failed: +/, "", line); failed += line + 0
      line = $0
      sub(/.*Passed: +/, "", line); passed += line + 0
    }
    /^ℹ pass [0-9]+$/ { passed += $3 }
    /^ℹ fail [0-9]+$/ { failed += $3 }
    END { printf "tests: %d passed, %d failed\n", passed, failed }
  ' "$RUNNER_LOG"
}

print_summary() {
  local status=$1 i
  echo
  echo '================ test summary ================'
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-16s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}"
  done
  if ((status == 0)); then
    echo '  RESULT: PASSED'
  else
    echo "  RESULT: FAILED (exit $status)"
  fi
  echo '=============================================='
  print_totals
  rm -f "$RUNNER_LOG"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $CURRENT_STEP ]]; then
    record "$CURRENT_STEP" 'INTERRUPTED'
  fi
  if ((SERVICES_STARTED)) && [[ -z ${TUS_KEEP_SERVICES:-} ]]; then
    bash scripts/services.sh stop || log "some services did not stop cleanly"
    bash scripts/services.sh purge || log "PostgreSQL's data under /tmp could not be removed"
  fi
  print_summary "$status"
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

run_step tools bash scripts/test-tools.sh || exit 1

SERVICES_STARTED=1
run_step services bash scripts/services.sh start || exit 1
eval "$(bash scripts/services.sh env)"

failed=0
built=0
if run_step build dotnet build TusUpload.sln -c Release; then
  built=1
  run_step 'dotnet test' run_logged dotnet test TusUpload.sln -c Release --no-build --blame-hang-timeout 10m || failed=1
else
  failed=1
  record 'dotnet test' 'not run (build failed)'
fi

# The client tests drive the server that the build produced, so a failed build leaves nothing to test.
if [[ ! -f tests/clients/package.json ]]; then
  record 'client tests' 'none (no tests/clients/package.json)'
elif ((built)); then
  run_step 'client tests' run_logged npm test --prefix tests/clients || failed=1
else
  record 'client tests' 'not run (build failed)'
fi

exit "$failed"
