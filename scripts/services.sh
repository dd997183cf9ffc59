#!/usr/bin/env bash
# Starts, stops and describes the real services the tests run against: PostgreSQL, RabbitMQ, clamd and an S3
# server (moto). Each runs as a plain process bound to 127.0.0.1, with all of its state under one directory.
#
#   scripts/services.sh start [postgres|rabbitmq|clamav|s3 ...]   (default: all; already running is fine)
#   scripts/services.sh stop [names ...]
#   scripts/services.sh purge      (removes stopped PostgreSQL data kept under /tmp for this state dir)
#   scripts/services.sh status
#   scripts/services.sh env        (prints export lines for the running services, unset for the others:
#                                   eval "$(scripts/services.sh env)")
#
# Settings (environment): TUS_SERVICES_DIR (state, default <repo>/.services), TUS_POSTGRES_PORT (54329),
# TUS_RABBITMQ_PORT (56729), TUS_RABBITMQ_DIST_PORT (56730), TUS_RABBITMQ_EPMD_PORT (56731),
# TUS_RABBITMQ_PROMETHEUS_PORT (56732), TUS_RABBITMQ_CTL_PORT (56733, range of 5 for the CLI),
# TUS_CLAMD_PORT (33109), TUS_S3_PORT (50509), TUS_SERVICES_TIMEOUT (seconds to wait for ready, 120).
# The services belong to the state dir, not to a shell: everyone using the same working tree shares them, and
# `stop` stops them for all. Use another TUS_SERVICES_DIR and other ports for a private set.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG_PREFIX=services
# shellcheck source=lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

STATE_DIR=${TUS_SERVICES_DIR:-$REPO_ROOT/.services}
POSTGRES_PORT=${TUS_POSTGRES_PORT:-54329}
RABBITMQ_PORT=${TUS_RABBITMQ_PORT:-56729}
RABBITMQ_DIST_PORT=${TUS_RABBITMQ_DIST_PORT:-56730}
RABBITMQ_EPMD_PORT=${TUS_RABBITMQ_EPMD_PORT:-56731}
RABBITMQ_PROMETHEUS_PORT=${TUS_RABBITMQ_PROMETHEUS_PORT:-56732}
RABBITMQ_CTL_PORT=${TUS_RABBITMQ_CTL_PORT:-56733}
CLAMD_PORT=${TUS_CLAMD_PORT:-33109}
S3_PORT=${TUS_S3_PORT:-50509}
READY_TIMEOUT=${TUS_SERVICES_TIMEOUT:-120}

ALL_SERVICES=(postgres rabbitmq clamav s3)

# --- PostgreSQL -------------------------------------------------------------------------------------------

postgres_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/pg_ctl ]] || return 1
  printf '%s\n' "$dir"
}

# The server refuses to run as root, so as root it runs as the postgres user; otherwise as the caller.
as_postgres() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# PostgreSQL runs as the postgres user, which cannot enter a clone inside a private folder (mktemp -d makes
# 0700 folders). Its data then lives under /tmp in a folder named after the state dir, so that start, stop and
# status always agree on where it is.
postgres_dir() {
  mkdir -p "$STATE_DIR"
  if ((EUID == 0)) && ! (cd / && runuser -u postgres -- test -x "$STATE_DIR") 2>/dev/null; then
    printf '/tmp/tusupload-postgres-%s\n' "$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"
  else
    printf '%s\n' "$STATE_DIR/postgres"
  fi
}

