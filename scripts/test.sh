#!/usr/bin/env bash
# Runs every test of the solution (unit, integration with real ffmpeg/RTSP/SQLite, browser) and ends with one
# total line "N passed, N failed, N skipped" for the whole suite. Exit code is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

dotnet build CameraHub.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

# Formatting (whitespace, imports, .editorconfig style) is part of the suite: `dotnet format CameraHub.sln` fixes it.
format_failed=0
if ! dotnet format whitespace CameraHub.sln --verify-no-changes >/dev/null 2>&1 \
   || ! dotnet format style CameraHub.sln --verify-no-changes --no-restore >/dev/null 2>&1; then
  echo "formatting differs from .editorconfig: run 'dotnet format CameraHub.sln'"
  format_failed=1
fi

log=$(mktemp)
# One test assembly at a time (-m:1): the live, recording and browser tests run real ffmpeg, GStreamer and Chromium,
# and on a 2-core machine four assemblies at once starve each other's cameras into missing real time.
dotnet test CameraHub.sln -c Release --no-build -nologo -m:1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each test assembly ends with "Passed!  - Failed: 0, Passed: 5, Skipped: 0, Total: 5, Duration: …".
read -r passed failed skipped < <(grep -E '^\s*(Passed|Failed)!\s+-\s+Failed:' "$log" | awk -F'[:,]' '
  { f += $2; p += $4; s += $6 } END { printf "%d %d %d\n", p, f, s }')
assemblies=$(grep -cE '^\s*(Passed|Failed)!\s+-\s+Failed:' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crash or a build error counts as a failure
if [ "$format_failed" -ne 0 ]; then failed=$((failed + 1)); status=1; fi
echo "Test assemblies run: $assemblies"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
