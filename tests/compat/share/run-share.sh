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
# reset. Other people's share consumers, franz-go (`franz-compat share`, built from tests/compat/go) and
# confluent-kafka's ShareConsumer (python/confluent_share.py in .cache/venv), each run "<client>-workers":
# three workers on a one-partition topic share 600 records, each accepted exactly once; and
# "<client>-release-reject": one worker RELEASEs record "3" on its first delivery and REJECTs record "5" of
# 20: "3" comes back with delivery count 2 and is accepted, "5" never comes back, the other 18 are accepted
# once. Check "broker-kill": the broker SIGKILLed and restarted while three workers share 3,000 records:
# every record is accepted in the end, and none whose ACCEPT was confirmed comes back. Check "worker-kill": a
# worker SIGKILLed while holding records; another worker gets them all with delivery count 2 (prints how long
# after the kill). Check "implicit-workers": three workers in implicit acknowledgement mode share 600 records,
# each delivered once and accepted by the next poll, commitSync() or close(), none left after; check
# "implicit-kill": worker-kill with implicit-mode consumers (the batch the next poll would have accepted
# comes back at delivery count 2). Ends with one line
# `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/share/run-share.sh [--target brook|kafka] [--keep-logs] [--only CHECK,CHECK]
# (checks: three-workers poison group-and-share share-tool franz-workers franz-release-reject
# confluent-workers confluent-release-reject confluent-close-acks implicit-workers worker-kill implicit-kill
# broker-kill). confluent-close-acks:
# a ShareConsumer acknowledges 20 records without committing and close()s; none may come back to the next
# worker (librdkafka sends its closing ShareAcknowledge after the leave heartbeat; fixed in 1d77fb1)
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
    *) echo "usage: run-share.sh [--target brook|kafka] [--keep-logs] [--only CHECK,CHECK]" >&2; exit 2 ;;
  esac
done
wanted() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
named() { [[ ",$only," == *",$1,"* ]]; }
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
# Other people's share consumers, installed by .ci/install-peers.sh.
franz_run=("$root/.cache/go-compat/franz-compat" share)
confluent_run=("$root/.cache/venv/bin/python" "$here/python/confluent_share.py")

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

# Stops the workers of one check: the stop file first (they leave the group), SIGKILL after 15 s.
stop_workers() {
  touch "$1"
  for pid in "${worker_pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  worker_pids=()
}

# CHECK PROGRAM: FAILs CHECK when PROGRAM (a peer's binary or interpreter) is not installed.
peer_installed() {
  [[ -x "$2" ]] && return 0
  result "$1" FAIL "$2 missing: run .ci/install-peers.sh"
  return 1
}