postgres_start() {
  local dir bin
  dir=$(postgres_dir)
  bin=$(postgres_bin) || { ensure_packages postgresql; bin=$(postgres_bin) || die "PostgreSQL binaries not found"; }

  if [[ -f $dir/data/PG_VERSION ]] && as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    log "postgres already running on 127.0.0.1:$POSTGRES_PORT"
    return 0
  fi

  mkdir -p "$dir"
  if ((EUID == 0)); then
    chown postgres: "$dir"
    chmod 700 "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "user postgres cannot write $dir; a parent directory is not searchable by it (set TUS_SERVICES_DIR)"
  fi
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    log "initdb in $dir/data"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N \
      >"$dir/initdb.log" 2>&1 || { print_log_tail "$dir/initdb.log"; die "initdb failed"; }
    # The database is made before the server first listens: created after the start, it left a moment in which a
    # client already waiting for the port (a worker's start-up wait) got "database does not exist" and gave up.
    printf 'CREATE DATABASE tusupload\n' | as_postgres "$bin/postgres" --single -D "$dir/data" postgres \
      >>"$dir/initdb.log" 2>&1 || { print_log_tail "$dir/initdb.log"; die "could not create database tusupload"; }
  fi

  log "starting postgres on 127.0.0.1:$POSTGRES_PORT"
  if ! as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$READY_TIMEOUT" \
    -o "-c listen_addresses=127.0.0.1 -c port=$POSTGRES_PORT -c unix_socket_directories=$dir" \
    start >/dev/null; then
    print_log_tail "$dir/postgres.log"
    die "postgres did not become ready within ${READY_TIMEOUT}s"
  fi

  local psql=("$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [[ $(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'tusupload'") != 1 ]]; then
    as_postgres "${psql[@]}" -c 'CREATE DATABASE tusupload' || die "could not create database tusupload"
  fi
}

postgres_stop() {
  local dir bin
  dir=$(postgres_dir)
  bin=$(postgres_bin) || return 0
  [[ -f $dir/data/PG_VERSION ]] || return 0
  as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 0

  log "stopping postgres"
  if ! as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null; then
    local pid
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    terminate_pid "$pid" 20 || die "postgres (pid $pid) did not stop"
  fi
}

# Removes PostgreSQL's data when it lives outside the state dir (under /tmp, see postgres_dir) and the server is
# stopped. Nothing else would: a test run from a temporary clone left 64 MB there each time, the clone long gone.
postgres_purge() {
  local dir
  dir=$(postgres_dir)
  [[ $dir == /tmp/tusupload-postgres-* && -d $dir ]] || return 0
  if postgres_running; then
    log "postgres is running; its data in $dir stays"
    return 0
  fi

  log "removing postgres data in $dir"
  rm -rf -- "$dir"
}

