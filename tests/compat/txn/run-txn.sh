#!/usr/bin/env bash
# Transactions (issue 12) with other people's clients against one broker: Brook (default) or Apache Kafka 4.4.
# Checks (each proven on Kafka 4.4 first; README.md says what each asserts):
#   java-visibility  Kafka's Java transactional producer with read_committed consumers: committed records once,
#                    aborted ones never (also interleaved with another producer's commit), an open transaction
#                    holds the consumer's position at the LSO (ListOffsets and endOffsets say the LSO too)
#   java-eos-kill    a Java consume-transform-produce loop (sendOffsetsToTransaction, read_committed, static
#                    member) SIGKILLed at random moments (0.1-2 s after a run's first commit) and restarted
#                    (--kills N, default 6); in the end every input record is in the output exactly once
#                    under read_committed, and the kills left aborted records behind
#   franz-txn        franz-go's GroupTransactSession copying a topic, every fourth transaction aborted
#   confluent-txn    confluent-kafka (librdkafka) transactional producer + read_committed consumer
#   kafkapython-txn  kafka-python 3 transactional producer + read_committed consumer
#   txn-tool         Kafka's kafka-transactions.sh (TransactionsCommand): list, describe, describe-producers,
#                    find-hanging while a transaction is open and after its commit
#   java-share-committed  a KafkaShareConsumer in a share group with share.isolation.level=read_committed
#                    gets only committed records (none of an aborted or still open transaction, nor the plain
#                    records after the open one until it commits); read_uncommitted gets them all
#   raw-edges        raw requests no client library sends (dist/tests/compat/txn/raw-edges.js): an idempotent
#                    plain batch of a producer with an open transaction on the partition (INVALID_TXN_STATE),
#                    DescribeTransactions / ListTransactions' duration filter after the commit, the commit marker
# Ends with one line `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/txn/run-txn.sh [--target brook|kafka] [--keep-logs] [--only CHECK,CHECK] [--kills N]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target=brook
keep_logs=0
only=""
kills=6
while (($#)); do
  case "$1" in
    --target) target="${2:?}"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    --keep-logs) keep_logs=1; shift ;;
    --only) only="${2:?}"; shift 2 ;;
    --only=*) only="${1#*=}"; shift ;;
    --kills) kills="${2:?}"; shift 2 ;;
    --kills=*) kills="${1#*=}"; shift ;;
    *) echo "usage: run-txn.sh [--target brook|kafka] [--keep-logs] [--only CHECK,CHECK] [--kills N]" >&2; exit 2 ;;
  esac
