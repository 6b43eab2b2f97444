#!/usr/bin/env bash
# Share-group (KIP-932) checks with Kafka's Java KafkaShareConsumer against one broker: Brook (default) or
# Apache Kafka 4.4 (share groups are on by default there; see docs/decisions/0003-share-groups.md).
# Check "three-workers": three workers on a one-partition topic share 3,000 records, each spending 5 ms
# per record (a job, so that one fast worker cannot drain the queue alone); every record is accepted
# exactly once and every worker gets at least a tenth. Check "poison": a worker RELEASEs the record "7" of
# 20 every time (share.delivery.count.limit=2): it is delivered twice, then archived, the other 19 are
# accepted, and it lands once in the group's dead-letter topic with Kafka's __dlq.errors.* headers (on
# Kafka only where its share.version supports dead letters; Brook always). Check "group-and-share": a
# consumer group and a share group read the same 1,000 records at once: the group gets every one, the
# share group accepts each once. Check "share-tool": Kafka's kafka-share-groups.sh (ShareGroupCommand) lists,
# describes (members, state, offsets and lag), resets offsets (dry run; to an offset, latest, a datetime),
# deletes offsets and deletes the group, while Kafka's console share consumer reads before and after a
# reset. Ends with one line `N passed, N failed`; exits 1 on
# any failure. Usage: tests/compat/share/run-share.sh [--target brook|kafka] [--keep-logs] [--only CHECK]
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
    *) echo "usage: run-share.sh [--target brook|kafka] [--keep-logs] [--only CHECK]" >&2; exit 2 ;;
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
java_srcs=("$here"/java/*.java)
java_out="$root/.cache/share-java"
java_stamp="$java_out/.stamp-$(cat "${java_srcs[@]}" | sha1sum | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$root/.cache/java-libs/*" "${java_srcs[@]}" && touch "$java_stamp"
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

check_poison() {
  local topic="poison-$(date +%s)-$$" group="poison-$$" dlq="dlq.poison-$$" topic_config=no
  [[ "$target" == kafka ]] && topic_config=yes
  if ! timeout 120 "${java_run[@]}" dlqsetup "$bootstrap" "$topic" "$group" 20 "$dlq" "$topic_config" >> "$logs/setup.log" 2>&1; then
    result poison FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  rm -f "$work/stop-poison"
  : > "$work/poison"
  "${java_run[@]}" poison "$bootstrap" "$topic" "$group" "$work/poison" "$work/stop-poison" 7 >> "$logs/poison.log" 2>&1 &
  local pid=$!
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    (($(grep -c ACCEPT "$work/poison") >= 19 && $(grep -c RELEASE "$work/poison") >= 2)) && break
    sleep 1
  done
  sleep 3 # a third delivery of the poison record would show
  touch "$work/stop-poison"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  timeout 60 "${java_run[@]}" dump "$bootstrap" "$dlq" 5 > "$work/dlq" 2>> "$logs/dump.log"
  local problem
  problem="$(python3 - "$target" "$work/poison" "$work/dlq" <<'PY'
import sys
target, poison_file, dlq_file = sys.argv[1:]
lines = [l.split() for l in open(poison_file) if l.strip()]
accepted = sorted(int(o) for o, v, c, t in lines if t == "ACCEPT")
released = [(int(o), c) for o, v, c, t in lines if t == "RELEASE"]
dlq = [l.rstrip("\n").split("\t") for l in open(dlq_file) if l.strip()]
problems = []
if accepted != [o for o in range(20) if o != 7]: problems.append(f"accepted {accepted}")
if released != [(7, "1"), (7, "2")]: problems.append(f"poison deliveries {released} (want 7 with count 1 then 2)")
note = ""
if dlq:
    headers = dict(f.split("=", 1) for f in dlq[0][2:])
    want = {"__dlq.errors.partition": "0", "__dlq.errors.offset": "7", "__dlq.errors.delivery.count": "2"}
    if len(dlq) != 1 or dlq[0][1] != "7" or any(headers.get(k) != v for k, v in want.items()):
        problems.append(f"dead-letter topic holds {dlq}")
    note = "dead letter " + " ".join(f"{k}={v}" for k, v in headers.items())
elif target == "brook":
    problems.append("no dead letter")
else:
    note = "no dead letter: this Kafka's share.version has no dead letters"
print("; ".join(problems) if problems else f"19 accepted, poison delivered twice then archived; {note}")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result poison PASS "$problem"; else result poison FAIL "$problem"; fi
}

check_group_and_share() {
  local topic="both-$(date +%s)-$$" group="both-share-$$" count=1000
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" "$count" >> "$logs/setup.log" 2>&1; then
    result group-and-share FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  rm -f "$work/stop-both"
  : > "$work/both-group"
  : > "$work/both-share"
  "${java_run[@]}" group "$bootstrap" "$topic" "both-classic-$$" "$work/both-group" "$work/stop-both" >> "$logs/both-group.log" 2>&1 &
  local gpid=$!
  "${java_run[@]}" worker "$bootstrap" "$topic" "$group" "$work/both-share" "$work/stop-both" >> "$logs/both-share.log" 2>&1 &
  local spid=$!
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    (($(wc -l < "$work/both-group") >= count && $(wc -l < "$work/both-share") >= count)) && break
    sleep 1
  done
  sleep 2
  touch "$work/stop-both"
  for pid in "$gpid" "$spid"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  local problem
  problem="$(python3 - "$count" "$work/both-group" "$work/both-share" <<'PY'
import sys
count = int(sys.argv[1])
group = [int(l.split()[0]) for l in open(sys.argv[2]) if l.strip()]
share = [int(l.split()[0]) for l in open(sys.argv[3]) if l.strip()]
problems = []
if sorted(set(group)) != list(range(count)): problems.append(f"group got {len(set(group))} of {count}")
if sorted(share) != list(range(count)): problems.append(f"share group accepted {len(share)} ({len(set(share))} distinct) of {count}")
print("; ".join(problems) if problems else f"group {len(group)} records, share group {len(share)} each once")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result group-and-share PASS "$problem"; else result group-and-share FAIL "$problem"; fi
}

# Kafka's own share-group tool: ShareToolShell runs ShareGroupCommand (what kafka-share-groups.sh starts)
# once per line in one JVM. Kafka's console share consumer runs as kafka-console-share-consumer.sh runs it.
tool_shell=(java -Dlog4j2.configurationFile="$root/tests/compat/java/log4j2.properties" -cp "$java_out:$root/.cache/java-libs/*" ShareToolShell)
console_share=(java -Dlog4j2.configurationFile="$root/tests/compat/java/log4j2.properties" -cp "$root/.cache/kafka/libs/*" org.apache.kafka.tools.consumer.ConsoleShareConsumer --bootstrap-server "$bootstrap")

# Runs one share-group tool command (arguments after --bootstrap-server) and prints what it printed.
tool() {
  echo "--bootstrap-server $bootstrap $*" >&7
  local line
  while IFS= read -r -t 120 line <&8; do
    [[ "$line" == "__END__ "* ]] && return 0
    printf '%s\n' "$line" | tee -a "$logs/share-tool.log"
  done
  echo "(no answer from the share-group tool)"
}

# The START-OFFSET and LAG of one partition in `--describe` output ("GROUP TOPIC PARTITION START LAG").
tool_offsets() { awk -v t="$2" -v p="$3" '$2 == t && $3 == p { print $4, $5 }' <<< "$1"; }

check_share_tool() {
  local topic="tool-$(date +%s)-$$" group="tool-$$" out problems=()
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" 10 >> "$logs/setup.log" 2>&1; then
    result share-tool FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  mkfifo "$work/tool-in" "$work/tool-out"
  "${tool_shell[@]}" < "$work/tool-in" > "$work/tool-out" 2>> "$logs/share-tool.log" &
  worker_pids+=($!)
  exec 7> "$work/tool-in" 8< "$work/tool-out"
  # A console share consumer is the group's member: it reads the ten records and waits for more.
  "${console_share[@]}" --topic "$topic" --group "$group" --max-messages 100 --timeout-ms 60000 > "$work/console-1" 2>> "$logs/console.log" &
  local console=$!
  worker_pids+=("$console")
  for _ in $(seq 1 60); do (($(grep -c . "$work/console-1") >= 10)) && break; sleep 1; done
  [[ "$(tr '\n' ' ' < "$work/console-1")" == "0 1 2 3 4 5 6 7 8 9 " ]] || problems+=("console consumer read [$(tr '\n' ' ' < "$work/console-1")]")
  tool --list | grep -qx "$group" || problems+=("--list lacks the group")
  out="$(tool --describe --group "$group" --members)"
  [[ "$(awk -v g="$group" '$1 == g' <<< "$out" | wc -l)" == 1 && "$out" == *"$topic:0"* ]] || problems+=("--members: $out")
  out="$(tool --describe --group "$group" --state)"
  awk -v g="$group" '$1 == g && $4 == "Stable" && $5 == 1 { ok = 1 } END { exit !ok }' <<< "$out" || problems+=("--state while consuming: $out")
  out="$(tool --reset-offsets --group "$group" --topic "$topic" --to-earliest --execute)"
  [[ "$out" == *"not empty"* ]] || problems+=("reset of a group with a member: $out")
  out="$(tool --delete-offsets --group "$group" --topic "$topic")"
  [[ "$out" == *"not empty"* ]] || problems+=("delete-offsets of a group with a member: $out")
  kill -TERM "$console" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$console" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$console" 2>/dev/null
  for _ in $(seq 1 20); do tool --list --state | grep -Eq "^$group +Empty" && break; sleep 1; done
  # All ten accepted: no lag (Kafka may still show start offset 0 here: it persists the start lazily).
  [[ "$(tool_offsets "$(tool --describe --group "$group")" "$topic" 0 | cut -d' ' -f2)" == 0 ]] || problems+=("lag after consuming all is not 0")
  out="$(tool --reset-offsets --group "$group" --topic "$topic" --to-earliest --dry-run)"
  awk -v t="$topic" '$2 == t && $3 == 0 && $4 == 0 { ok = 1 } END { exit !ok }' <<< "$out" || problems+=("--dry-run: $out")
  [[ "$(tool_offsets "$(tool --describe --group "$group")" "$topic" 0 | cut -d' ' -f2)" == 0 ]] || problems+=("--dry-run changed the offsets")
  tool --reset-offsets --group "$group" --topic "$topic:0" --to-offset 5 --execute > /dev/null
  [[ "$(tool_offsets "$(tool --describe --group "$group")" "$topic" 0)" == "5 5" ]] || problems+=("--to-offset 5 did not give start 5, lag 5")
  tool --reset-offsets --group "$group" --all-topics --to-latest --execute > /dev/null
  [[ "$(tool_offsets "$(tool --describe --group "$group")" "$topic" 0)" == "10 0" ]] || problems+=("--to-latest did not give start 10, lag 0")
  tool --reset-offsets --group "$group" --topic "$topic" --to-datetime 2000-01-01T00:00:00.000 --execute > /dev/null
  [[ "$(tool_offsets "$(tool --describe --group "$group")" "$topic" 0)" == "0 10" ]] || problems+=("--to-datetime 2000 did not give start 0, lag 10")
  # The reset is what the next consumer sees: the ten records again.
  timeout 60 "${console_share[@]}" --topic "$topic" --group "$group" --max-messages 10 --timeout-ms 30000 > "$work/console-2" 2>> "$logs/console.log"
  [[ "$(tr '\n' ' ' < "$work/console-2")" == "0 1 2 3 4 5 6 7 8 9 " ]] || problems+=("after the reset the console consumer read [$(tr '\n' ' ' < "$work/console-2")]")
  out="$(tool --delete-offsets --group "$group" --topic "$topic")"
  awk -v t="$topic" '$1 == t && $2 == "Successful" { ok = 1 } END { exit !ok }' <<< "$out" || problems+=("--delete-offsets: $out")
  [[ "$(tool --describe --group "$group")" == *"has no offset information"* ]] || problems+=("offsets remain after --delete-offsets")
  [[ "$(tool --delete --group "$group")" == *"was successful"* ]] || problems+=("--delete failed")
  tool --list | grep -qx "$group" && problems+=("the group is listed after --delete")
  exec 7>&- 8<&-
  if ((${#problems[@]} == 0)); then
    result share-tool PASS "list, describe members/state/offsets, reset dry-run/offset/latest/datetime, delete-offsets, delete; console consumer read 10 then 10 after the reset"
  else
    result share-tool FAIL "$(IFS='; '; echo "${problems[*]}")"
  fi
}

if ! start_broker; then
  echo "FAIL broker did not start ($target); see $logs"
  keep_logs=1
  echo "0 passed, 1 failed"
  exit 1
fi
for check in three-workers poison group-and-share share-tool; do
  [[ -z "$only" || "$only" == "$check" ]] && "check_${check//-/_}"
done
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