postgres_running() {
  local dir bin
  dir=$(postgres_dir)
  bin=$(postgres_bin) || return 1
  [[ -f $dir/data/PG_VERSION ]] || return 1
  as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# --- RabbitMQ ---------------------------------------------------------------------------------------------

RABBITMQ_NODE=tusupload@localhost

# Everything the broker and its CLI need to find this node and keep it on loopback: the Erlang port mapper
# (epmd) on its own port bound to 127.0.0.1, and the CLI's own distribution listener on loopback too.
rabbitmq_env() {
  local dir=$STATE_DIR/rabbitmq
  env HOME="$dir" \
    RABBITMQ_NODENAME="$RABBITMQ_NODE" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT" \
    RABBITMQ_CTL_DIST_PORT_MIN="$RABBITMQ_CTL_PORT" \
    RABBITMQ_CTL_DIST_PORT_MAX="$((RABBITMQ_CTL_PORT + 4))" \
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT" \
    "$@"
}

rabbitmq_running() {
  live_pid_from_file "$STATE_DIR/rabbitmq/rabbitmq.pid" beam >/dev/null
}

rabbitmq_start() {
  local dir=$STATE_DIR/rabbitmq bin=/usr/lib/rabbitmq/bin
  [[ -x $bin/rabbitmq-server ]] || ensure_packages rabbitmq-server

  if rabbitmq_running; then
    log "rabbitmq already running on 127.0.0.1:$RABBITMQ_PORT"
    return 0
  fi

  mkdir -p "$dir/log" "$dir/mnesia"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
distribution.listener.interface = 127.0.0.1
distribution.listener.port_range.min = $RABBITMQ_DIST_PORT
distribution.listener.port_range.max = $RABBITMQ_DIST_PORT
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $RABBITMQ_PROMETHEUS_PORT
loopback_users.guest = true
EOF
  echo '[rabbitmq_prometheus].' >"$dir/enabled_plugins"

  # A broker stopped a moment ago can leave its ports in TIME_WAIT, and the VM then dies at boot with eaddrinuse
  # (seen on the Prometheus port). That passes within a minute, so such a boot is retried; any other failure is not.
  local attempt node_log=$dir/log/$RABBITMQ_NODE.log logged
  for attempt in 1 2 3 4; do
    logged=$(stat -c %s "$node_log" 2>/dev/null || echo 0)
    if rabbitmq_boot "$dir" "$bin"; then
      return 0
    fi
    # Only what this boot logged counts: an earlier boot's eaddrinuse must not make a different failure retried.
    if ((attempt == 4)) || ! tail -c "+$((logged + 1))" "$node_log" 2>/dev/null | grep -q eaddrinuse; then
      print_log_tail "$dir/wait.log"
      print_log_tail "$node_log"
      die "rabbitmq did not become ready within ${READY_TIMEOUT}s"
    fi
    log "rabbitmq found one of its ports still in use (eaddrinuse); retrying in 15s"
    sleep 15
  done
}

# One boot of the broker: true once it answers, false when it did not come up (its logs say why).
rabbitmq_boot() {
  local dir=$1 bin=$2
  rm -f "$dir/rabbitmq.pid"

  log "starting rabbitmq on 127.0.0.1:$RABBITMQ_PORT"
  rabbitmq_env "$bin/rabbitmq-server" -detached >"$dir/start.log" 2>&1 || {
    print_log_tail "$dir/start.log"
    die "rabbitmq-server did not start"
  }

  # rabbitmqctl wait needs the pid file, which the VM writes a moment after -detached returns.
  local deadline=$((SECONDS + 30))
  until [[ -s $dir/rabbitmq.pid ]]; do
    if ((SECONDS >= deadline)); then
      print_log_tail "$dir/start.log"
      die "rabbitmq wrote no pid file within 30s"
    fi
    sleep 0.2
  done
  rabbitmq_env timeout "$((READY_TIMEOUT + 10))" "$bin/rabbitmqctl" -n "$RABBITMQ_NODE" \
    wait --timeout "$READY_TIMEOUT" "$dir/rabbitmq.pid" >"$dir/wait.log" 2>&1
}

rabbitmq_stop() {
  local dir=$STATE_DIR/rabbitmq bin=/usr/lib/rabbitmq/bin pid
  if pid=$(live_pid_from_file "$dir/rabbitmq.pid" beam); then
    log "stopping rabbitmq"
    rabbitmq_env timeout 90 "$bin/rabbitmqctl" -n "$RABBITMQ_NODE" stop "$dir/rabbitmq.pid" \
      >"$dir/stop.log" 2>&1 || log "rabbitmqctl stop failed; terminating pid $pid"
    terminate_pid "$pid" 30 || die "rabbitmq (pid $pid) did not stop"
  fi

  # The broker leaves its port mapper running; it serves only this node's port, so end it as well.
  if [[ -x /usr/bin/epmd ]] && port_open "$RABBITMQ_EPMD_PORT"; then
    ERL_EPMD_PORT=$RABBITMQ_EPMD_PORT timeout 10 /usr/bin/epmd -port "$RABBITMQ_EPMD_PORT" -kill >/dev/null 2>&1 ||
      log "could not stop epmd on port $RABBITMQ_EPMD_PORT"
  fi
}

# --- ClamAV (clamd) ---------------------------------------------------------------------------------------

CLAMD_TEST_EXE=/usr/share/clamav-testfiles/clam.exe

clamd_running() {
  live_pid_from_file "$STATE_DIR/clamav/clamd.pid" clamd >/dev/null
}

clamd_ping() {
  local reply
  reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CLAMD_PORT; printf 'zPING\\0' >&3; tr -d '\\0' <&3" \
    2>/dev/null) || return 1
  [[ $reply == PONG ]]
}

# A system clamd or freshclam started by the package would only waste memory and, for freshclam, retry
# downloads forever; this project never uses them.
stop_system_clamav() {
  local service
  for service in clamav-daemon clamav-freshclam; do
    if [[ -x /etc/init.d/$service ]] && service "$service" status >/dev/null 2>&1; then
      log "stopping the system $service service"
      service "$service" stop >/dev/null 2>&1 || log "could not stop the system $service service"
    fi
  done
}

clamav_start() {
  local dir=$STATE_DIR/clamav
  ensure_packages clamav-daemon clamav-testfiles
  stop_system_clamav

  if clamd_running; then
    log "clamd already running on 127.0.0.1:$CLAMD_PORT"
    return 0
  fi

  mkdir -p "$dir/db"
  cp "$REPO_ROOT/scripts/clamav/test-signatures.ndb" "$dir/db/"
  # MD5 signature for the package's harmless test executable; clamd then finds it inside clam.zip and the
  # package's other archives too.
  printf '%s:%s:Tus.Test.ClamExe\n' "$(md5sum "$CLAMD_TEST_EXE" | cut -d' ' -f1)" "$(stat -c %s "$CLAMD_TEST_EXE")" \
    >"$dir/db/test-files.hdb"
  cat >"$dir/clamd.conf" <<EOF
TCPSocket $CLAMD_PORT
TCPAddr 127.0.0.1
Foreground yes
DatabaseDirectory $dir/db
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
LogTime yes
LogVerbose no
StreamMaxLength 100M
MaxThreads 8
ReadTimeout 30
CommandReadTimeout 10
SelfCheck 3600
ConcurrentDatabaseReload no
# Content nested deeper than MaxRecursion, or larger than MaxFileSize or MaxScanSize, is only partly scanned;
# without this clamd answers OK for it. With it clamd answers FOUND Heuristics.Limits.Exceeded.*, so the worker
# quarantines what it could not fully scan. HeuristicAlerts (on by default) must stay on for this alert.
AlertExceedsMax yes
HeuristicAlerts yes
EOF
  rm -f "$dir/clamd.pid"

  # clamd loads its signatures before it binds, so a clamd of another checkout on this port answered the PING
  # below while ours died on the taken port: refuse a port that answers already.
  if clamd_ping; then
    die "something else already answers clamd's PING on 127.0.0.1:$CLAMD_PORT; set TUS_CLAMD_PORT to a free port"
  fi

  log "starting clamd on 127.0.0.1:$CLAMD_PORT"
  # clamd runs in the foreground of its own session, not daemonised: its daemonising parent sometimes exited
  # non-zero with no message although the daemon came up, so readiness is judged by PING alone.
  setsid clamd --config-file="$dir/clamd.conf" </dev/null >"$dir/start.log" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" >"$dir/clamd.pid"

  local deadline=$((SECONDS + READY_TIMEOUT))
  until clamd_ping; do
    if ! pid_alive "$pid" || ((SECONDS >= deadline)); then
      print_log_tail "$dir/start.log"
      print_log_tail "$dir/clamd.log"
      kill "$pid" 2>/dev/null || true
      die "clamd did not answer PING within ${READY_TIMEOUT}s"
    fi
    sleep 0.3
  done
}

clamav_stop() {
  local pid
  pid=$(live_pid_from_file "$STATE_DIR/clamav/clamd.pid" clamd) || return 0
  log "stopping clamd"
  terminate_pid "$pid" 20 || die "clamd (pid $pid) did not stop"
}

# --- S3 (moto) --------------------------------------------------------------------------------------------

# moto keeps buckets and objects in memory: `stop s3` (or a crash) loses all of them, so a restart cannot stand in
# for an S3 outage that the data survives. Tests of S3 outages point the store at a failing server of their own.

moto_command() {
  if command -v moto_server >/dev/null 2>&1; then
    command -v moto_server
  elif [[ -x $HOME/.pyenv/shims/moto_server ]]; then
    printf '%s\n' "$HOME/.pyenv/shims/moto_server"
  else
    return 1
  fi
}

s3_running() {
  live_pid_from_file "$STATE_DIR/s3/moto.pid" moto >/dev/null
}

s3_start() {
  local dir=$STATE_DIR/s3 moto
  if ! moto=$(moto_command); then
    log "moto_server is missing; installing moto[server]==5.2.1 with pip"
    python3 -m pip install --quiet 'moto[server]==5.2.1' >&2 ||
      die "could not install moto[server]==5.2.1 with pip (is PyPI reachable?); install it and retry"
    moto=$(moto_command) || die "moto_server is still not on PATH after pip install"
  fi

  if s3_running; then
    log "moto already running on 127.0.0.1:$S3_PORT"
    return 0
  fi
  if port_open "$S3_PORT"; then
    die "127.0.0.1:$S3_PORT is taken by another process; set TUS_S3_PORT"
  fi

  mkdir -p "$dir"
  log "starting moto on 127.0.0.1:$S3_PORT"
  # setsid: the server must outlive this script and not receive the terminal's CTRL-C meant for the tests.
  setsid "$moto" -H 127.0.0.1 -p "$S3_PORT" </dev/null >"$dir/moto.log" 2>&1 &
  echo $! >"$dir/moto.pid"

  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/"; do
    if ((SECONDS >= deadline)) || ! pid_alive "$(cat "$dir/moto.pid")"; then
      print_log_tail "$dir/moto.log"
      die "moto did not become ready within ${READY_TIMEOUT}s"
    fi
    sleep 0.3
  done
}

s3_stop() {
  local pid
  pid=$(live_pid_from_file "$STATE_DIR/s3/moto.pid" moto) || return 0
  log "stopping moto"
  terminate_pid "$pid" 15 || die "moto (pid $pid) did not stop"
}

# --- Commands ---------------------------------------------------------------------------------------------

# Sets NAMES to the canonical names of the requested services (all when none are given).
resolve_names() {
  NAMES=()
  (($# > 0)) || set -- "${ALL_SERVICES[@]}"
  local name
  for name in "$@"; do
    case $name in
      postgres | rabbitmq | clamav | s3) NAMES+=("$name") ;;
      clamd) NAMES+=(clamav) ;;
      moto) NAMES+=(s3) ;;
      *) die "unknown service '$name' (known: ${ALL_SERVICES[*]})" ;;
    esac
  done
}

