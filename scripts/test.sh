#!/usr/bin/env bash
# Runs every test of the solution (unit, integration with real ffmpeg/RTSP/SQLite, browser) on SQLite, then the
# classes whose behaviour depends on the database engine again on PostgreSQL, and ends with one total line
# "N passed, N failed, N skipped" for both passes. Exit code is non-zero when anything failed.
# The script starts its own PostgreSQL and Redis on free 127.0.0.1 ports (scripts/test-engines.sh) and stops and
# removes them at the end, however it ends. Extra arguments go to every `dotnet test` run.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
. scripts/test-engines.sh
trap stop_test_engines EXIT
trap 'exit 130' INT TERM

dotnet build CameraHub.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

# Formatting (whitespace, imports, .editorconfig style) is part of the suite: `dotnet format CameraHub.sln` fixes it.
format_failed=0
if ! dotnet format whitespace CameraHub.sln --verify-no-changes >/dev/null 2>&1 \
   || ! dotnet format style CameraHub.sln --verify-no-changes --no-restore >/dev/null 2>&1; then
  echo "formatting differs from .editorconfig: run 'dotnet format CameraHub.sln'"
  format_failed=1
fi

log=$(mktemp)
status=0
start_test_engines || { echo "0 passed, 1 failed"; exit 1; }
# Both passes share the engines: the cluster tests (three real hubs on PostgreSQL and Redis) and the PostgreSQL pass
# create a database of their own on this server per hub, and a Redis channel prefix per cluster.
export CAMERAHUB_TEST_POSTGRES="$test_postgres"

# Pass 1, SQLite (the embedded default). One test assembly at a time (-m:1): the live, recording and browser tests run
# real ffmpeg, GStreamer and Chromium, and on a 2-core machine four assemblies at once starve each other's cameras
# into missing real time.
echo "== pass 1: SQLite"
pass_start=$SECONDS
dotnet test CameraHub.sln -c Release --no-build -nologo -m:1 "$@" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "== pass 1 took $((SECONDS - pass_start)) s"

# Pass 2, PostgreSQL (CAMERAHUB_TEST_DATABASE=PostgreSql: every test hub of the run gets a fresh PostgreSQL database).
# The rule: a class runs again here when its behaviour depends on the database engine, i.e. it starts a hub or opens
# a DbContext; pure unit tests that never touch a database (ONVIF parsing, pixel maths, the media broker, the masker
# on files) do not, since they would only repeat pass 1. So: CameraHub.Tests (nearly every class starts the hub),
# CameraRegistry.Tests (every class on RegistryDatabase or the care planner's database), the Masking.Tests classes on
# MaskingHost, and StreamBroker.Tests' recording classes (RecordingHost). Left out:
#   - Database=SqliteFile: tests that edit the SQLite file itself (dropping triggers, rewriting rows with sqlite3) or
#     read the key ring's files; their PostgreSQL counterparts are AuditChainPostgresTests (triggers, the hub role of
#     scripts/postgres-roles.sql) and SharedKeyRingPostgresTests (the ring in the database).
#   - CameraHub.Tests.Cluster and the *PostgresTests classes: they run on PostgreSQL already, in pass 1.
echo "== pass 2: PostgreSQL"
pass_start=$SECONDS
postgres_pass=(
  "tests/CameraHub.Tests/CameraHub.Tests.csproj|Database!=SqliteFile&FullyQualifiedName!~CameraHub.Tests.Cluster.&FullyQualifiedName!~PostgresTests"
  "tests/CameraRegistry.Tests/CameraRegistry.Tests.csproj|FullyQualifiedName~CameraRegistry.Tests"
  "tests/Masking.Tests/Masking.Tests.csproj|FullyQualifiedName~EvidenceProducerTests|FullyQualifiedName~FeedMasksTests|FullyQualifiedName~MaskEndpointTests"
  "tests/StreamBroker.Tests/StreamBroker.Tests.csproj|FullyQualifiedName~.Recording."
)
for entry in "${postgres_pass[@]}"; do
  CAMERAHUB_TEST_DATABASE=PostgreSql dotnet test "${entry%%|*}" -c Release --no-build -nologo --filter "${entry#*|}" "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
echo "== pass 2 took $((SECONDS - pass_start)) s"
stop_test_engines

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
