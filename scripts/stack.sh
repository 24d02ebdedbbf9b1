#!/usr/bin/env bash
# The local stack: Apache Kafka (KRaft, one broker, jars from Maven Central), PostgreSQL,
# MariaDB and Redis (Debian packages), each with a data directory and port of its own under
# .local/ — never the system's default clusters or ports.
#
#   scripts/stack.sh up       install what is missing, start what is not running (idempotent)
#   scripts/stack.sh stop     stop everything this script started
#   scripts/stack.sh status   what runs where (and how often each Node service was restarted)
#   scripts/stack.sh stop-apps  stop only the Node services started by npm start (and their supervisors)
#   scripts/stack.sh pid NAME   a server's or Node service's main pid (tests kill -9 it)
#   scripts/stack.sh cluster …  a three-broker Kafka cluster beside it (scripts/kafka/cluster.sh)
#
# npm start runs the Node services under scripts/supervise.sh, which restarts a crashed one with
# backoff: run/<name>.pid is the service's pid, run/<name>.supervisor its supervisor's,
# run/<name>.restarts the restart count and last exit. `stop` stops the supervisors first.
#
# Every port and version can be overridden by the environment variables read below.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${PIPELINE_STATE_DIR:-$ROOT/.local}
LOGS=$STATE/logs
RUN=$STATE/run
CACHE=${PIPELINE_CACHE_DIR:-$STATE/cache}

KAFKA_VERSION=${KAFKA_VERSION:-3.9.1}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
PG_PORT=${PG_PORT:-55432}
PG_USER=${PG_USER:-admin}
PG_PASSWORD=${PG_PASSWORD:-admin}
PG_DATABASE=${PG_DATABASE:-aurore_events}
MYSQL_PORT=${MYSQL_PORT:-33306}
MYSQL_USER=${MYSQL_USER:-forecap_user}
MYSQL_PASSWORD=${MYSQL_PASSWORD:-forecap_pass}
MYSQL_DATABASE=${MYSQL_DATABASE:-forecap_db}
REDIS_PORT=${REDIS_PORT:-56379}
# The read model at the old system's scale (10 M generated users: 1.4 GB of rows) is served from
# memory: with 1G, a cache miss for a user of the long tail read its InnoDB page from disk (the
# realistic scenario at saturation: 4.7k requests/s with 1G, 7.4k with 2G holding the table, one
# session). A smaller pool works, more slowly; the pool's memory is taken as it fills.
MYSQL_BUFFER_POOL=${MYSQL_BUFFER_POOL:-2G}
# A cache, bounded: the least recently used entries go first (the hot users stay).
REDIS_MAXMEMORY=${REDIS_MAXMEMORY:-512mb}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
REGISTRY_PORT=${REGISTRY_PORT:-8085}
APICURIO_VERSION=${APICURIO_VERSION:-3.3.3}

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$2" && return 0
    sleep 0.1
  done
  die "$1 did not open 127.0.0.1:$2 within $3 s (see $LOGS/$1.log)"
}

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------- packages

