#!/usr/bin/env bash
# Runs the compaction checks (compaction_check.py, txn_compaction_check.py: kafka-python 3), the topic compression.type check
# (../recompression/recompression-check.ts, raw Produce and Fetch), kafka-transactions.sh describe-producers
# and kafka-log-dirs.sh --describe against a fresh `brook start` (default) or
# Apache Kafka 4.4 (`--target kafka`, which proves the checks themselves), with the cleaner's backoff at 500 ms
# so it runs quickly. Prints each check's `ok ...` line and exits 0, or the failure and exits 1.
# Usage: tests/compat/compaction/run-compaction.sh [--target brook|kafka] [--keep-logs]
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
    *) echo "usage: run-compaction.sh [--target brook|kafka] [--keep-logs]" >&2; exit 2 ;;
  esac
done
python="$root/.cache/venv/bin/python"
[[ -x "$python" ]] || { echo "FAIL compaction: kafka-python 3 venv missing (.ci/install-peers.sh)" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/brook-compaction.XXXXXX")"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
broker_pid=""
status=1
cleanup() {
  if [[ "$target" == kafka ]]; then bash "$root/bench/kafka/stop.sh" "$work/data" >/dev/null 2>&1
  elif [[ -n "$broker_pid" ]]; then kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null; fi
  if ((status == 0 && keep_logs == 0)); then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT
if [[ "$target" == kafka ]]; then
  KAFKA_EXTRA_PROPS="log.cleaner.backoff.ms=500" bash "$root/bench/kafka/start.sh" "$port" "$work/data" > "$work/broker.log" 2>&1 \
    || { echo "FAIL compaction: kafka did not start" >&2; exit 1; }
else
  printf 'log.cleaner.backoff.ms=500\n' > "$work/brook.properties"
  node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$work/data" --config "$work/brook.properties" \
    > "$work/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 300); do grep -q listening "$work/broker.log" 2>/dev/null && break; sleep 0.1; done
  grep -q listening "$work/broker.log" || { echo "FAIL compaction: brook did not start" >&2; exit 1; }
fi
# DescribeProducers: Kafka's kafka-transactions.sh describe-producers after an idempotent producer sent 7
# records must list one producer with epoch 0, last sequence 6, no coordinator epoch and no transaction.
describe_producers() {
  local topic="producers-$$" out
  "$python" "$here/idempotent_produce.py" "127.0.0.1:$port" "$topic" || return 1
  out="$(java -cp "$root/.cache/kafka/libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" \
    org.apache.kafka.tools.TransactionsCommand --bootstrap-server "127.0.0.1:$port" describe-producers \
    --topic "$topic" --partition 0 2>&1)"
  if awk 'NR > 1 && $2 == 0 && $3 == -1 && $4 == 6 && $6 == "None" { n++ } END { exit n == 1 ? 0 : 1 }' <<< "$out"; then
    echo "ok describe-producers: one producer, epoch 0, last sequence 6"
  else
    echo "FAIL describe-producers: $out" >&2
    return 1
  fi
}
# DescribeLogDirs: Kafka's kafka-log-dirs.sh --describe, after describe_producers wrote 7 records, must show
# one broker with one log directory (the data directory's logs/, where both keep partition directories) and
# that partition with the size of its segment files on disk, offset lag 0, not a future log.
log_dirs() {
  local topic="producers-$$" out
  out="$(java -cp "$root/.cache/kafka/libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" \
    org.apache.kafka.tools.LogDirsCommand --bootstrap-server "127.0.0.1:$port" --describe --topic-list "$topic" 2>&1)"
  if node - "$out" "$work/data/logs" "$topic-0" <<'JS'
const [out, dir, name] = process.argv.slice(2)
const answer = JSON.parse(out.split('\n').find((line) => line.startsWith('{')))
const fs = require('node:fs')
const onDisk = fs.readdirSync(`${dir}/${name}`).filter((f) => f.endsWith('.log'))
  .reduce((sum, f) => sum + fs.statSync(`${dir}/${name}/${f}`).size, 0)
const [broker] = answer.brokers
const [logDir] = broker.logDirs
const [partition] = logDir.partitions
const ok = answer.brokers.length === 1 && broker.logDirs.length === 1 && logDir.logDir === dir &&
  logDir.error === null && logDir.partitions.length === 1 && partition.partition === name &&
  partition.size === onDisk && partition.size > 0 && partition.offsetLag === 0 && partition.isFuture === false
if (!ok) { console.error(`expected ${name} in ${dir} with ${onDisk} bytes`); process.exit(1) }
console.log(`ok log-dirs: ${name} in ${dir}, ${partition.size} bytes as on disk, offset lag 0`)
JS
  then return 0; fi
  echo "FAIL log-dirs: $out" >&2
  return 1
}

"$python" "$here/compaction_check.py" "127.0.0.1:$port" "compaction-$$" \
  && "$python" "$here/txn_compaction_check.py" "127.0.0.1:$port" "compaction-$$" \
  && node "$root/dist/tests/compat/recompression/recompression-check.js" "127.0.0.1:$port" "recompression-$$" \
  && describe_producers \
  && log_dirs
status=$?
exit "$status"
