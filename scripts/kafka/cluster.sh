#!/usr/bin/env bash
# A Kafka cluster of several brokers on this machine (KRaft, the same Maven Central jars as the
# single broker of scripts/stack.sh), beside the single broker and never on its ports: what users
# outgrow one node onto, for trying it and for the failure tests (npm run test:cluster).
#
#   scripts/stack.sh cluster up [--brokers N]   format (once) and start N brokers (default 3)
#   scripts/stack.sh cluster down               stop every broker of the cluster (data kept)
#   scripts/stack.sh cluster reset              down, then delete the cluster's data
#   scripts/stack.sh cluster status             each broker: up or down, pid, ports
#   scripts/stack.sh cluster kill N             kill -9 of broker N (tests)
#   scripts/stack.sh cluster start N            start broker N again (its data as it was)
#   scripts/stack.sh cluster stop N             SIGTERM to broker N (controlled shutdown)
#   scripts/stack.sh cluster pid N              broker N's pid
#   scripts/stack.sh cluster brokers            the bootstrap list (KAFKA_BROKERS)
#   scripts/stack.sh cluster env                KAFKA_BROKERS=… KAFKA_REPLICATION_FACTOR=…, for eval
#
# Every node is a combined broker and controller (process.roles=broker,controller), and all N are
# the static metadata quorum (controller.quorum.voters): three voters survive one dead node. Two
# dead of three lose the quorum as well as the in-sync majority: nothing is elected and nothing is
# acknowledged until one comes back. Broker n listens on 127.0.0.1:$((CLUSTER_PORT_BASE + n))
# (19092, 19093, 19094) and its controller on $((CLUSTER_CONTROLLER_PORT_BASE + n)) (19192 …); data in
# .local/cluster/broker-n/, log in .local/logs/cluster-broker-n.log, heap CLUSTER_HEAP (384m).
set -euo pipefail

# The single stack's helpers (ports, pids, the Kafka jars) without running its commands.
# shellcheck source=../stack.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/stack.sh"

CLUSTER_DIR=$STATE/cluster
CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-19091}
CLUSTER_CONTROLLER_PORT_BASE=${CLUSTER_CONTROLLER_PORT_BASE:-19191}
CLUSTER_HEAP=${CLUSTER_HEAP:-384m}

broker_port() { echo $((CLUSTER_PORT_BASE + $1)); }
controller_port() { echo $((CLUSTER_CONTROLLER_PORT_BASE + $1)); }
broker_pidfile() { echo "$RUN/cluster-broker-$1.pid"; }
broker_log() { echo "$LOGS/cluster-broker-$1.log"; }

# The broker count is fixed when the cluster is formatted: the voters are written into every node.
cluster_size() {
  if [[ -f $CLUSTER_DIR/brokers ]]; then cat "$CLUSTER_DIR/brokers"; else echo "${CLUSTER_BROKERS:-3}"; fi
}

voters() {
  local n list=
  for ((n = 1; n <= $1; n++)); do list+="${list:+,}$n@127.0.0.1:$(controller_port "$n")"; done
  echo "$list"
}

bootstrap() {
  local n list=
  for ((n = 1; n <= $(cluster_size); n++)); do list+="${list:+,}127.0.0.1:$(broker_port "$n")"; done
  echo "$list"
}

check_broker() { # n
  [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= $(cluster_size))) || die "no broker '$1' (brokers 1..$(cluster_size))"
}

write_properties() { # n size
  local n=$1 size=$2 dir=$CLUSTER_DIR/broker-$1
  local rf=$((size < 3 ? size : 3))
  local min_isr=$((rf < 2 ? rf : 2))
  mkdir -p "$dir/data"
  {
    cat <<EOF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters "$size")
listeners=PLAINTEXT://127.0.0.1:$(broker_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(broker_port "$n")
# Durability: an acks=all write is acknowledged once $min_isr replicas have it; a replica that was
# not in sync is never elected (that would drop acknowledged writes; off is Kafka's default, stated).
default.replication.factor=$rf
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
# A follower that has not caught up for this long leaves the ISR; a node that misses heartbeats
# for broker.session.timeout.ms is fenced and leaves every ISR (Kafka 3.9's defaults, stated).
replica.lag.time.max.ms=30000
broker.session.timeout.ms=9000
broker.heartbeat.interval.ms=2000
# The broker's own topics, replicated like ours.
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
EOF
    kafka_shared_properties "$dir/data"
  } >"$dir/server.properties"
}

format_broker() { # n
  local dir=$CLUSTER_DIR/broker-$1
  [[ -f $dir/data/meta.properties ]] && return 0
  java -cp "$(kafka_libs)/*" -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    kafka.tools.StorageTool format -t "$(cat "$CLUSTER_DIR/cluster.id")" -c "$dir/server.properties" >>"$(broker_log "$1")" 2>&1 \
    || die "kafka storage format of broker $1 failed (see $(broker_log "$1"))"
}

# Starts broker n in the background; prints the line of its log from which its start shows.
launch_broker() { # n
  local n=$1 pid log
  pid=$(broker_pidfile "$n")
  log=$(broker_log "$n")
  if pid_alive "$pid"; then log "cluster broker $n already running (pid $(cat "$pid"))"; return 0; fi
  port_open "$(broker_port "$n")" && die "port $(broker_port "$n") is taken by another process; set CLUSTER_PORT_BASE"
  port_open "$(controller_port "$n")" && die "port $(controller_port "$n") is taken by another process; set CLUSTER_CONTROLLER_PORT_BASE"
  write_properties "$n" "$(cluster_size)"
  format_broker "$n"
  touch "$log"
  wc -l <"$log" >"$CLUSTER_DIR/broker-$n/log-offset"
  log "starting cluster broker $n on 127.0.0.1:$(broker_port "$n") (controller $(controller_port "$n"), heap $CLUSTER_HEAP)"
  nohup java -Xms128m -Xmx"$CLUSTER_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$ROOT/scripts/kafka/log4j.properties" \
    -cp "$(kafka_libs)/*" kafka.Kafka "$CLUSTER_DIR/broker-$n/server.properties" >>"$log" 2>&1 &
  echo $! >"$pid"
}