service_running() {
  case $1 in
    postgres) postgres_running ;;
    rabbitmq) rabbitmq_running ;;
    clamav) clamd_running && clamd_ping ;;
    s3) s3_running ;;
  esac
}

service_endpoint() {
  case $1 in
    postgres) printf '127.0.0.1:%s' "$POSTGRES_PORT" ;;
    rabbitmq) printf '127.0.0.1:%s (prometheus :%s)' "$RABBITMQ_PORT" "$RABBITMQ_PROMETHEUS_PORT" ;;
    clamav) printf '127.0.0.1:%s' "$CLAMD_PORT" ;;
    s3) printf 'http://127.0.0.1:%s' "$S3_PORT" ;;
  esac
}

command_start() {
  local name
  resolve_names "$@"
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  for name in "${NAMES[@]}"; do
    "${name}_start"
  done
  log "ready: ${NAMES[*]} (state in $STATE_DIR)"
}

command_stop() {
  local name failed=0
  resolve_names "$@"
  # Stop every service even if one of them fails to stop; report at the end.
  for name in "${NAMES[@]}"; do
    ("${name}_stop") || failed=1
  done
  ((failed == 0)) || die "some services did not stop"
}

command_status() {
  local name all_running=0
  for name in "${ALL_SERVICES[@]}"; do
    if service_running "$name"; then
      printf '%-9s running  %s\n' "$name" "$(service_endpoint "$name")"
    else
      printf '%-9s stopped\n' "$name"
      all_running=3
    fi
  done
  return "$all_running"
}

