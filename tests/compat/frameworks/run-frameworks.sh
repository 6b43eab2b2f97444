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

# Jars from Maven Central: Kafka Streams 4.4 and the client (pom.xml), Connect and MirrorMaker 2 4.3.1
# (connect-pom.xml: why 4.3.1 is said there); then the Java programs, compiled once.
install_libs() {
  local pom="$1" dest="$2" stamp
  stamp="$dest/.stamp-$(sha1sum "$here/$pom" | cut -c1-12)"
  [[ -f "$stamp" ]] && return 0
  rm -rf "$dest"
  (cd "$here" && mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dest" -DincludeScope=runtime) \
    || { echo "FAIL frameworks: maven could not fetch the jars of $pom" >&2; exit 1; }
  touch "$stamp"
}
libs="$root/.cache/frameworks-libs"
connect_libs="$root/.cache/connect-libs"
install_libs pom.xml "$libs"
install_libs connect-pom.xml "$connect_libs"
java_srcs=("$here"/java/*.java)
java_out="$root/.cache/frameworks-java"
java_stamp="$java_out/.stamp-$(cat "${java_srcs[@]}" "$here/pom.xml" | sha1sum | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$libs/*" "${java_srcs[@]}" || { echo "FAIL frameworks: javac" >&2; exit 1; }
  touch "$java_stamp"
fi
log4j="-Dlog4j2.configurationFile=${FRAMEWORKS_LOG4J:-$root/tests/compat/java/log4j2.properties}"
jrun() { java -Xmx512m "$log4j" -cp "$java_out:$libs/*" "$@"; }
# For `jexec ... &`: the background job is the JVM itself, so that $! is the pid a kill -9 must reach.
jexec() { exec java -Xmx512m "$log4j" -cp "$java_out:$libs/*" "$@"; }
# Connect and MirrorMaker 2 (their own classpath), run the same way.
cexec() { exec java -Xmx512m "$log4j" -cp "$connect_libs/*" "$@"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-frameworks.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port="$(free_port)"
bootstrap="127.0.0.1:$port"
broker_pid=""
kafka2_data=""
kafka2_starter=""
dport=""
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
  [[ -n "$kafka2_starter" ]] && kill "$kafka2_starter" 2>/dev/null && wait "$kafka2_starter" 2>/dev/null
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

# Connect's distributed worker, one at a time (started again after a kill -9 with the same config).
start_worker() {
  cexec org.apache.kafka.connect.cli.ConnectDistributed "$work/worker.properties" >> "$logs/connect-worker.log" 2>&1 &
  app_pids+=($!)
  local deadline=$((SECONDS + 180))
  until curl -sf "http://127.0.0.1:$rest_port/connectors" >/dev/null 2>&1; do
    ((SECONDS > deadline)) && return 1
    kill -0 "${app_pids[-1]}" 2>/dev/null || return 1
    sleep 1
  done
}

check_connect() {
  local topic="fw-connect-lines" in="$work/connect-in.txt" out="$work/connect-out.txt" lines=16000 notes=() line
  rest_port="$(free_port)"
  cat > "$work/worker.properties" <<PROPS
bootstrap.servers=$bootstrap
group.id=fw-connect-$$
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
config.storage.topic=fw-connect-configs
offset.storage.topic=fw-connect-offsets
status.storage.topic=fw-connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=5
status.storage.partitions=1
offset.storage.segment.ms=1000
offset.storage.min.cleanable.dirty.ratio=0.01
status.storage.segment.ms=1000
status.storage.min.cleanable.dirty.ratio=0.01
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$rest_port
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$rest_port
scheduled.rebalance.max.delay.ms=0
plugin.discovery=service_load
session.timeout.ms=10000
heartbeat.interval.ms=1000
consumer.session.timeout.ms=10000
consumer.heartbeat.interval.ms=1000
PROPS
  : > "$in"
  step connect jrun Topics create "$bootstrap" "$topic" 1 >/dev/null || { result connect FAIL "topic creation failed"; return; }
  start_worker || { result connect FAIL "worker did not start: $(grep -m3 -E 'ERROR|Exception' "$logs/connect-worker.log")"; return; }
  local source sink
  source="{\"name\":\"fw-file-source\",\"config\":{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\",\"tasks.max\":\"1\",\"file\":\"$in\",\"topic\":\"$topic\"}}"
  sink="{\"name\":\"fw-file-sink\",\"config\":{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"tasks.max\":\"1\",\"file\":\"$out\",\"topics\":\"$topic\"}}"
  for c in "$source" "$sink"; do
    curl -sf -X POST -H 'Content-Type: application/json' --data "$c" "http://127.0.0.1:$rest_port/connectors" \
      >> "$logs/connect.log" 2>&1 || { result connect FAIL "connector creation failed: $c"; return; }
  done
  # The file grows by 500 lines every 0.5 s (16,000 lines in about 16 s); the worker is killed mid-copy, once 6,000
  # lines have arrived and both connectors have stored an offset (so that a restart from nothing would show).
  ( for ((i = 0; i < lines; i += 500)); do
      seq -f 'line-%06g' "$i" $((i + 499)) >> "$in"
      sleep 0.5
    done ) &
  local writer=$!
  local deadline=$((SECONDS + 180))
  stored_offsets() {
    curl -sf "http://127.0.0.1:$rest_port/connectors/fw-file-source/offsets" | grep -q '"position":[1-9]' \
      && curl -sf "http://127.0.0.1:$rest_port/connectors/fw-file-sink/offsets" | grep -q '"kafka_offset":[1-9]'
  }
  until [[ -f "$out" ]] && (($(wc -l < "$out") >= 6000)) && stored_offsets; do
    ((SECONDS > deadline)) && { kill "$writer" 2>/dev/null; result connect FAIL "fewer than 6000 lines copied or no offsets stored in 180 s"; return; }
    sleep 0.2
  done
  kill_apps
  local before
  before="$(wc -l < "$out")"
  local killed_at=$SECONDS
  start_worker || { kill "$writer" 2>/dev/null; result connect FAIL "worker did not start again"; return; }
  wait "$writer"
  deadline=$((SECONDS + 240))
  while ((SECONDS < deadline)); do
    (($(sort -u "$out" | wc -l) >= lines)) && break
    sleep 1
  done
  sleep 3
  line="$(python3 - "$in" "$out" "$before" <<'PY'
import collections, sys
want = [l.rstrip("\n") for l in open(sys.argv[1])]
got = [l.rstrip("\n") for l in open(sys.argv[2])]
before = int(sys.argv[3])
counts = collections.Counter(got)
missing = [l for l in want if l not in counts]
extra = [l for l in counts if l not in set(want)]
dups = sum(n - 1 for n in counts.values())
# The output is runs of consecutive lines; after the kill it goes back once to where the sink's committed offset
# points and once to where the source's flushed offset points. Going back to line 0 would mean an offset was lost.
numbers = [int(l.split("-")[1]) for l in got]
backs = [numbers[i] for i in range(1, len(numbers)) if numbers[i] != numbers[i - 1] + 1]
problems = []
if missing: problems.append(f"{len(missing)} lines lost, first {missing[:3]}")
if extra: problems.append(f"{len(extra)} lines never written, first {extra[:3]}")
# Two at-least-once hops: the source may send a line again (after its last flushed offset) and the sink may write
# a record again (after its group's last commit), so a line can arrive three times, never more.
if any(n > 3 for n in counts.values()): problems.append(f"a line copied {max(counts.values())} times")
if len(backs) > 2 or 0 in backs: problems.append(f"the output went back to lines {backs}: an offset was lost")
print("; ".join(problems) if problems else f"{len(want)} lines copied, none lost; kill -9 at {before} lines, then the copy resumed at lines {backs} (stored offsets), {dups} extra copies (at-least-once, at most {max(counts.values())} of a line)")
sys.exit(1 if problems else 0)
PY
)" || { result connect FAIL "$line"; return; }
  notes+=("$line, $((SECONDS - killed_at)) s from the kill to the end")
  # The source's offset as Connect keeps it (KIP-875 REST): the file's size.
  local offsets size
  offsets="$(curl -sf "http://127.0.0.1:$rest_port/connectors/fw-file-source/offsets")"
  size="$(stat -c %s "$in")"
  if [[ "$offsets" != *"\"position\":$size"* ]]; then
    result connect FAIL "source offset $offsets, want position $size"
    return
  fi
  notes+=("source offset = file size $size")
  local policy t
  for t in fw-connect-configs fw-connect-offsets fw-connect-status; do
    policy="$(jrun Topics config "$bootstrap" "$t" cleanup.policy 2>>"$logs/connect.err")"
    [[ "$policy" == compact ]] || { result connect FAIL "$t has cleanup.policy $policy"; return; }
  done
  line="$(step connect jrun Topics wait-compacted "$bootstrap" fw-connect-offsets 120)" \
    || { result connect FAIL "$line"; return; }
  notes+=("internal topics cleanup.policy=compact; $line")
  kill_apps
  result connect PASS "$(joined "${notes[@]}")"
}

# MirrorMaker 2 in dedicated mode from the broker under test ("source") into a second broker, Apache Kafka 4.4
# ("destination"), with the identity replication policy (the same topic names: a move, not a backup) and group
# offset sync, as README.md's "Moving to a Kafka cluster" says.
check_mirror() {
  local notes=() line
  wait "$kafka2_starter" || { result mirror FAIL "the destination Kafka did not start"; return; }
  line="$(step mirror jrun MirrorCheck seed "$bootstrap")" || { result mirror FAIL "seed: $line"; return; }
  cat > "$work/mm2.properties" <<PROPS
clusters=source,destination
source.bootstrap.servers=$bootstrap
destination.bootstrap.servers=127.0.0.1:$dport
source->destination.enabled=true
destination->source.enabled=false
source->destination.topics=mm-.*
source->destination.groups=mm-.*
replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy
sync.group.offsets.enabled=true
sync.group.offsets.interval.seconds=1
emit.checkpoints.interval.seconds=1
emit.heartbeats.interval.seconds=1
refresh.topics.interval.seconds=2
refresh.groups.interval.seconds=2
offset.lag.max=0
replication.factor=1
checkpoints.topic.replication.factor=1
heartbeats.topic.replication.factor=1
offset-syncs.topic.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
config.storage.replication.factor=1
tasks.max=1
PROPS
  local started=$SECONDS
  cexec org.apache.kafka.connect.mirror.MirrorMaker "$work/mm2.properties" >> "$logs/mirror-maker.log" 2>&1 &
  app_pids+=($!)
  line="$(step mirror jrun MirrorCheck wait-first "$bootstrap" "127.0.0.1:$dport" 300)" \
    || { result mirror FAIL "$line"; return; }
  notes+=("first round: $line" "MirrorMaker start to translated $((SECONDS - started)) s")
  # The second round is produced while MirrorMaker runs; mm-halfway stays where it was.
  line="$(step mirror jrun MirrorCheck more "$bootstrap")" || { result mirror FAIL "more: $line"; return; }
  started=$SECONDS
  line="$(step mirror jrun MirrorCheck wait-mirrored "$bootstrap" "127.0.0.1:$dport" 300)" \
    || { result mirror FAIL "$line"; return; }
  notes+=("second round: $(grep '^copied' "$logs/mirror.log" | tail -1)" "$line" "produced to translated $((SECONDS - started)) s")
  kill_apps
  line="$(step mirror jrun MirrorCheck resume "$bootstrap" "127.0.0.1:$dport")" || { result mirror FAIL "$line"; return; }
  notes+=("$line")
  result mirror PASS "$(joined "${notes[@]}")"
}

if ! start_broker; then
  echo "FAIL broker did not start ($target); see $logs"
  keep_logs=1
  echo "0 passed, 1 failed"
  exit 1
fi
# The destination of the mirror check starts now, while the other checks run.
if wanted mirror; then
  dport="$(free_port)"
  kafka2_data="$work/kafka-destination"
  KAFKA_START_TIMEOUT_S=300 bash "$root/bench/kafka/start.sh" "$dport" "$kafka2_data" >> "$logs/destination-start.log" 2>&1 &
  kafka2_starter=$!
fi
wanted streams && check_streams
wanted connect && check_connect
wanted mirror && check_mirror
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
