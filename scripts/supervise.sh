#!/usr/bin/env bash
# Runs one service and restarts it whenever it exits without being asked to, the way
# compose's `restart: unless-stopped` does (npm start runs each Node service under it):
#
#   scripts/supervise.sh NAME COMMAND [ARGS...]
#
# Files in $PIPELINE_STATE_DIR/run (default .local/run):
#   NAME.pid         the service's own pid (the current child): what tools sample and tests kill -9
#   NAME.supervisor  this supervisor's pid: `scripts/stack.sh stop` sends it SIGTERM
#   NAME.restarts    restarts=N, state, last_exit_code, last_exit_signal, last_exit_at, ... (key=value)
#
# A crash is restarted after a backoff: SUPERVISE_BACKOFF_MIN_MS (1000), doubled after each
# exit up to SUPERVISE_BACKOFF_MAX_MS (30000), back to the minimum once the service has stayed
# up SUPERVISE_STABLE_MS (60000). SIGTERM or SIGINT to the supervisor is forwarded to the
# service, which drains; the supervisor waits for it, does not restart it, and exits with its
# code. Its own lines go to stdout (the service's log), as JSON like the services' own.
set -uo pipefail

(($# >= 2)) || { echo "usage: $0 NAME COMMAND [ARGS...]" >&2; exit 2; }
name=$1
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${PIPELINE_STATE_DIR:-$ROOT/.local}/run
min_ms=${SUPERVISE_BACKOFF_MIN_MS:-1000}
max_ms=${SUPERVISE_BACKOFF_MAX_MS:-30000}
stable_ms=${SUPERVISE_STABLE_MS:-60000}
for var in SUPERVISE_BACKOFF_MIN_MS:$min_ms SUPERVISE_BACKOFF_MAX_MS:$max_ms SUPERVISE_STABLE_MS:$stable_ms; do
  [[ ${var#*:} =~ ^[0-9]+$ ]] || { echo "$0: ${var%%:*} must be a whole number of milliseconds, got '${var#*:}'" >&2; exit 2; }
done
((min_ms <= max_ms)) || { echo "$0: SUPERVISE_BACKOFF_MIN_MS ($min_ms) must not exceed SUPERVISE_BACKOFF_MAX_MS ($max_ms)" >&2; exit 2; }

mkdir -p "$RUN"
pid_file=$RUN/$name.pid
supervisor_file=$RUN/$name.supervisor
restarts_file=$RUN/$name.restarts

now_ms() { date +%s%3N; }
seconds() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
log() { # level message [extra JSON members]
  printf '{"level":%d,"time":%s,"pid":%d,"name":"supervise","service":"%s",%s"msg":"%s"}\n' \
    "$1" "$(now_ms)" $$ "$name" "${3:+$3,}" "$2"
}

restarts=0 state=starting last_code= last_signal= last_at= backoff_ms=$min_ms child= sleeper= stopping=
write_state() {
  printf 'restarts=%d\nstate=%s\npid=%s\nlast_exit_code=%s\nlast_exit_signal=%s\nlast_exit_at=%s\nbackoff_ms=%d\nsupervisor=%d\n' \
    "$restarts" "$state" "$child" "$last_code" "$last_signal" "$last_at" "$backoff_ms" $$ >"$restarts_file.tmp"
  mv -f "$restarts_file.tmp" "$restarts_file"
}

on_signal() { # forward to the service; no restart after it exits
  stopping=$1
  [[ -n $child ]] && kill -s "$1" "$child" 2>/dev/null
  [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

finish() { # exit code
  state=stopped child=
  write_state
  rm -f "$pid_file" "$supervisor_file"
  log 30 "stopped" "\"exitCode\":$1"
  exit "$1"
}

echo $$ >"$supervisor_file"
while :; do
  started=$(now_ms)
  "$@" &
  child=$!
  echo "$child" >"$pid_file"
  state=running
  write_state
  log 30 "started" "\"child\":$child,\"restarts\":$restarts"
  [[ -n $stopping ]] && kill -s "$stopping" "$child" 2>/dev/null

  # `wait` returns early when a trapped signal arrives: wait again until the child is gone.
  code=
  while :; do
    wait "$child" 2>/dev/null # (without bash's own "Killed" line in the log)
    rc=$?
    ((rc == 127)) && [[ -n $code ]] && break # reaped already
    code=$rc
    kill -0 "$child" 2>/dev/null || break
  done

  [[ -n $stopping ]] && finish "$code"
  up_ms=$(($(now_ms) - started))
  ((up_ms >= stable_ms)) && backoff_ms=$min_ms
  last_code=$code last_signal= last_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ((code > 128)) && last_signal=$(kill -l $((code - 128)) 2>/dev/null || true)
  state=backoff
  write_state
  log 40 "exited with code $code${last_signal:+ ($last_signal)} after $up_ms ms: restarting in $backoff_ms ms" \
    "\"exitCode\":$code,\"upMs\":$up_ms,\"backoffMs\":$backoff_ms,\"restarts\":$restarts"

  sleep "$(seconds "$backoff_ms")" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
  [[ -n $stopping ]] && finish 0
  restarts=$((restarts + 1))
  backoff_ms=$((backoff_ms * 2 > max_ms ? max_ms : backoff_ms * 2))
done