command_env() {
  # Only the services running from this state dir are named: with a private TUS_SERVICES_DIR, the default ports
  # may be another working tree's services, and a test must fail on a missing variable rather than use those.
  env_line() { if service_running "$1"; then echo "export $2='$3'"; else echo "unset $2"; fi; }
  env_line postgres TUS_TEST_POSTGRES "Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=tusupload"
  env_line rabbitmq TUS_TEST_RABBITMQ "amqp://guest:guest@127.0.0.1:$RABBITMQ_PORT/"
  env_line rabbitmq TUS_TEST_RABBITMQ_PROMETHEUS "http://127.0.0.1:$RABBITMQ_PROMETHEUS_PORT/metrics"
  env_line clamav TUS_TEST_CLAMD "127.0.0.1:$CLAMD_PORT"
  env_line s3 TUS_TEST_S3 "http://127.0.0.1:$S3_PORT"
}

main() {
  local command=${1:-}
  (($# > 0)) && shift
  case $command in
    start) command_start "$@" ;;
    stop) command_stop "$@" ;;
    purge) postgres_purge ;;
    status) command_status ;;
    env) command_env ;;
    *)
      echo "usage: $0 {start|stop} [postgres|rabbitmq|clamav|s3 ...] | purge | status | env" >&2
      exit 2
      ;;
  esac
}

main "$@"
