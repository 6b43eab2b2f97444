#!/usr/bin/env bash
# Runs every real client against one broker: Brook (default) or Apache Kafka (to prove the suite itself right).
# Prints one PASS/FAIL line per check and ends with exactly one line `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/run-all.sh [--target brook|kafka] [--only name,name] [--install] [--keep-logs]
# Env: COMPAT_RESTART_SIGNAL=TERM|KILL (how the broker is stopped between produce and verify; default TERM).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target=brook
only=""
install=0
keep_logs=0
while (($#)); do
  case "$1" in
    --target) target="${2:?}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --only) only="${2:?}"; shift 2 ;;
    --install) install=1; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    *) echo "usage: run-all.sh [--target brook|kafka] [--only name,name] [--install] [--keep-logs]" >&2; exit 2 ;;
  esac
done
[[ "$target" == brook || "$target" == kafka ]] || { echo "unknown target $target" >&2; exit 2; }
((install)) && bash "$root/.ci/install-peers.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-compat.XXXXXX")"
data="$work/data"
logs="$work/logs"
mkdir -p "$data" "$logs"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bootstrap="127.0.0.1:$port"
prefix="compat-$(date +%s)-$$"
restart_signal="${COMPAT_RESTART_SIGNAL:-TERM}"
broker_pid=""
passed=0
failed=0

start_broker() {
  if [[ "$target" == kafka ]]; then
    KAFKA_NUM_PARTITIONS=3 bash "$root/bench/kafka/start.sh" "$port" "$data" >> "$logs/broker-start.log" 2>&1 || return 1
    broker_pid="$(cat "$data/kafka.pid")"
    return 0
  fi
  node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$data" --num-partitions 3 --group-initial-rebalance-delay-ms 0 >> "$logs/brook.log" 2>&1 &
  broker_pid=$!
  local deadline=$((SECONDS + 30)) seen_lines
  seen_lines="$(wc -l < "$logs/brook.log")"
  while :; do
    # Only lines written since this start count, so a restart waits for its own `listening`.
    tail -n +"$((seen_lines + 1))" "$logs/brook.log" 2>/dev/null | grep -q listening && return 0
    kill -0 "$broker_pid" 2>/dev/null || { broker_pid=""; return 1; }
    ((SECONDS > deadline)) && return 1
    sleep 0.1
  done
}

stop_broker() {
  local signal="${1:-TERM}"
  if [[ "$target" == kafka ]]; then
    if [[ "$signal" == KILL ]]; then bash "$root/bench/kafka/stop.sh" "$data" --kill; else bash "$root/bench/kafka/stop.sh" "$data"; fi
  elif [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -"$signal" "$broker_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
  fi
  broker_pid=""
}

cleanup() {
  stop_broker TERM >/dev/null 2>&1
  if ((failed == 0 && keep_logs == 0)); then rm -rf "$work"; else echo "logs kept in $logs" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

report() { # report STATUS NAME DETAIL
  if [[ "$1" == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%s %-28s %s\n' "$1" "$2" "$3"
}

java_cp="$root/.cache/java-compat/classes:$root/.cache/java-libs/*"
java_log4j="-Dlog4j2.configurationFile=$root/tests/compat/java/log4j2.properties"
# name | restartable | command (bootstrap, prefix and phase are appended)
clients=(
  "kafka-python-2.0.2|yes|/usr/bin/python3 $here/python/kafka_python_compat.py"
  "kafka-python-3|yes|$root/.cache/venv/bin/python $here/python/kafka_python_compat.py"
  "confluent-kafka|yes|/usr/bin/python3 $here/python/confluent_compat.py"
  "kcat|yes|/usr/bin/python3 $here/kcat/kcat_compat.py"
  "kafkajs|yes|node $here/node/kafkajs-compat.mjs"
  "platformatic-kafka|yes|node $here/node/platformatic-compat.mjs"
  "java-client|yes|java $java_log4j -cp $java_cp brook.compat.JavaClientCompat"
  "kafka-topics-tool|no|bash $here/java/topic-tool.sh"
)
if [[ -x "$root/.cache/go-compat/franz-compat" ]]; then
  clients+=("franz-go|yes|$root/.cache/go-compat/franz-compat")
fi

selected() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }

run_check() { # run_check LABEL LOGNAME COMMAND...
  local label="$1" log="$logs/$2.log" started=$SECONDS
  shift 2
  if timeout 180 "$@" > "$log" 2>&1; then
    report PASS "$label" "($((SECONDS - started)) s) $(grep -m1 '^ok ' "$log" || true)"
  else
    local why
    why="$(grep -m1 '^FAIL ' "$log" || tail -3 "$log" | tr '\n' ' ')"
    report FAIL "$label" "($((SECONDS - started)) s) ${why:0:600}"
  fi
}

echo "compat: target $target on $bootstrap, topic prefix $prefix"
if ! start_broker; then
  report FAIL "broker-start" "$target did not start: $(tail -5 "$logs"/*.log | tr '\n' ' ' | cut -c1-600)"
  echo "$passed passed, $failed failed"
  exit 1
fi

for entry in "${clients[@]}"; do
  IFS='|' read -r name _ command <<<"$entry"
  selected "$name" || continue
  # shellcheck disable=SC2086 # the command string is split into words on purpose
  run_check "$name" "$name" $command "$bootstrap" "$prefix-$name" all
done

# Restart: every client produces to explicit partitions, the broker restarts on the same data, then each reads back.
restartable=()
for entry in "${clients[@]}"; do
  IFS='|' read -r name restart command <<<"$entry"
  [[ "$restart" == yes ]] && selected "$name" && restartable+=("$entry")
done
if ((${#restartable[@]})); then
  declare -A produced=()
  for entry in "${restartable[@]}"; do
    IFS='|' read -r name _ command <<<"$entry"
    # shellcheck disable=SC2086
    if timeout 180 $command "$bootstrap" "$prefix-r-$name" produce > "$logs/restart-produce-$name.log" 2>&1; then
      produced[$name]=1
    else
      report FAIL "restart/$name" "produce phase: $(grep -m1 '^FAIL ' "$logs/restart-produce-$name.log" || tail -3 "$logs/restart-produce-$name.log" | tr '\n' ' ')"
    fi
  done
  stop_broker "$restart_signal"
  if start_broker; then
    for entry in "${restartable[@]}"; do
      IFS='|' read -r name _ command <<<"$entry"
      [[ -n "${produced[$name]:-}" ]] || continue
      # shellcheck disable=SC2086
      run_check "restart/$name" "restart-verify-$name" $command "$bootstrap" "$prefix-r-$name" verify
    done
  else
    report FAIL "broker-restart" "$target did not start again after SIG$restart_signal"
  fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
