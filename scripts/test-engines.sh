# Sourced by scripts/test.sh (and usable by other scripts): starts a private PostgreSQL 15 and Redis for the tests on
# free 127.0.0.1 ports under a temp directory, exports their addresses, and stops and removes them on exit.
#   $test_postgres           a connection string of a role that may create databases; give it to a test run as
#                            CAMERAHUB_TEST_POSTGRES (tests/Shared/ClusterEngines.cs: each hub creates a database of its own)
#   CAMERAHUB_TEST_REDIS     host:port of the Redis server (exported)
# PostgreSQL refuses to run as root: as root the cluster belongs to the 'postgres' account (runuser).

engines_dir=""
engines_pg_ctl=""

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_test_engines() {
  [ -n "$engines_dir" ] || return 0
  if [ -n "$engines_pg_ctl" ]; then
    as_postgres "$engines_pg_ctl" -D "$engines_dir/pg/data" stop -m fast >/dev/null 2>&1 || true
  fi
  if [ -f "$engines_dir/redis.pid" ]; then
    kill "$(cat "$engines_dir/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$engines_dir"
  engines_dir=""
}

start_test_engines() {
  local bin=/usr/lib/postgresql/15/bin pg_port redis_port
  [ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed (scripts/setup.sh installs it)" >&2; return 1; }
  command -v redis-server >/dev/null || { echo "redis-server is not installed (scripts/setup.sh installs it)" >&2; return 1; }
  engines_dir=$(mktemp -d /tmp/camerahub-engines-XXXXXX)
  chmod 755 "$engines_dir"
  mkdir -p "$engines_dir/pg"
  [ "$(id -u)" -ne 0 ] || chown postgres "$engines_dir/pg"
  pg_port=$(free_port)
  as_postgres "$bin/initdb" -D "$engines_dir/pg/data" -A trust -U camerahub >"$engines_dir/pg/initdb.log" 2>&1 \
    || { cat "$engines_dir/pg/initdb.log" >&2; return 1; }
  # fsync off: a test server's data is thrown away; many hubs at once need more than the default 100 connections.
  as_postgres "$bin/pg_ctl" -D "$engines_dir/pg/data" -l "$engines_dir/pg/log" -w \
    -o "-p $pg_port -k $engines_dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null || { cat "$engines_dir/pg/log" >&2; return 1; }
  engines_pg_ctl="$bin/pg_ctl"
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$engines_dir/redis.pid" --logfile "$engines_dir/redis.log" >/dev/null || return 1
  test_postgres="Host=127.0.0.1;Port=$pg_port;Username=camerahub;Database=postgres;Maximum Pool Size=20"
  export CAMERAHUB_TEST_REDIS="127.0.0.1:$redis_port"
  echo "Test engines: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (under $engines_dir)"
}
