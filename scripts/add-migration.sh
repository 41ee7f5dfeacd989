#!/usr/bin/env bash
# Adds an EF Core migration for BOTH database engines: the SQLite one (the context itself) and the PostgreSQL one
# (its Postgres* subclass with its own migrations folder), so the two schemas never drift apart.
#   scripts/add-migration.sh NAME CONTEXT          e.g. scripts/add-migration.sh CameraTags Registry
#   scripts/add-migration.sh --postgres-only NAME CONTEXT   the SQLite migration exists already (merged from a branch)
# CONTEXT: Registry, Access, Care, Recording, Alarms, Masking or Cluster (or the class name, e.g. AccessDbContext).
set -euo pipefail
cd "$(dirname "$0")/.."

sqlite=1
if [ "${1:-}" = "--postgres-only" ]; then
  sqlite=0
  shift
fi
if [ $# -ne 2 ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
name="$1"
context="${2%DbContext}"

case "$context" in
  Registry)  project=src/CameraRegistry; sqlite_dir=Persistence/Migrations;       postgres_dir=Persistence/PostgresMigrations/Registry ;;
  Access)    project=src/CameraRegistry; sqlite_dir=Persistence/AccessMigrations; postgres_dir=Persistence/PostgresMigrations/Access ;;
  Care)      project=src/CameraRegistry; sqlite_dir=Care/Migrations;              postgres_dir=Care/PostgresMigrations ;;
  Recording) project=src/StreamBroker;   sqlite_dir=Recording/Migrations;         postgres_dir=Recording/PostgresMigrations ;;
  Alarms)    project=src/StreamBroker;   sqlite_dir=Alarms/Migrations;            postgres_dir=Alarms/PostgresMigrations ;;
  Masking)   project=src/Masking;        sqlite_dir=Persistence/Migrations;       postgres_dir=Persistence/PostgresMigrations ;;
  Cluster)   project=src/CameraHub;      sqlite_dir=Cluster/Migrations;           postgres_dir=Cluster/PostgresMigrations ;;
  *) echo "unknown context '$2': use Registry, Access, Care, Recording, Alarms, Masking or Cluster" >&2; exit 2 ;;
esac

dotnet tool restore >/dev/null
dotnet build "$project" -c Release -nologo -v quiet
ef=(dotnet ef migrations add "$name" --project "$project" --configuration Release --no-build)
if [ "$sqlite" -eq 1 ]; then
  "${ef[@]}" --context "${context}DbContext" --output-dir "$sqlite_dir"
fi
"${ef[@]}" --context "Postgres${context}DbContext" --output-dir "$postgres_dir"
echo "Added $name to $project: PostgreSQL in $postgres_dir$( [ "$sqlite" -eq 1 ] && echo ", SQLite in $sqlite_dir")"
echo "Raw SQL (triggers, views) is engine-specific: write each migration's by hand, and check both with scripts/test.sh."