apt_updated=
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself"
  [[ $(id -u) == 0 ]] || die "installing $* needs root (or install them yourself)"
  if [[ -z $apt_updated ]]; then
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed (see $LOGS/apt.log)"
    apt_updated=1
  fi
  log "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" \
    >>"$LOGS/apt.log" 2>&1 || die "apt-get install $* failed (see $LOGS/apt.log)"
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_packages() {
  local missing=()
  [[ -n $(pg_bindir) && -x $(pg_bindir)/initdb ]] || missing+=(postgresql postgresql-client)
  command -v mariadbd >/dev/null || missing+=(mariadb-server mariadb-client)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# ---------------------------------------------------------------- kafka

kafka_libs() { echo "$CACHE/kafka-$KAFKA_VERSION/libs"; }

ensure_kafka_jars() {
  local libs
  libs=$(kafka_libs)
  [[ -f $libs/.complete ]] && return 0
  log "fetching Apache Kafka $KAFKA_VERSION from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$libs" >"$LOGS/maven.log" 2>&1 \
    || die "maven could not fetch Kafka $KAFKA_VERSION (see $LOGS/maven.log)"
  touch "$libs/.complete"
}

# What every broker of ours has, the single one and those of scripts/kafka/cluster.sh.
kafka_shared_properties() { # log_dir
  cat <<EOF
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$1
# Topics are created by the project with explicit settings, never by the broker.
auto.create.topics.enable=false
num.partitions=1
offsets.topic.num.partitions=8
group.initial.rebalance.delay.ms=0
# The log cleaner allocates this on the heap at start (128 MiB by default; see MACHINE.md).
log.cleaner.dedupe.buffer.size=8388608
EOF
}

kafka_up() {
  local dir=$STATE/kafka pid=$RUN/kafka.pid
  if pid_alive "$pid"; then log "kafka already running (pid $(cat "$pid"))"; return 0; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process; set KAFKA_PORT"
  ensure_kafka_jars
  mkdir -p "$dir/data"
  {
    cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
    kafka_shared_properties "$dir/data"
  } >"$dir/server.properties"
  if [[ ! -f $dir/data/meta.properties ]]; then
    local cluster_id
    cluster_id=$(java -cp "$(kafka_libs)/*" kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka.log" | tail -n 1)
    java -cp "$(kafka_libs)/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >>"$LOGS/kafka.log" 2>&1 \
      || die "kafka storage format failed (see $LOGS/kafka.log)"
  fi
  log "starting kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms128m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    -cp "$(kafka_libs)/*" kafka.Kafka "$dir/server.properties" >>"$LOGS/kafka.log" 2>&1 &
  echo $! >"$pid"
  wait_port kafka "$KAFKA_PORT" 60
}

# ---------------------------------------------------------------- postgres

# Postgres refuses to run as root, so its data directory must be reachable by the postgres
# user. A checkout under a private home directory is not: fall back to /var/tmp then.
# PG_DATA_DIR puts it elsewhere (the fault suite: on a size-limited tmpfs it can fill).
pg_dir() {
  if [[ -n ${PG_DATA_DIR:-} ]]; then echo "$PG_DATA_DIR"; return; fi
  if runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
    echo "$STATE/postgres"
  else
    echo "/var/tmp/event-pipeline-$(printf %s "$STATE" | md5sum | cut -c1-8)/postgres"
  fi
}

as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

postgres_up() {
  local bin dir
  bin=$(pg_bindir)
  dir=$(pg_dir)
  if [[ -f $dir/postmaster.pid ]] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "postgres already running on 127.0.0.1:$PG_PORT"; return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by another process; set PG_PORT"
  if [[ ! -f $dir/PG_VERSION ]]; then
    log "initdb $dir"
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$dir" "$(dirname "$dir")"
    local pwfile
    pwfile=$(mktemp)
    printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [[ $(id -u) == 0 ]] && chown postgres "$pwfile"
    as_postgres "$bin/initdb" -D "$dir" -U "$PG_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$LOGS/postgres-initdb.log" 2>&1 \
      || { rm -f "$pwfile"; die "initdb failed (see $LOGS/postgres-initdb.log)"; }
    rm -f "$pwfile"
    cat >>"$dir/postgresql.conf" <<EOF
# event-pipeline local stack
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
EOF
  fi
  log "starting postgres on 127.0.0.1:$PG_PORT"
  touch "$LOGS/postgres.log"
  [[ $(id -u) == 0 ]] && chown postgres "$LOGS/postgres.log"
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$LOGS/postgres.log" -w -t 60 start >/dev/null \
    || die "postgres did not start (see $LOGS/postgres.log)"
  local exists
  exists=$(PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")
  [[ $exists == 1 ]] || PGPASSWORD=$PG_PASSWORD psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres \
    -c "CREATE DATABASE $PG_DATABASE"
}

postgres_stop() {
  local dir
  dir=$(pg_dir)
  [[ -f $dir/postmaster.pid ]] || return 0
  log "stopping postgres"
  as_postgres "$(pg_bindir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- mariadb

mysql_root() { mariadb --no-defaults -uroot --socket="$STATE/mariadb/mysqld.sock" "$@"; }

mariadb_up() {
  local dir=$STATE/mariadb pid=$RUN/mariadb.pid
  if pid_alive "$pid"; then log "mariadb already running on 127.0.0.1:$MYSQL_PORT"; return 0; fi
  port_open "$MYSQL_PORT" && die "port $MYSQL_PORT is taken by another process; set MYSQL_PORT"
  if [[ ! -d $dir/data/mysql ]]; then
    log "mariadb-install-db $dir/data"
    mkdir -p "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" --skip-test-db \
      >"$LOGS/mariadb-install.log" 2>&1 || die "mariadb-install-db failed (see $LOGS/mariadb-install.log)"
  fi
  log "starting mariadb on 127.0.0.1:$MYSQL_PORT"
  nohup mariadbd --no-defaults --datadir="$dir/data" --port="$MYSQL_PORT" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" --user="$(id -un)" \
    --log-error="$LOGS/mariadb.log" --skip-name-resolve --innodb-buffer-pool-size="$MYSQL_BUFFER_POOL" \
    --innodb-log-file-size=512M --local-infile=1 --max-allowed-packet=64M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
    >/dev/null 2>&1 &
  echo $! >"$pid"
  wait_port mariadb "$MYSQL_PORT" 60
  mysql_root <<EOF
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'localhost';
GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'127.0.0.1';
-- Tests make databases of their own beside it (forecap_db_t_<random>).
GRANT ALL ON \`${MYSQL_DATABASE}\\_t\\_%\`.* TO '$MYSQL_USER'@'localhost';
GRANT ALL ON \`${MYSQL_DATABASE}\\_t\\_%\`.* TO '$MYSQL_USER'@'127.0.0.1';
EOF
}

# ---------------------------------------------------------------- redis

redis_up() {
  local dir=$STATE/redis pid=$RUN/redis.pid
  if pid_alive "$pid"; then log "redis already running on 127.0.0.1:$REDIS_PORT"; return 0; fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process; set REDIS_PORT"
  mkdir -p "$dir"
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$pid" \
    --logfile "$LOGS/redis.log" --dir "$dir" --save '' --appendonly no \
    --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy allkeys-lru >/dev/null
  wait_port redis "$REDIS_PORT" 20
}

# ---------------------------------------------------------------- prometheus

prometheus_up() {
  local dir=$STATE/prometheus pid=$RUN/prometheus.pid
  if pid_alive "$pid"; then log "prometheus already running on 127.0.0.1:$PROMETHEUS_PORT"; return 0; fi
  port_open "$PROMETHEUS_PORT" && die "port $PROMETHEUS_PORT is taken by another process; set PROMETHEUS_PORT"
  mkdir -p "$dir"
  log "starting prometheus on 127.0.0.1:$PROMETHEUS_PORT"
  nohup prometheus --config.file="$ROOT/monitoring/prometheus/prometheus.local.yml" --storage.tsdb.path="$dir" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    >>"$LOGS/prometheus.log" 2>&1 &
  echo $! >"$pid"
  wait_port prometheus "$PROMETHEUS_PORT" 30
}

# ---------------------------------------------------------------- schema registry (tests)

# Apicurio Registry speaks the Confluent schema-registry API under /apis/ccompat/v7. It needs
# Java 21 or newer: the machine's default may be older, so look for one.
java21() {
  local candidate major
  for candidate in java /usr/lib/jvm/*/bin/java; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    major=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [[ ${major%%.*} -ge 21 ]] 2>/dev/null && { echo "$candidate"; return 0; }
  done
  return 1
}

registry_up() {
  local dir=$CACHE/apicurio-$APICURIO_VERSION pid=$RUN/registry.pid java jar i
  if pid_alive "$pid"; then log "schema registry already running on 127.0.0.1:$REGISTRY_PORT"; return 0; fi
  port_open "$REGISTRY_PORT" && die "port $REGISTRY_PORT is taken by another process; set REGISTRY_PORT"
  java=$(java21) || die "the schema registry needs Java 21 or newer (none found under /usr/lib/jvm)"
  if [[ ! -f $dir/.complete ]]; then
    log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central"
    rm -rf "$dir" && mkdir -p "$dir"
    mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$dir" >"$LOGS/maven-registry.log" 2>&1 || die "maven could not fetch Apicurio (see $LOGS/maven-registry.log)"
    tar -xzf "$dir"/*.tar.gz -C "$dir" && rm -f "$dir"/*.tar.gz
    touch "$dir/.complete"
  fi
  jar=$(find "$dir" -name quarkus-run.jar | head -n 1)
  [[ -n $jar ]] || die "no quarkus-run.jar in $dir"
  log "starting schema registry (Apicurio $APICURIO_VERSION) on 127.0.0.1:$REGISTRY_PORT"
  # (cd first, on its own: `cd && nohup java &` would background a subshell, not java)
  (
    cd "$(dirname "$jar")" || exit 1
    nohup "$java" -Xmx384m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
      -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$((REGISTRY_PORT + 1)) \
      -jar "$jar" >>"$LOGS/registry.log" 2>&1 &
    echo $! >"$pid"
  )
  for ((i = 0; i < 600; i++)); do
    # --max-time: a server that accepts connections while it starts may never answer one
    curl -fs --max-time 2 "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1 && return 0
    pid_alive "$pid" || die "schema registry exited (see $LOGS/registry.log)"
    sleep 0.1
  done
  die "schema registry not ready within 60 s (see $LOGS/registry.log)"
}

# ---------------------------------------------------------------- commands

stop_pid() { # name pidfile
  pid_alive "$2" || { rm -f "$2"; return 0; }
  local p i
  p=$(cat "$2")
  log "stopping $1 (pid $p)"
  kill "$p" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  rm -f "$2"
}

APPS=(producer-api consumer projector query-api)

# A Node service: its supervisor (which forwards SIGTERM and waits for it to drain), then the
# service itself if it still runs (started without a supervisor, or left behind by a kill -9).
stop_app() { # name
  stop_pid "$1 supervisor" "$RUN/$1.supervisor"
  stop_pid "$1" "$RUN/$1.pid"
}

restarts_field() { # name field: from run/<name>.restarts (empty if none)
  if [[ -f $RUN/$1.restarts ]]; then sed -n "s/^$2=//p" "$RUN/$1.restarts"; fi
}

app_status() { # name
  local sup=$RUN/$1.supervisor restarts exit
  restarts=$(restarts_field "$1" restarts)
  exit=$(restarts_field "$1" last_exit_code)
  [[ -n $exit ]] && exit="; last exit $exit$(restarts_field "$1" last_exit_signal | sed 's/.\+/ (&)/') at $(restarts_field "$1" last_exit_at)"
  if pid_alive "$sup"; then
    if pid_alive "$RUN/$1.pid" && [[ $(restarts_field "$1" state) == running ]]; then
      echo "$1 up (pid $(cat "$RUN/$1.pid"), supervisor $(cat "$sup"); restarts ${restarts:-0}$exit)"
    else
      echo "$1 restarting (supervisor $(cat "$sup"), next in $(restarts_field "$1" backoff_ms) ms; restarts ${restarts:-0}$exit)"
    fi
  elif pid_alive "$RUN/$1.pid"; then
    echo "$1 up (pid $(cat "$RUN/$1.pid"), not supervised)"
  else
    echo "$1 down"
  fi
}

up() {
  mkdir -p "$LOGS" "$RUN" "$CACHE"
  ensure_packages
  postgres_up
  mariadb_up
  redis_up
  kafka_up
  prometheus_up
}

stop() {
  local app
  for app in "${APPS[@]}"; do stop_app "$app"; done
  stop_pid registry "$RUN/registry.pid"
  stop_pid prometheus "$RUN/prometheus.pid"
  stop_pid kafka "$RUN/kafka.pid"
  stop_pid redis "$RUN/redis.pid"
  stop_pid mariadb "$RUN/mariadb.pid"
  postgres_stop
}

status() {
  local name port
  for name in kafka:$KAFKA_PORT postgres:$PG_PORT mariadb:$MYSQL_PORT redis:$REDIS_PORT prometheus:$PROMETHEUS_PORT; do
    port=${name#*:}
    if port_open "$port"; then echo "${name%%:*} up 127.0.0.1:$port"; else echo "${name%%:*} down"; fi
  done
  for name in "${APPS[@]}"; do app_status "$name"; done
}

# Sourced by scripts/kafka/cluster.sh for the helpers above: define, do not run.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

case ${1:-} in
  up) up ;;
  stop | down) stop ;;
  status) status ;;
  registry-up) mkdir -p "$LOGS" "$RUN" "$CACHE"; registry_up ;;
  pid) # name: the server's main pid (tests kill -9 it)
    case ${2:-} in
      postgres) head -n 1 "$(pg_dir)/postmaster.pid" ;;
      kafka | mariadb | redis | producer-api | consumer | projector | query-api) cat "$RUN/$2.pid" ;;
      *) echo "usage: $0 pid kafka|postgres|mariadb|redis|producer-api|consumer|projector|query-api" >&2; exit 2 ;;
    esac ;;
  stop-apps) for app in "${APPS[@]}"; do stop_app "$app"; done ;;
  cluster) shift; exec bash "$ROOT/scripts/kafka/cluster.sh" "$@" ;;
  *) echo "usage: $0 up|stop|stop-apps|status|pid NAME|cluster …" >&2; exit 2 ;;
esac
