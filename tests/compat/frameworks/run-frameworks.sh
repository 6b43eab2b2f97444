#!/usr/bin/env bash
# Kafka's frameworks (other people's code) against one broker: a fresh `brook start` (default) or Apache Kafka 4.4
# (`--target kafka`, which proves the checks themselves). See README.md here for what each check asserts.
#   streams: Kafka Streams 4.4 word count (at-least-once): changelog compacted by the log cleaner, repartition
#            topic purged (DeleteRecords), the app kill -9ed, its state wiped and restored from the compacted
#            changelog, counts exact.
#   connect: Connect's distributed worker with the file source and sink connectors copies a file through a topic;
#            the worker is kill -9ed mid-copy and restarted: every line arrives, none more than twice, the offsets
#            were kept (far fewer duplicates than lines before the kill), internal topics compacted.
#   mirror:  MirrorMaker 2 (dedicated mode) copies two topics from the broker under test into a second broker,
#            Apache Kafka 4.4 (always Kafka: this is the way to move to a cluster), and translates two groups'
#            committed offsets; consumers on Kafka resume where they left off.
# Ends with `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/frameworks/run-frameworks.sh [--target brook|kafka] [--only streams,connect,mirror] [--keep-logs]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target=brook
keep_logs=0
only=""
while (($#)); do
  case "$1" in
    --target) target="${2:?}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    --only) only="${2:?}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    *) echo "usage: run-frameworks.sh [--target brook|kafka] [--only streams,connect,mirror] [--keep-logs]" >&2; exit 2 ;;
  esac
done
wanted() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
[[ "$target" == brook || "$target" == kafka ]] || { echo "unknown target $target" >&2; exit 2; }

# Kafka Streams, Connect and MirrorMaker 2 jars (Maven, pom.xml here), then the Java programs, compiled once.
libs="$root/.cache/frameworks-libs"
libs_stamp="$libs/.stamp-$(sha1sum "$here/pom.xml" | cut -c1-12)"
if [[ ! -f "$libs_stamp" ]]; then
  rm -rf "$libs"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs" -DincludeScope=runtime) \
    || { echo "FAIL frameworks: maven could not fetch the frameworks' jars" >&2; exit 1; }
  touch "$libs_stamp"
