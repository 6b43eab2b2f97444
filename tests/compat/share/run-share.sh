#!/usr/bin/env bash
# Share-group (KIP-932) checks with Kafka's Java KafkaShareConsumer against one broker: Brook (default) or
# Apache Kafka 4.4 (share groups are on by default there; see docs/decisions/0003-share-groups.md).
# Check "three-workers": three workers on a one-partition topic share 3,000 records, each spending 5 ms
# per record (a job, so that one fast worker cannot drain the queue alone); every record is accepted
# exactly once and every worker gets at least a tenth. Ends with one line `N passed, N failed`; exits 1 on
# any failure. Usage: tests/compat/share/run-share.sh [--target brook|kafka] [--keep-logs]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target=brook
keep_logs=0
while (($#)); do
  case "$1" in
    --target) target="${2:?}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    *) echo "usage: run-share.sh [--target brook|kafka] [--keep-logs]" >&2; exit 2 ;;
  esac
done
[[ "$target" == brook || "$target" == kafka ]] || { echo "unknown target $target" >&2; exit 2; }

records=3000
workers=3
work="$(mktemp -d "${TMPDIR:-/tmp}/brook-share.XXXXXX")"
data="$work/data"
logs="$work/logs"
mkdir -p "$data" "$logs"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bootstrap="127.0.0.1:$port"
broker_pid=""
worker_pids=()
passed=0
failed=0

# Compiled once into .cache/share-java (again only when the source changed).
java_src="$here/java/ShareWorker.java"
java_out="$root/.cache/share-java"
java_stamp="$java_out/.stamp-$(sha1sum < "$java_src" | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$root/.cache/java-libs/*" "$java_src" && touch "$java_stamp"
fi
java_run=(java -Dlog4j2.configurationFile="$root/tests/compat/java/log4j2.properties" -cp "$java_out:$root/.cache/java-libs/*" ShareWorker)

start_broker() {
  if [[ "$target" == kafka ]]; then
    bash "$root/bench/kafka/start.sh" "$port" "$data" >> "$logs/broker-start.log" 2>&1 || return 1
    broker_pid="$(cat "$data/kafka.pid")"
    return 0
  fi
  node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$data" >> "$logs/brook.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$broker_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_broker() {
  if [[ "$target" == kafka ]]; then
    bash "$root/bench/kafka/stop.sh" "$data"
  elif [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null
  fi
}

cleanup() {
  touch "$work/stop"
  for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  stop_broker >/dev/null 2>&1
  if ((keep_logs)); then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

result() {
  if [[ "$2" == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "$2 $1${3:+ ($3)}"
}

check_three_workers() {
  local topic="share-$(date +%s)-$$" group="workers-$$"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" "$records" >> "$logs/setup.log" 2>&1; then
    result three-workers FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  for i in $(seq 1 "$workers"); do
    "${java_run[@]}" worker "$bootstrap" "$topic" "$group" "$work/accepted-$i" "$work/stop" 5 >> "$logs/worker-$i.log" 2>&1 &
    worker_pids+=($!)
    : > "$work/accepted-$i"
  done
  local deadline=$((SECONDS + 240))
  while ((SECONDS < deadline)); do
    (($(cat "$work"/accepted-* | wc -l) >= records)) && break
    sleep 1
  done
  # A little longer, so that a record accepted twice would show.
  sleep 3
  touch "$work/stop"
  for pid in "${worker_pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  worker_pids=()
  local problem
  problem="$(python3 - "$records" "$work"/accepted-* <<'PY'
import sys
expected = int(sys.argv[1])
seen = {}
shares = []
for path in sys.argv[2:]:
    lines = [l.split() for l in open(path) if l.strip()]
    shares.append(len(lines))
    for offset, value, _count in lines:
        seen[int(offset)] = seen.get(int(offset), 0) + 1
twice = sorted(o for o, n in seen.items() if n > 1)
missing = [o for o in range(expected) if o not in seen]
problems = []
if twice: problems.append(f"{len(twice)} accepted more than once, first {twice[:5]}")
if missing: problems.append(f"{len(missing)} never accepted, first {missing[:5]}")
if any(n < expected // 10 for n in shares): problems.append(f"a worker got less than a tenth: {shares}")
print("; ".join(problems) if problems else f"per worker {shares}")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result three-workers PASS "$problem"; else result three-workers FAIL "$problem"; fi
}

if ! start_broker; then
  echo "FAIL broker did not start ($target); see $logs"
  keep_logs=1
  echo "0 passed, 1 failed"
  exit 1
fi
check_three_workers
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
