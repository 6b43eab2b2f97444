#!/usr/bin/env bash
# Consumer-group checks (issue 3) with real client processes against one broker: Brook (default) or Apache Kafka.
# Prints one PASS/FAIL line per check and ends with exactly one line `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/groups/run-groups.sh [--target brook|kafka] [--only name,name] [--keep-logs]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target=brook
only=""
keep_logs=0
while (($#)); do
  case "$1" in
    --target) target="${2:?}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --only) only="${2:?}"; shift 2 ;;
    --keep-logs) keep_logs=1; shift ;;
    *) echo "usage: run-groups.sh [--target brook|kafka] [--only name,name] [--keep-logs]" >&2; exit 2 ;;
  esac
done
[[ "$target" == brook || "$target" == kafka ]] || { echo "unknown target $target" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-groups.XXXXXX")"
data="$work/data"
logs="$work/logs"
mkdir -p "$data" "$logs"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bootstrap="127.0.0.1:$port"
prefix="groups-$(date +%s)-$$"
broker_pid=""
passed=0
failed=0
export GROUPS_LOG_DIR="$logs"

# The Java member is compiled once into .cache/groups-java (only when its source changed).
java_src="$here/java/GroupMember.java"
java_out="$root/.cache/groups-java"
java_stamp="$java_out/.stamp-$(sha1sum < "$java_src" | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$root/.cache/java-libs/*" "$java_src" && touch "$java_stamp"
fi

# KIP-848 members take their session timeout and heartbeat interval from the broker; Kafka's minimums
# (45000 and 5000 ms) must come down to allow them. groups_check.py assumes this session timeout.
consumer_session_ms=10000
consumer_heartbeat_ms=1000
kafka_extra_props="group.consumer.session.timeout.ms=$consumer_session_ms group.consumer.min.session.timeout.ms=$consumer_session_ms
group.consumer.heartbeat.interval.ms=$consumer_heartbeat_ms group.consumer.min.heartbeat.interval.ms=$consumer_heartbeat_ms"

start_broker() {
  if [[ "$target" == kafka ]]; then
    KAFKA_NUM_PARTITIONS=6 KAFKA_EXTRA_PROPS="$kafka_extra_props" bash "$root/bench/kafka/start.sh" "$port" "$data" \
      >> "$logs/broker-start.log" 2>&1 || return 1
    broker_pid="$(cat "$data/kafka.pid")"
    return 0
  fi
  touch "$logs/brook.log"
  node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$data" --num-partitions 6 --group-initial-rebalance-delay-ms 0 \
    --group-consumer-session-timeout-ms "$consumer_session_ms" --group-consumer-heartbeat-interval-ms "$consumer_heartbeat_ms" \
    >> "$logs/brook.log" 2>&1 &
  broker_pid=$!
  local deadline=$((SECONDS + 30)) seen_lines
  seen_lines="$(wc -l < "$logs/brook.log")"
  while :; do
    tail -n +"$((seen_lines + 1))" "$logs/brook.log" 2>/dev/null | grep -q listening && return 0
    kill -0 "$broker_pid" 2>/dev/null || { broker_pid=""; return 1; }
    ((SECONDS > deadline)) && return 1
    sleep 0.1
  done
}

stop_broker() {
  if [[ "$target" == kafka ]]; then
    bash "$root/bench/kafka/stop.sh" "$data"
  elif [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
  fi
  broker_pid=""
}

cleanup() {
  stop_broker >/dev/null 2>&1
  if ((failed == 0 && keep_logs == 0)); then rm -rf "$work"; else echo "logs kept in $logs" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

report() { # report STATUS NAME DETAIL
  if [[ "$1" == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%s %-30s %s\n' "$1" "$2" "$3"
}

# `--only crash` selects every crash/<client> check; `--only crash/kcat` just that one.
selected() { [[ -z "$only" || ",$only," == *",$1,"* || ",$only," == *",${1%%/*},"* ]]; }

run_check() { # run_check LABEL CHECK [CLIENT]
  local label="$1" log="$logs/${1//\//-}.log" started=$SECONDS
  shift
  if timeout 300 /usr/bin/python3 "$here/groups_check.py" "$bootstrap" "$prefix" "$@" > "$log" 2>&1; then
    report PASS "$label" "($((SECONDS - started)) s) $(grep -m1 '^ok ' "$log" || true)"
  else
    local why
    why="$(grep -m1 '^FAIL ' "$log" || tail -3 "$log" | tr '\n' ' ')"
    report FAIL "$label" "($((SECONDS - started)) s) ${why:0:600}"
  fi
}

echo "groups: target $target on $bootstrap, prefix $prefix"
if ! start_broker; then
  report FAIL "broker-start" "$target did not start: $(tail -5 "$logs"/*.log | tr '\n' ' ' | cut -c1-600)"
  echo "$passed passed, $failed failed"
  exit 1
fi

clients=(kafka-python-2.0.2 kafka-python-3 kafkajs platformatic kcat confluent-kafka java-classic java-consumer)
for client in "${clients[@]}"; do
  selected "split/$client" && run_check "split/$client" split "$client"
done
selected latest && run_check latest latest
for client in "${clients[@]}"; do
  selected "crash/$client" && run_check "crash/$client" crash "$client"
done
selected tool && run_check tool tool
for client in kafka-python-2.0.2 java-classic; do
  selected "rebalance-time/$client" && run_check "rebalance-time/$client" rebalance-time "$client"
done
# A broker restart while 3 members of one group consume (#7): groups_check.py asks for the restart through
# files in $logs; the members must go on without reading any record twice (Kafka keeps groups across restarts).
run_live_restart() { # run_live_restart CLIENT
  local label="live-restart/$1" log="$logs/live-restart-$1.log" started=$SECONDS pid status
  rm -f "$logs/restart.request" "$logs/restart.done"
  timeout 300 /usr/bin/python3 "$here/groups_check.py" "$bootstrap" "$prefix" live-restart "$1" > "$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -f "$logs/restart.request" ]]; then
      rm -f "$logs/restart.request"
      stop_broker
      if start_broker; then echo ok > "$logs/restart.done"; else echo "start failed" > "$logs/restart.done"; fi
    fi
    sleep 0.1
  done
  wait "$pid"
  status=$?
  if ((status == 0)); then
    report PASS "$label" "($((SECONDS - started)) s) $(grep -m1 '^ok ' "$log" || true)"
  else
    report FAIL "$label" "($((SECONDS - started)) s) $(grep -m1 '^FAIL ' "$log" || tail -3 "$log" | tr '\n' ' ')"
  fi
}
for client in kafka-python-2.0.2 java-classic java-consumer; do
  selected "live-restart/$client" && run_live_restart "$client"
done

# One broker restart serves every client: each commits on its own topic and group before it, resumes after it.
restart_clients=()
for client in "${clients[@]}"; do selected "restart/$client" && restart_clients+=("$client"); done
if ((${#restart_clients[@]})); then
  for client in "${restart_clients[@]}"; do
    run_check "restart-before/$client" restart-before "$client"
  done
  stop_broker
  if start_broker; then
    for client in "${restart_clients[@]}"; do
      run_check "restart-after/$client" restart-after "$client"
    done
  else
    report FAIL "broker-restart" "$target did not start again"
  fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
