#!/usr/bin/env bash
# Starts CameraHub as a cluster on this machine: a private PostgreSQL (initdb under the postgres account, in
# data/cluster/postgres, on 127.0.0.1), Redis on 127.0.0.1, and N hub nodes with the demo city, all sharing one data
# directory (data/cluster/hub: the "shared storage" recordings and exports live on). Prints one line per node,
# "node NAME: URL"; SIGTERM or Ctrl-C stops everything it started, PostgreSQL and Redis included.
#
#   scripts/run-cluster.sh [--nodes N] [--base-port P] [hub arguments…]
#
# Defaults: 3 nodes on http://127.0.0.1:5081…5083. PostgreSQL listens on CAMERAHUB_CLUSTER_PG_PORT (55432), Redis on
# CAMERAHUB_CLUSTER_REDIS_PORT (56379). To use an existing PostgreSQL or Redis instead, set ConnectionStrings__CameraHub
# (an Npgsql connection string) or ConnectionStrings__Redis (host:port[,password=…]) and that engine is not started.
# CameraHub__DemoPassword and every other CameraHub__* setting pass through the environment to every node.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

NODES=3
BASE_PORT=5081
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES="${2:?--nodes needs a number}"; shift 2 ;;
    --base-port) BASE_PORT="${2:?--base-port needs a port}"; shift 2 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
[[ "$NODES" =~ ^[1-9][0-9]*$ ]] || { echo "run-cluster: --nodes must be a positive number, not '$NODES'" >&2; exit 2; }
[[ "$BASE_PORT" =~ ^[0-9]+$ ]] && (( BASE_PORT > 0 && BASE_PORT + NODES - 1 <= 65535 )) \
  || { echo "run-cluster: --base-port '$BASE_PORT' leaves no room for $NODES node(s)" >&2; exit 2; }

CLUSTER="$ROOT/data/cluster"
mkdir -p "$CLUSTER/hub" "$CLUSTER/logs"
scripts/setup.sh >"$CLUSTER/logs/setup.log" 2>&1 || { cat "$CLUSTER/logs/setup.log" >&2; exit 1; }
# The build's warnings go to its log, so that standard output is the "node NAME: URL" lines.
dotnet build src/CameraHub -c Release -nologo -v quiet >"$CLUSTER/logs/build.log" 2>&1 || { cat "$CLUSTER/logs/build.log" >&2; exit 1; }
HUB_DLL="$ROOT/src/CameraHub/bin/Release/net10.0/CameraHub.dll"
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$CLUSTER/postgres"
PG_PORT="${CAMERAHUB_CLUSTER_PG_PORT:-55432}"
REDIS_PORT="${CAMERAHUB_CLUSTER_REDIS_PORT:-56379}"
STARTED_PG=""
STARTED_REDIS=""
PIDS=()

as_postgres() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_all() {
  trap - INT TERM EXIT
  echo "run-cluster: stopping ${#PIDS[@]} node(s)…" >&2
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$STARTED_REDIS" ]]; then kill -TERM "$STARTED_REDIS" 2>/dev/null || true; wait "$STARTED_REDIS" 2>/dev/null || true; fi
  if [[ -n "$STARTED_PG" ]]; then as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true; fi
  echo "run-cluster: stopped" >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

if [[ -z "${ConnectionStrings__CameraHub:-}" ]]; then
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    mkdir -p "$PG_DIR"
    [[ "$(id -u)" == 0 ]] && chown postgres "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U camerahub -E UTF8 >"$CLUSTER/logs/initdb.log"
  fi
  [[ "$(id -u)" == 0 ]] && chown -R postgres "$PG_DIR"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  STARTED_PG=yes
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U camerahub -d postgres -tAc "select 1 from pg_database where datname='camerahub'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U camerahub -d postgres -qc "create database camerahub" >/dev/null
  fi
  export ConnectionStrings__CameraHub="Host=127.0.0.1;Port=$PG_PORT;Username=camerahub;Database=camerahub"
  echo "run-cluster: PostgreSQL on 127.0.0.1:$PG_PORT (data in $PG_DIR)" >&2
fi

if [[ -z "${ConnectionStrings__Redis:-}" ]]; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$CLUSTER/logs/redis.log" 2>&1 &
  STARTED_REDIS=$!
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
  echo "run-cluster: Redis on 127.0.0.1:$REDIS_PORT" >&2
fi

export CameraHub__Database__Provider=PostgreSql
export CameraHub__Demo="${CameraHub__Demo:-true}"
export CameraHub__DataDirectory="$CLUSTER/hub"

start_node() { # name port
  local url="http://127.0.0.1:$2"
  CameraHub__Node__Name="$1" CameraHub__Node__PublicUrl="$url" ASPNETCORE_URLS="$url" \
    dotnet "$HUB_DLL" "${EXTRA[@]}" >"$CLUSTER/logs/$1.log" 2>&1 &
  PIDS+=($!)
}

wait_ready() { # name port pid
  for _ in $(seq 1 600); do
    curl -s -o /dev/null "http://127.0.0.1:$2/healthz" && return 0
    kill -0 "$3" 2>/dev/null || { echo "run-cluster: node $1 exited; see $CLUSTER/logs/$1.log" >&2; tail -20 "$CLUSTER/logs/$1.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "run-cluster: node $1 did not answer within 120 s; see $CLUSTER/logs/$1.log" >&2
  exit 1
}

# The first node migrates the database and loads the demo city alone; the others join a prepared database.
start_node "hub-1" "$BASE_PORT"
wait_ready "hub-1" "$BASE_PORT" "${PIDS[0]}"
for i in $(seq 2 "$NODES"); do start_node "hub-$i" $((BASE_PORT + i - 1)); done
for i in $(seq 2 "$NODES"); do wait_ready "hub-$i" $((BASE_PORT + i - 1)) "${PIDS[$((i - 1))]}"; done

for i in $(seq 1 "$NODES"); do echo "node hub-$i: http://127.0.0.1:$((BASE_PORT + i - 1))"; done
if [[ -f "$CLUSTER/hub/demo-password.txt" && -z "${CameraHub__DemoPassword:-}" ]]; then
  echo "run-cluster: demo users' password: $(cat "$CLUSTER/hub/demo-password.txt")  (logs in $CLUSTER/logs)" >&2
else
  echo "run-cluster: logs in $CLUSTER/logs" >&2
fi

# Runs until a node exits or we are told to stop.
wait -n "${PIDS[@]}" || true
echo "run-cluster: a node exited; see $CLUSTER/logs" >&2