# Ready: the broker has been unfenced by the controller quorum and says it started.
wait_broker() { # n seconds
  local n=$1 i from log
  log=$(broker_log "$n")
  from=$(($(cat "$CLUSTER_DIR/broker-$n/log-offset" 2>/dev/null || echo 0) + 1))
  for ((i = 0; i < $2 * 10; i++)); do
    # (awk, not tail | grep -q: grep's early exit fails the pipe under pipefail on a long log)
    awk -v from="$from" 'NR >= from && /Kafka Server started/ { found = 1; exit } END { exit !found }' "$log" && return 0
    pid_alive "$(broker_pidfile "$n")" || die "cluster broker $n exited during start (see $log)"
    sleep 0.1
  done
  die "cluster broker $n not ready within $2 s (see $log)"
}

cluster_up() {
  local size=${CLUSTER_BROKERS:-3} n
  while (($# > 0)); do
    case $1 in
      --brokers) size=${2:-}; shift 2 || die "--brokers needs a number" ;;
      *) die "unknown option $1 (cluster up [--brokers N])" ;;
    esac
  done
  [[ $size =~ ^[0-9]+$ ]] && ((size >= 1 && size <= 9)) || die "--brokers must be 1 to 9, got '$size'"
  mkdir -p "$LOGS" "$RUN" "$CACHE" "$CLUSTER_DIR"
  if [[ -f $CLUSTER_DIR/brokers && $(cat "$CLUSTER_DIR/brokers") != "$size" ]]; then
    die "the cluster was formatted with $(cat "$CLUSTER_DIR/brokers") brokers; \`cluster reset\` first to change it"
  fi
  command -v java >/dev/null && command -v mvn >/dev/null || ensure_packages
  ensure_kafka_jars
  if [[ ! -f $CLUSTER_DIR/cluster.id ]]; then
    java -cp "$(kafka_libs)/*" kafka.tools.StorageTool random-uuid 2>>"$LOGS/cluster.log" | tail -n 1 >"$CLUSTER_DIR/cluster.id"
    echo "$size" >"$CLUSTER_DIR/brokers"
  fi
  # All at once: a node waits for a quorum of voters before it reports ready.
  for ((n = 1; n <= size; n++)); do launch_broker "$n"; done
  for ((n = 1; n <= size; n++)); do wait_broker "$n" 120; done
  log "cluster of $size up: KAFKA_BROKERS=$(bootstrap)"
}

cluster_start() { # n
  check_broker "$1"
  launch_broker "$1"
  wait_broker "$1" 120
}

# SIGTERM to every broker at once (one at a time, the last ones would wait for a lost quorum).
cluster_down() {
  local n pids=() p i
  for ((n = 1; n <= $(cluster_size); n++)); do
    if pid_alive "$(broker_pidfile "$n")"; then
      p=$(cat "$(broker_pidfile "$n")")
      log "stopping cluster broker $n (pid $p)"
      kill "$p" 2>/dev/null || true
      pids+=("$p")
    fi
  done
  for p in "${pids[@]}"; do
    for ((i = 0; i < 300; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  done
  for ((n = 1; n <= $(cluster_size); n++)); do rm -f "$(broker_pidfile "$n")"; done
}

cluster_kill() { # n
  check_broker "$1"
  local pidfile p i
  pidfile=$(broker_pidfile "$1")
  pid_alive "$pidfile" || die "cluster broker $1 is not running"
  p=$(cat "$pidfile")
  kill -9 "$p"
  for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$p" 2>/dev/null && die "cluster broker $1 (pid $p) survived SIGKILL"
  rm -f "$pidfile"
  log "killed cluster broker $1 (pid $p)"
}

cluster_status() {
  local n
  [[ -f $CLUSTER_DIR/cluster.id ]] || { echo "no cluster (scripts/stack.sh cluster up)"; return 0; }
  for ((n = 1; n <= $(cluster_size); n++)); do
    if pid_alive "$(broker_pidfile "$n")"; then
      echo "broker $n up (pid $(cat "$(broker_pidfile "$n")")) 127.0.0.1:$(broker_port "$n"), controller $(controller_port "$n")"
    else
      echo "broker $n down"
    fi
  done
}

command=${1:-}
shift || true
case $command in
  up) cluster_up "$@" ;;
  down | stop-all) cluster_down ;;
  reset) cluster_down; rm -rf "$CLUSTER_DIR"; log "cluster data deleted" ;;
  status) cluster_status ;;
  kill) cluster_kill "${1:-}" ;;
  start) cluster_start "${1:-}" ;;
  stop) check_broker "${1:-}"; stop_pid "cluster broker $1" "$(broker_pidfile "$1")" ;;
  pid) check_broker "${1:-}"; cat "$(broker_pidfile "$1")" ;;
  brokers) bootstrap ;;
  env) n=$(cluster_size); echo "KAFKA_BROKERS=$(bootstrap) KAFKA_REPLICATION_FACTOR=$((n < 3 ? n : 3))" ;;
  *) echo "usage: $0 up [--brokers N]|down|reset|status|kill N|start N|stop N|pid N|brokers|env" >&2; exit 2 ;;
esac