# CHECK CLIENT: three workers of CLIENT (franz or confluent) on a one-partition topic share 600 records.
check_peer_workers() {
  local check="$1" client="$2" count=600 topic="$1-$(date +%s)-$$" group="$1-$$"
  local -n run_cmd="${client}_run"
  peer_installed "$check" "${run_cmd[0]}" || return
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" "$count" >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local stop="$work/stop-$check"
  rm -f "$stop"
  for i in 1 2 3; do
    : > "$work/$check-$i"
    "${run_cmd[@]}" worker "$bootstrap" "$topic" "$group" "$work/$check-$i" "$stop" >> "$logs/$check-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    (($(cat "$work/$check"-[123] | wc -l) >= count)) && break
    sleep 1
  done
  sleep 3 # a record accepted twice would show
  stop_workers "$stop"
  local problem
  problem="$(python3 - "$count" "$work/$check"-[123] <<'PY'
import sys
count = int(sys.argv[1])
seen, shares = {}, []
for path in sys.argv[2:]:
    lines = [l.split() for l in open(path) if l.strip()]
    shares.append(len(lines))
    for offset, value, _count in lines:
        seen[int(offset)] = seen.get(int(offset), 0) + 1
twice = sorted(o for o, n in seen.items() if n > 1)
missing = [o for o in range(count) if o not in seen]
problems = []
if twice: problems.append(f"{len(twice)} accepted more than once, first {twice[:5]}")
if missing: problems.append(f"{len(missing)} never accepted, first {missing[:5]}")
print("; ".join(problems) if problems else f"{count} accepted once each, per worker {shares}")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

# CHECK CLIENT: one worker RELEASEs "3" once and REJECTs "5" of 20 records.
check_peer_release_reject() {
  local check="$1" client="$2" topic="$1-$(date +%s)-$$" group="$1-$$"
  local -n run_cmd="${client}_run"
  peer_installed "$check" "${run_cmd[0]}" || return
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" 20 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local stop="$work/stop-$check" out="$work/$check"
  rm -f "$stop"
  : > "$out"
  "${run_cmd[@]}" relrej "$bootstrap" "$topic" "$group" "$out" "$stop" 3 5 >> "$logs/$check.log" 2>&1 &
  worker_pids+=($!)
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    (($(wc -l < "$out") >= 21)) && break
    sleep 1
  done
  sleep 3 # a second delivery of "5" or a third of "3" would show
  stop_workers "$stop"
  local problem
  problem="$(python3 - "$out" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
by_value = {}
for offset, value, count, kind in lines:
    by_value.setdefault(value, []).append((count, kind))
problems = []
if by_value.get("3") != [("1", "RELEASE"), ("2", "ACCEPT")]:
    problems.append(f"record 3: {by_value.get('3')} (want RELEASE at count 1, then ACCEPT at count 2)")
if by_value.get("5") != [("1", "REJECT")]:
    problems.append(f"record 5: {by_value.get('5')} (want one REJECT)")
others = {v: d for v, d in by_value.items() if v not in ("3", "5")}
wrong = {v: d for v, d in others.items() if d != [("1", "ACCEPT")]}
if wrong: problems.append(f"others not accepted once: {dict(list(wrong.items())[:5])}")
missing = [v for v in map(str, range(20)) if v not in by_value]
if missing: problems.append(f"never delivered: {missing}")
print("; ".join(problems) if problems else "3 released then accepted at count 2, 5 rejected once, 18 accepted once")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

# Pending acknowledgements are sent by close(): nothing comes back to the next worker.
check_close_acks() {
  local check=confluent-close-acks topic="close-acks-$(date +%s)-$$" group="close-acks-$$"
  peer_installed "$check" "${confluent_run[0]}" || return
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" 20 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  : > "$work/$check-first"
  : > "$work/$check-again"
  if ! timeout 90 "${confluent_run[@]}" closeacks "$bootstrap" "$topic" "$group" "$work/$check-first" 20 >> "$logs/$check.log" 2>&1; then
    result "$check" FAIL "the first consumer did not acknowledge 20 records: $(tail -2 "$logs/$check.log" | tr '\n' ' ')"
    return
  fi
  local stop="$work/stop-$check"
  rm -f "$stop"
  "${confluent_run[@]}" worker "$bootstrap" "$topic" "$group" "$work/$check-again" "$stop" >> "$logs/$check.log" 2>&1 &
  worker_pids+=($!)
  sleep 10
  stop_workers "$stop"
  local again
  again="$(wc -l < "$work/$check-again")"
  if ((again == 0)); then result "$check" PASS "20 acknowledged before close(), none delivered again"
  else result "$check" FAIL "$again of the 20 acknowledged before close() delivered again: $(head -3 "$work/$check-again" | tr '\n' ',')"; fi
}

# The broker SIGKILLed under load: three workers (5 ms per record) share 3,000 records on one partition; at
# 600 confirmed ACCEPTs the broker is killed and restarted on the same data. In the end every record is
# accepted, and none whose ACCEPT was confirmed is delivered again. Records whose commit failed across the
# crash ("unsure") may come back once.
check_broker_kill() {
  local check=broker-kill count=3000 topic="kill-$(date +%s)-$$" group="kill-$$"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" "$count" >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local stop="$work/stop-$check"
  rm -f "$stop"
  for i in 1 2 3; do
    : > "$work/$check-$i"
    : > "$work/$check-unsure-$i"
    "${java_run[@]}" worker "$bootstrap" "$topic" "$group" "$work/$check-$i" "$stop" 5 "$work/$check-unsure-$i" >> "$logs/$check-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)) && (($(cat "$work/$check"-[123] | wc -l) < 600)); do sleep 0.2; done
  local at_kill
  at_kill="$(cat "$work/$check"-[123] | wc -l)"
  if [[ "$target" == kafka ]]; then bash "$root/bench/kafka/stop.sh" "$data" --kill; else kill -KILL "$broker_pid"; fi
  wait "$broker_pid" 2>/dev/null
  if ! start_broker; then
    stop_workers "$stop"
    result "$check" FAIL "the broker did not restart"
    return
  fi
  deadline=$((SECONDS + 240))
  while ((SECONDS < deadline)); do
    (($(cat "$work/$check"-[123] "$work/$check"-unsure-[123] | cut -d' ' -f1 | sort -u | wc -l) >= count)) && break
    sleep 1
  done
  sleep 5 # a confirmed record delivered again would show
  stop_workers "$stop"
  local problem
  problem="$(python3 - "$count" "$at_kill" "$work/$check" <<'PY'
import sys
count, at_kill, base = int(sys.argv[1]), sys.argv[2], sys.argv[3]
confirmed, unsure, shares, redelivered = {}, set(), [], 0
for i in (1, 2, 3):
    lines = [l.split() for l in open(f"{base}-{i}") if l.strip()]
    shares.append(len(lines))
    for offset, _value, delivery in lines:
        confirmed[int(offset)] = confirmed.get(int(offset), 0) + 1
        redelivered += delivery != "1"
    unsure |= {int(l.split()[0]) for l in open(f"{base}-unsure-{i}") if l.strip()}
twice = sorted(o for o, n in confirmed.items() if n > 1)
again = sorted(o for o in unsure if confirmed.get(o, 0) > 1)
missing = [o for o in range(count) if o not in confirmed and o not in unsure]
problems = []
if twice: problems.append(f"{len(twice)} confirmed ACCEPTs delivered and accepted again, first {twice[:5]}")
if missing: problems.append(f"{len(missing)} never accepted, first {missing[:5]}")
summary = (f"killed at {at_kill} accepted; {len(confirmed)} confirmed, {len(unsure)} unsure across the crash, "
           f"{redelivered} accepted at delivery count > 1, per worker {shares}")
print("; ".join(problems) + f" ({summary})" if problems else summary)
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

# A worker SIGKILLed while holding records (share.record.lock.duration.ms 15000 for the group): another
# worker, already in the group, gets every one of them with delivery count 2, none before the kill; prints the
# time from the kill to the last of them confirmed accepted (the dead worker's connection closes at the kill,
# the lock expires 15 s after its fetch).
# CHECK HOLDMODE WORKMODE: worker-kill with explicit-mode consumers, implicit-kill with implicit-mode ones.
check_worker_kill() {
  local check="${1:-worker-kill}" hold_mode="${2:-hold}" work_mode="${3:-worker}"
  local topic="$check-$(date +%s)-$$" group="$check-$$"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" 100 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local held="$work/$check-held" other="$work/$check-other" stop="$work/stop-$check"
  : > "$held"
  : > "$other"
  rm -f "$stop"
  "${java_run[@]}" "$hold_mode" "$bootstrap" "$topic" "$group" "$held" 15000 >> "$logs/$check-holder.log" 2>&1 &
  local holder=$!
  worker_pids+=("$holder")
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)) && [[ ! -s "$held" ]]; do sleep 0.2; done
  "${java_run[@]}" "$work_mode" "$bootstrap" "$topic" "$group" "$other" "$stop" >> "$logs/$check-other.log" 2>&1 &
  worker_pids+=($!)
  sleep 5 # the second worker joins and takes what the holder does not hold
  cp "$other" "$work/$check-before"
  kill -KILL "$holder"
  local killed_ns
  killed_ns="$(date +%s%N)"
  wait "$holder" 2>/dev/null # reaps it without bash's "Killed" line
  local want
  want="$(wc -l < "$held")"
  local back_ms=-1
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if (($(cut -d' ' -f1 "$held" | grep -cxFf - <(cut -d' ' -f1 "$other")) >= want)); then
      back_ms=$((($(date +%s%N) - killed_ns) / 1000000))
      break
    fi
    sleep 0.1
  done
  sleep 2
  stop_workers "$stop"
  local problem
  problem="$(python3 - "$held" "$work/$check-before" "$other" "$back_ms" <<'PY'
import sys
held_file, before_file, other_file, back_ms = sys.argv[1:]
held = {int(l.split()[0]): l.split()[2] for l in open(held_file) if l.strip()}
before = [int(l.split()[0]) for l in open(before_file) if l.strip()]
other = [l.split() for l in open(other_file) if l.strip()]
problems = []
if not held: problems.append("the holder got no records")
early = [o for o in before if o in held]
if early: problems.append(f"{len(early)} held records reached the other worker before the kill")
back = {int(o): c for o, v, c in other if int(o) in held}
if len(back) < len(held): problems.append(f"{len(held) - len(back)} of {len(held)} held records never came back")
wrong = {o: c for o, c in back.items() if c != "2"}
if wrong: problems.append(f"delivery counts not 2: {dict(list(wrong.items())[:5])}")
seen = [int(o) for o, v, c in other]
if len(seen) != len(set(seen)) or sorted(set(seen)) != list(range(100)):
    problems.append(f"the other worker accepted {len(seen)} ({len(set(seen))} distinct) of 100")
print("; ".join(problems) if problems else
      f"{len(held)} held records back at delivery count 2, {back_ms} ms after the holder was SIGKILLed")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

# Three implicit-mode workers (share.acknowledgement.mode=implicit: a poll or commitSync() accepts every record
# of the previous poll, close() the last ones; 10 ms per record) on a one-partition topic share 600 records
# (produced once all three have polled, in batches of 20, else Kafka's batch-optimized acquisition hands one
# fetch all 600 as one batch):
# each is delivered once, at delivery count 1, every worker gets at least a tenth, and after they close a
# fresh worker gets nothing (every record was accepted implicitly; one left acquired would be released at
# close and show here).
check_implicit_workers() {
  local check=implicit-workers count=600 topic="implicit-$(date +%s)-$$" group="implicit-$$"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" "$group" 0 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local stop="$work/stop-$check"
  rm -f "$stop"
  for i in 1 2 3; do
    : > "$work/$check-$i"
    "${java_run[@]}" implicit "$bootstrap" "$topic" "$group" "$work/$check-$i" "$stop" 10 >> "$logs/$check-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  # The records come once all three have polled (JVMs start slowly on a loaded machine; the first up would
  # otherwise take them all).
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)) && ! [[ -f "$work/$check-1.ready" && -f "$work/$check-2.ready" && -f "$work/$check-3.ready" ]]; do
    sleep 0.2
  done
  sleep 2
  if ! timeout 120 "${java_run[@]}" produce "$bootstrap" "$topic" "$count" 20 >> "$logs/setup.log" 2>&1; then
    stop_workers "$stop"
    result "$check" FAIL "producing failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    (($(cat "$work/$check"-[123] | wc -l) >= count)) && break
    sleep 1
  done
  sleep 3 # a record delivered twice would show
  stop_workers "$stop"
  : > "$work/$check-after"
  rm -f "$stop"
  "${java_run[@]}" worker "$bootstrap" "$topic" "$group" "$work/$check-after" "$stop" >> "$logs/$check-after.log" 2>&1 &
  worker_pids+=($!)
  sleep 8
  stop_workers "$stop"
  local problem
  problem="$(python3 - "$count" "$work/$check-after" "$work/$check"-[123] <<'PY'
import sys
count, after_file = int(sys.argv[1]), sys.argv[2]
seen, shares, recounted = {}, [], []
for path in sys.argv[3:]:
    lines = [l.split() for l in open(path) if l.strip()]
    shares.append(len(lines))
    for offset, value, delivery in lines:
        seen[int(offset)] = seen.get(int(offset), 0) + 1
        if delivery != "1": recounted.append(int(offset))
after = [l.split() for l in open(after_file) if l.strip()]
twice = sorted(o for o, n in seen.items() if n > 1)
missing = [o for o in range(count) if o not in seen]
problems = []
if twice: problems.append(f"{len(twice)} delivered more than once, first {twice[:5]}")
if missing: problems.append(f"{len(missing)} never delivered, first {missing[:5]}")
if recounted: problems.append(f"{len(recounted)} delivered at a count above 1, first {recounted[:5]}")
if any(n < count // 10 for n in shares): problems.append(f"a worker got less than a tenth: {shares}")
if after: problems.append(f"{len(after)} records reached a fresh worker after the implicit workers closed, first {after[:3]}")
print("; ".join(problems) if problems else f"{count} delivered and implicitly accepted once each, per worker {shares}, none left")
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

if ! start_broker; then
  echo "FAIL broker did not start ($target); see $logs"
  keep_logs=1
  echo "0 passed, 1 failed"
  exit 1
fi
for check in three-workers poison group-and-share share-tool; do
  wanted "$check" && "check_${check//-/_}"
done
for client in franz confluent; do
  wanted "$client-workers" && check_peer_workers "$client-workers" "$client"
  wanted "$client-release-reject" && check_peer_release_reject "$client-release-reject" "$client"
done
wanted confluent-close-acks && check_close_acks
wanted implicit-workers && check_implicit_workers
wanted worker-kill && check_worker_kill
wanted implicit-kill && check_worker_kill implicit-kill implicithold implicit
wanted broker-kill && check_broker_kill
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