fi
java_srcs=("$here"/java/*.java)
java_out="$root/.cache/frameworks-java"
java_stamp="$java_out/.stamp-$(cat "${java_srcs[@]}" "$here/pom.xml" | sha1sum | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$libs/*" "${java_srcs[@]}" || { echo "FAIL frameworks: javac" >&2; exit 1; }
  touch "$java_stamp"
fi
log4j="-Dlog4j2.configurationFile=$root/tests/compat/java/log4j2.properties"
jrun() { java -Xmx512m "$log4j" -cp "$java_out:$libs/*" "$@"; }
# For `jexec ... &`: the background job is the JVM itself, so that $! is the pid a kill -9 must reach.
jexec() { exec java -Xmx512m "$log4j" -cp "$java_out:$libs/*" "$@"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-frameworks.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port="$(free_port)"
bootstrap="127.0.0.1:$port"
broker_pid=""
kafka2_data=""
app_pids=()
passed=0
failed=0

# The broker under test, with the cleaner's backoff at 500 ms so that compaction happens within the test.
start_broker() {
  if [[ "$target" == kafka ]]; then
    KAFKA_EXTRA_PROPS="log.cleaner.backoff.ms=500" bash "$root/bench/kafka/start.sh" "$port" "$work/data" \
      >> "$logs/broker-start.log" 2>&1 || return 1
    broker_pid="$(cat "$work/data/kafka.pid")"
    return 0
  fi
  printf 'log.cleaner.backoff.ms=500\n' > "$work/brook.properties"
  node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$work/data" --config "$work/brook.properties" \
    >> "$logs/brook.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$broker_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_broker() {
  if [[ "$target" == kafka ]]; then
    bash "$root/bench/kafka/stop.sh" "$work/data"
  elif [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$broker_pid" 2>/dev/null
  fi
}

kill_apps() {
  for pid in "${app_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  app_pids=()
}

cleanup() {
  kill_apps
  [[ -n "$kafka2_data" ]] && bash "$root/bench/kafka/stop.sh" "$kafka2_data" >/dev/null 2>&1
  stop_broker >/dev/null 2>&1
  if ((keep_logs)); then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

joined() { local IFS=$'\n'; sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/; /g' <<< "$*"; }

result() {
  if [[ "$2" == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "$2 $1${3:+ ($3)}"
}

# Runs a check step, its output appended to the check's log; on failure prints the step's last lines.
step() {
  local name="$1"
  shift
  local out
  out="$("$@" 2>>"$logs/$name.err")"
  local rc=$?
  echo "$out" >> "$logs/$name.log"
  if ((rc != 0)); then
    echo "$out" | tail -3
    return 1
  fi
  echo "$out" | tail -1
}

check_streams() {
  local app="fw-wordcount-$$" input="fw-text" output="fw-counts" state="$work/streams-state" restores="$work/restores"
  local changelog="fw-wordcount-$$-counts-changelog" repartition="fw-wordcount-$$-words-repartition"
  local lines1=6000 lines2=600 notes=() line
  : > "$restores"
  start_app() {
    jexec StreamsWordCount app "$bootstrap" "$app" "$input" "$output" "$state" "$restores" \
      >> "$logs/streams-app.log" 2>&1 &
    app_pids+=($!)
  }
  step streams jrun StreamsWordCount setup "$bootstrap" "$input" "$output" >/dev/null \
    || { result streams FAIL "setup failed"; return; }
  start_app
  # Five bursts 1.5 s apart (the changelog rolls a segment per burst at segment.ms=1000), then one line a while
  # later, so that every burst's updates are in closed, cleanable segments.
  step streams jrun StreamsWordCount produce "$bootstrap" "$input" 0 $((lines1 - 1)) 5 1500 >/dev/null \
    && sleep 3 \
    && step streams jrun StreamsWordCount produce "$bootstrap" "$input" $((lines1 - 1)) 1 1 0 >/dev/null \
    || { result streams FAIL "produce failed"; return; }
  local updates1
  updates1="$(jrun StreamsWordCount updates "$lines1" 2>/dev/null)"
  line="$(step streams jrun StreamsWordCount wait-counts "$bootstrap" "$app" "$input" "$output" "$lines1" 240)" \
    || { result streams FAIL "first run: $line"; return; }
  notes+=("run 1: $line")
  line="$(step streams jrun StreamsWordCount start-offsets "$bootstrap" "$repartition" 120)" \
    || { result streams FAIL "$line"; return; }
  notes+=("$line")
  line="$(step streams jrun StreamsWordCount wait-cleaned "$bootstrap" "$changelog" "$lines1" "$updates1" 180)" \
    || { result streams FAIL "$line"; return; }
  notes+=("$line")
  # kill -9 the app, wipe its local state: the next instance has only the compacted changelog to restore from.
  kill_apps
  rm -rf "$state"
  : > "$restores"
  local killed_at=$SECONDS
  start_app
  step streams jrun StreamsWordCount produce "$bootstrap" "$input" "$lines1" "$lines2" 1 0 >/dev/null \
    || { result streams FAIL "produce after the kill failed"; return; }
  line="$(step streams jrun StreamsWordCount wait-counts "$bootstrap" "$app" "$input" "$output" \
    $((lines1 + lines2)) 240)" || { result streams FAIL "after kill -9 and restore: $line"; return; }
  notes+=("after kill -9, state wiped, $((SECONDS - killed_at)) s to exact: $line")
  local restored
  restored="$(awk '/^restored .*changelog/ { n += $3 } END { print n + 0 }' "$restores")"
  kill_apps
  if ((restored == 0 || restored * 10 > updates1)); then
    result streams FAIL "restore read $restored changelog records for $updates1 updates (want at most a tenth); $(joined "${notes[@]}")"
    return
  fi
  notes+=("restored $restored changelog records")
  result streams PASS "$(joined "${notes[@]}")"
}

if ! start_broker; then
  echo "FAIL broker did not start ($target); see $logs"
  keep_logs=1
  echo "0 passed, 1 failed"
  exit 1
fi
wanted streams && check_streams
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