done
wanted() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
[[ "$target" == brook || "$target" == kafka ]] || { echo "unknown target $target" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-txn.XXXXXX")"
data="$work/data"
logs="$work/logs"
mkdir -p "$data" "$logs"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bootstrap="127.0.0.1:$port"
broker_pid=""
child_pids=()
passed=0
failed=0
run_id="$(date +%s)-$$"

# Compiled once into .cache/txn-java (again only when the source changed).
java_srcs=("$here"/java/*.java)
java_out="$root/.cache/txn-java"
java_stamp="$java_out/.stamp-$(cat "${java_srcs[@]}" | sha1sum | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -d "$java_out" -cp "$root/.cache/java-libs/*" "${java_srcs[@]}" && touch "$java_stamp"
fi
log4j=-Dlog4j2.configurationFile="$root/tests/compat/java/log4j2.properties"
java_run=(java "$log4j" -cp "$java_out:$root/.cache/java-libs/*" TxnCheck)
# Kafka's transactions tool: TxnToolShell runs TransactionsCommand (what kafka-transactions.sh starts) once
# per line in one JVM.
tool_shell=(java "$log4j" -cp "$java_out:$root/.cache/java-libs/*" TxnToolShell)
python_run=("$root/.cache/venv/bin/python" "$here/python/txn_clients.py")
# franz-go from tests/compat/go (txn.go), built into .cache/txn-go when the Go sources changed.
franz_bin="$root/.cache/txn-go/franz-compat"
if command -v go >/dev/null; then
  go_stamp="$root/.cache/txn-go/.stamp-$(cat "$root"/tests/compat/go/*.go "$root"/tests/compat/go/go.sum | sha1sum | cut -c1-12)"
  if [[ ! -f "$go_stamp" ]]; then
    rm -rf "$root/.cache/txn-go" && mkdir -p "$root/.cache/txn-go"
    (cd "$root/tests/compat/go" && go build -o "$franz_bin" .) >> "$logs/go-build.log" 2>&1 && touch "$go_stamp"
  fi
fi

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
  for pid in "${child_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  stop_broker >/dev/null 2>&1
  if ((keep_logs)); then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

result() {
  if [[ "$2" == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "$2 $1${3:+ ($3)}"
}

# The FAIL lines of a check program's output, joined (or its last lines when it printed none).
reasons() {
  local r
  r="$(grep '^FAIL' "$1" | tr '\n' ' ')"
  [[ -n "$r" ]] || r="$(tail -3 "$1" | tr '\n' ' ')"
  printf '%s' "$r"
}

check_java_visibility() {
  local log="$logs/java-visibility.log"
  if timeout 180 "${java_run[@]}" visibility "$bootstrap" "vis-$run_id" "vis-$run_id" > "$log" 2>&1; then
    result java-visibility PASS "$(grep -c '^ok' "$log") assertions: commit, abort, interleaved abort, open transaction held at the LSO 6 s"
  else
    result java-visibility FAIL "$(reasons "$log")"
  fi
}

check_java_eos_kill() {
  local check=java-eos-kill count=5000 in="eos-in-$run_id" out="eos-out-$run_id" group="eos-$run_id"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$in" 3 "$count" >> "$logs/setup.log" 2>&1 ||
    ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$out" 3 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local i pid delays=()
  for i in $(seq 1 "$kills"); do
    "${java_run[@]}" process "$bootstrap" "$in" "$out" "$group" "eos-txid-$run_id" 2 >> "$logs/$check-$i.log" 2>&1 &
    pid=$!
    child_pids+=("$pid")
    # A random moment 0.1-2.0 s after its first commit (JVM start, group join and recovery before it vary).
    local deadline=$((SECONDS + 90))
    while ((SECONDS < deadline)) && ! grep -qs "first transaction committed" "$logs/$check-$i.log"; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    local delay_ms=$((100 + RANDOM % 1900))
    delays+=("$delay_ms")
    sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if ! timeout 240 "${java_run[@]}" process "$bootstrap" "$in" "$out" "$group" "eos-txid-$run_id" 2 finish >> "$logs/$check-final.log" 2>&1; then
    result "$check" FAIL "the last run did not catch up: $(tail -3 "$logs/$check-final.log" | tr '\n' ' ')"
    return
  fi
  if ! timeout 120 "${java_run[@]}" read "$bootstrap" "$out" read_committed 90 > "$work/$check-rc" 2>> "$logs/$check-read.log" ||
    ! timeout 120 "${java_run[@]}" read "$bootstrap" "$out" read_uncommitted 90 > "$work/$check-ru" 2>> "$logs/$check-read.log"; then
    result "$check" FAIL "reading the output failed: $(tail -3 "$logs/$check-read.log" | tr '\n' ' ')"
    return
  fi
  local problem
  problem="$(python3 - "$count" "$work/$check-rc" "$work/$check-ru" "${delays[*]}" <<'PY'
import sys
count, rc_file, ru_file, delays = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rc = [l.strip() for l in open(rc_file) if l.strip()]
ru = [l.strip() for l in open(ru_file) if l.strip()]
seen = {}
for v in rc: seen[v] = seen.get(v, 0) + 1
twice = sorted((int(v) for v, n in seen.items() if n > 1))
missing = [i for i in range(count) if str(i) not in seen]
extra = sorted(v for v in seen if not v.isdigit() or int(v) >= count)
problems = []
if twice: problems.append(f"{len(twice)} input records twice in the output, first {twice[:5]}")
if missing: problems.append(f"{len(missing)} input records missing from the output, first {missing[:5]}")
if extra: problems.append(f"unexpected output values {extra[:5]}")
summary = (f"{len(rc)} output records under read_committed for {count} inputs; {len(ru) - len(rc)} aborted copies "
           f"left by the kills (read_uncommitted {len(ru)}); killed {delays} ms after a run's first commit")
if len(ru) <= len(rc): problems.append("no kill left an aborted record: the kills proved nothing")
print("; ".join(problems) + f" ({summary})" if problems else summary)
sys.exit(1 if problems else 0)
PY
)"
  if [[ $? -eq 0 ]]; then result "$check" PASS "$problem"; else result "$check" FAIL "$problem"; fi
}

check_franz_txn() {
  local check=franz-txn
  if [[ ! -x "$franz_bin" ]]; then
    result "$check" FAIL "$franz_bin missing (go build failed or no go: $(tail -2 "$logs/go-build.log" 2>/dev/null | tr '\n' ' '))"
    return
  fi
  local log="$logs/$check.log"
  if timeout 240 "$franz_bin" txn "$bootstrap" "franz-in-$run_id" "franz-out-$run_id" "franz-$run_id" 2000 > "$log" 2>&1; then
    result "$check" PASS "$(grep '^PASS' "$log" | sed 's/^PASS //')"
  else
    result "$check" FAIL "$(tail -3 "$log" | tr '\n' ' ')"
  fi
}

# CHECK CLIENT: the Python transactional producer CLIENT (confluent or kafkapython) with read_committed.
check_python_txn() {
  local check="$1" client="$2" topic="$1-$run_id" log="$logs/$1.log"
  if [[ ! -x "${python_run[0]}" ]]; then
    result "$check" FAIL "${python_run[0]} missing: run .ci/install-peers.sh"
    return
  fi
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" 2 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  if timeout 180 "${python_run[@]}" "$client" "$bootstrap" "$topic" "$check-$run_id" > "$log" 2>&1; then
    result "$check" PASS "$(grep -c '^ok' "$log") assertions: commit, abort, open transaction invisible 5 s, then visible"
  else
    result "$check" FAIL "$(reasons "$log")"
  fi
}

# Kafka's transactions tool while a Java producer holds a transaction open on partition 0, and after it commits.
check_java_share_committed() {
  local log="$logs/java-share-committed.log"
  if timeout 120 "${java_run[@]}" share "$bootstrap" "share-$run_id" "share-tx-$run_id" > "$log" 2>&1; then
    result java-share-committed PASS "$(grep -c '^ok' "$log") assertions: open, aborted and committed transactions in read_committed and read_uncommitted share groups"
  else
    result java-share-committed FAIL "$(reasons "$log")"
  fi
}

check_raw_edges() {
  local log="$logs/raw-edges.log"
  if timeout 60 node "$root/dist/tests/compat/txn/raw-edges.js" "$bootstrap" "$run_id" > "$log" 2>&1; then
    result raw-edges PASS "$(head -1 "$log")"
  else
    result raw-edges FAIL "$(tail -4 "$log" | tr '\n' ' ')"
  fi
}

check_txn_tool() {
  local check=txn-tool topic="tool-$run_id" txid="tool-txid-$run_id" log="$logs/txn-tool.log"
  if ! timeout 120 "${java_run[@]}" setup "$bootstrap" "$topic" 1 >> "$logs/setup.log" 2>&1; then
    result "$check" FAIL "setup failed: $(tail -3 "$logs/setup.log" | tr '\n' ' ')"
    return
  fi
  local ready="$work/tool-ready" release="$work/tool-release"
  "${java_run[@]}" hold "$bootstrap" "$topic" "$txid" "$ready" "$release" >> "$logs/txn-tool-hold.log" 2>&1 &
  local holder=$!
  child_pids+=("$holder")
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)) && [[ ! -s "$ready" ]]; do sleep 0.2; done
  if [[ ! -s "$ready" ]]; then
    result "$check" FAIL "the holding producer did not start a transaction: $(tail -3 "$logs/txn-tool-hold.log" | tr '\n' ' ')"
    return
  fi
  local tool_out="$work/tool-out"
  mkdir -p "$tool_out"
  mkfifo "$work/tool-in" "$work/tool-stdout"
  "${tool_shell[@]}" < "$work/tool-in" > "$work/tool-stdout" 2>> "$log" &
  child_pids+=($!)
  exec 7> "$work/tool-in" 8< "$work/tool-stdout"
  run_tool() { # NAME ARGS...: the tool's output into $tool_out/NAME, "exit RC" on its last line
    local name="$1" line
    shift
    echo "--bootstrap-server $bootstrap $*" >&7
    : > "$tool_out/$name"
    while IFS= read -r -t 120 line <&8; do
      if [[ "$line" == "__END__ "* ]]; then
        echo "exit ${line#__END__ }" >> "$tool_out/$name"
        break
      fi
      printf '%s\n' "$line" >> "$tool_out/$name"
    done
    { echo "== $name: $*"; cat "$tool_out/$name"; } >> "$log"
  }
  run_tool list-open list
  run_tool describe-open describe --transactional-id "$txid"
  run_tool producers-open describe-producers --topic "$topic" --partition 0
  run_tool hanging-open find-hanging --broker-id 1
  run_tool hanging-topic-open find-hanging --broker-id 1 --topic "$topic" --max-transaction-timeout 0
  touch "$release"
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)) && [[ ! -f "$ready.done" ]]; do sleep 0.2; done
  run_tool list-done list
  run_tool describe-done describe --transactional-id "$txid"
  run_tool producers-done describe-producers --topic "$topic" --partition 0
  run_tool hanging-done find-hanging --broker-id 1
  exec 7>&- 8<&-
  local problem
  problem="$(python3 - "$tool_out" "$txid" "$topic" "$(head -1 "$ready")" "$([[ -f "$ready.done" ]] && echo yes)" <<'PY'
import os, sys
out, txid, topic, first, committed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "yes"

def table(name):
    """The tool's table: a list of dicts from its header line (columns split on runs of spaces)."""
    lines = [l.rstrip("\n") for l in open(os.path.join(out, name))]
    code = lines.pop() if lines and lines[-1].startswith("exit ") else "exit ?"
    rows = [l.split() for l in lines if l.strip()]
    if not rows:
        return code, []
    header = rows[0]
    return code, [dict(zip(header, r)) for r in rows[1:]]

problems = []
def check(ok, what):
    if not ok: problems.append(what)

code, rows = table("list-open")
mine = [r for r in rows if r.get("TransactionalId") == txid]
check(code == "exit 0" and len(mine) == 1 and mine[0].get("TransactionState") == "Ongoing" and mine[0].get("Coordinator") == "1",
      f"list while open: {code} {mine or rows[:3]}")
pid = mine[0].get("ProducerId") if mine else None
code, rows = table("describe-open")
d = rows[0] if rows else {}
check(code == "exit 0" and len(rows) == 1 and d.get("TransactionalId") == txid and d.get("ProducerId") == pid
      and d.get("TransactionState") == "Ongoing" and d.get("CoordinatorId") == "1"
      and d.get("TransactionTimeoutMs") == "60000" and d.get("TopicPartitions") == f"{topic}-0"
      and d.get("CurrentTransactionStartTimeMs", "-1") not in ("-1", "None"),
      f"describe while open: {code} {rows}")
code, rows = table("producers-open")
p = [r for r in rows if r.get("ProducerId") == pid]
check(code == "exit 0" and len(p) == 1 and p[0].get("CurrentTransactionStartOffset") == str(first)
      and p[0].get("LastSequence") == "9" and p[0].get("ProducerEpoch") == d.get("ProducerEpoch"),
      f"describe-producers while open (want producer {pid}, start offset {first}, last sequence 9): {code} {rows}")
for name in ("hanging-open", "hanging-topic-open"):
    code, rows = table(name)
    check(code == "exit 0" and rows == [], f"{name}: a transaction the coordinator knows is not hanging: {code} {rows}")
check(committed, "the holding producer did not commit")
code, rows = table("list-done")
mine = [r for r in rows if r.get("TransactionalId") == txid]
check(code == "exit 0" and len(mine) == 1 and mine[0].get("TransactionState") == "CompleteCommit",
      f"list after the commit: {code} {mine or rows[:3]}")
code, rows = table("describe-done")
d2 = rows[0] if rows else {}
check(code == "exit 0" and len(rows) == 1 and d2.get("TransactionState") == "CompleteCommit"
      and d2.get("ProducerId") == pid and "TopicPartitions" not in d2,
      f"describe after the commit: {code} {rows}")
code, rows = table("producers-done")
p = [r for r in rows if r.get("ProducerId") == pid]
check(code == "exit 0" and len(p) == 1 and p[0].get("CurrentTransactionStartOffset") == "None",
      f"describe-producers after the commit: {code} {rows}")
code, rows = table("hanging-done")
check(code == "exit 0" and rows == [], f"find-hanging after the commit: {code} {rows}")
print("; ".join(problems) if problems else
      f"list/describe/describe-producers/find-hanging while open (producer {pid}, start offset {first}) and after the commit")
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
wanted java-visibility && check_java_visibility
wanted confluent-txn && check_python_txn confluent-txn confluent
wanted kafkapython-txn && check_python_txn kafkapython-txn kafkapython
wanted txn-tool && check_txn_tool
wanted franz-txn && check_franz_txn
wanted raw-edges && check_raw_edges
wanted java-share-committed && check_java_share_committed
wanted java-eos-kill && check_java_eos_kill
((failed > 0)) && keep_logs=1
echo "$passed passed, $failed failed"
((failed == 0))
