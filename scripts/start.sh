#!/usr/bin/env bash
# npm start: the whole local pipeline. Installs what is missing (npm dependencies, Kafka,
# Postgres, MariaDB, Redis), starts the stack, provisions topics and tables, builds, and
# starts producer-api, the Postgres sink, the projector and query-api in the background, each
# under scripts/supervise.sh (restarted with backoff when it crashes, as compose's restart
# policy does; `npm run stack -- status` shows restarts). Running it twice is harmless;
# `npm stop` stops everything.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE=${PIPELINE_STATE_DIR:-$ROOT/.local}
LOGS=$STATE/logs
RUN=$STATE/run
mkdir -p "$LOGS" "$RUN"

bash scripts/ensure-deps.sh
bash scripts/stack.sh up
echo "[start] provisioning topics and migrations" >&2
node --import tsx scripts/provision.ts >>"$LOGS/provision.log"
# The local producer API key: made once, then the same one across restarts ($STATE/producer-api-key,
# git-ignored); the load tests and the client library send it when PRODUCER_API_KEY is not set.
API_KEY=$(node --import tsx scripts/keys.ts ensure-local --file "$STATE/producer-api-key" 2>>"$LOGS/provision.log")
echo "[start] building" >&2
npx tsc -p tsconfig.build.json

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_app() { # name entry
  local pid=$RUN/$1.pid supervisor=$RUN/$1.supervisor
  if alive "$supervisor" || alive "$pid"; then
    echo "[start] $1 already running (pid $(cat "$pid" 2>/dev/null))" >&2
    return 0
  fi
  echo "[start] starting $1 (supervised)" >&2
  rm -f "$pid" "$RUN/$1.restarts"
  nohup bash scripts/supervise.sh "$1" node --enable-source-maps "$2" >>"$LOGS/$1.log" 2>&1 &
  echo $! >"$supervisor"
}

# producer-api too: with one process it took a whole core at about 4,000 single POSTs/s. The seed's
# own command (load-test:parallel 15 20000 30) alternating in one run, p99 from the schedule with
# one process and with two: 892 and 432 ms, 3,633 and 900 ms. PRODUCER_WORKERS=1 runs a single process.
PRODUCER_WORKERS=${PRODUCER_WORKERS:-2} start_app producer-api dist/producer-api/src/main.js
start_app consumer dist/consumer/src/main.js
start_app projector dist/consumer/src/projector/main.js
# The read path is CPU-bound in query-api: two workers on its port, the cores of the node the
# product is sized for (realistic reads at saturation, 10 M users, alternating in one run: 8.4k and
# 10.7k requests/s with one, 9.7k and 13.7k with two). QUERY_WORKERS=1 runs a single process.
QUERY_WORKERS=${QUERY_WORKERS:-2} start_app query-api dist/query-api/src/main.js

wait_ready() { # name port: until GET /health/ready answers 200 (30 s), or the service exits
  local url="http://127.0.0.1:$2/health/ready"
  for ((i = 0; i < 300; i++)); do
    curl -fs --max-time 2 "$url" >/dev/null 2>&1 && return 0
    if grep -qs '^state=backoff' "$RUN/$1.restarts" || ! { alive "$RUN/$1.supervisor" || alive "$RUN/$1.pid"; }; then
      echo "[start] $1 exited (its supervisor restarts it with backoff; npm stop stops it); see $LOGS/$1.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "[start] $1 not ready; see $LOGS/$1.log" >&2
  exit 1
}

PORT=${PORT:-3000}
QUERY_PORT=${QUERY_PORT:-3002}
wait_ready producer-api "$PORT"
wait_ready query-api "$QUERY_PORT"

cat <<EOF

The pipeline is up.
  producer-api   http://127.0.0.1:$PORT      (POST /events, POST /events/batch, GET /health/ready)
  kafka          127.0.0.1:${KAFKA_PORT:-9092}         topics: events, events.dlq
  postgres       127.0.0.1:${PG_PORT:-55432}       db aurore_events, user admin / admin
  mariadb        127.0.0.1:${MYSQL_PORT:-33306}       db forecap_db, user forecap_user / forecap_pass
  redis          127.0.0.1:${REDIS_PORT:-56379}
  query-api      http://127.0.0.1:$QUERY_PORT      (GET /api/user-data, signed; GET /health/ready)
  consumer       http://127.0.0.1:${METRICS_PORT:-9464}/metrics   (events-pg-sink → Postgres)
  projector      http://127.0.0.1:${PROJECTOR_METRICS_PORT:-9465}/metrics   (user-recap-projector → MySQL, Redis)
  prometheus     http://127.0.0.1:${PROMETHEUS_PORT:-9090}   (scrapes both; rules in monitoring/prometheus/rules)
Logs: $LOGS/{producer-api,consumer,projector,query-api,kafka,postgres,mariadb,redis,prometheus}.log
Stop: npm stop

Producer API key (local, any service; kept in $STATE/producer-api-key, the same after a restart):
  $API_KEY
More keys: npm run keys -- create --name NAME --services SERVICE[,SERVICE...] [--rate-limit N]; list; revoke ID

Try:
  curl -XPOST localhost:$PORT/events -H 'content-type: application/json' \\
    -H "authorization: Bearer $API_KEY" \\
    -d '{"service":"demo","event_type":"generic","payload":{"hello":"world"}}'
EOF
