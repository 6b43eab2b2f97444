#!/usr/bin/env bash
# Dynamic configuration through Kafka's own tools (#9), against a fresh `brook start` (default) or Apache
# Kafka 4.4 (`--target kafka`, which proves the checks themselves): kafka-configs.sh on a broker
# (--entity-name 1), the cluster-wide default (--entity-default), custom (unknown) broker config names,
# broker loggers and a group (its configs kept after the group is deleted); the Java
# Admin's listConfigResources; a lowered message.max.bytes refusing a record at once; and the dynamic
# configs still there after the broker restarts; then configs-applied.py (topic configs a single node lists:
# min.insync.replicas, tiered storage, compression levels). Prints an `ok ...` line per check; exits 0, or 1 on the first failure.
# Usage: tests/compat/configs/run-configs.sh [--target brook|kafka] [--keep-logs]
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
    *) echo "usage: run-configs.sh [--target brook|kafka] [--keep-logs]" >&2; exit 2 ;;
  esac
done
python="$root/.cache/venv/bin/python"
[[ -x "$python" ]] || { echo "FAIL configs: kafka-python 3 venv missing (.ci/install-peers.sh)" >&2; exit 1; }
libs="$root/.cache/kafka/libs"
[[ -d "$libs" ]] || { echo "FAIL configs: Kafka 4.4 missing (bench/kafka/install.sh)" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/brook-configs.XXXXXX")"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
bootstrap="127.0.0.1:$port"
broker_pid=""
status=1

start_broker() {
  if [[ "$target" == kafka ]]; then
    KAFKA_HEAP=512m bash "$root/bench/kafka/start.sh" "$port" "$work/data" >> "$work/broker.log" 2>&1 \
      || { echo "FAIL configs: kafka did not start" >&2; return 1; }
  else
    : > "$work/broker.log"
    node "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$work/data" > "$work/broker.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 1 300); do grep -q listening "$work/broker.log" 2>/dev/null && break; sleep 0.1; done
    grep -q listening "$work/broker.log" || { echo "FAIL configs: brook did not start" >&2; return 1; }
  fi
}
stop_broker() {
  if [[ "$target" == kafka ]]; then bash "$root/bench/kafka/stop.sh" "$work/data" >/dev/null 2>&1
  elif [[ -n "$broker_pid" ]]; then kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null; broker_pid=""; fi
}
cleanup() {
  stop_broker
  if ((status == 0 && keep_logs == 0)); then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT

java_tool() {
  java -Xmx256m -cp "$libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" "$@" 2>&1
}
configs() { java_tool org.apache.kafka.tools.ConfigCommand --bootstrap-server "$bootstrap" "$@"; }

# expect NAME OUTPUT LINE...: every LINE must appear in OUTPUT as a whole line (leading spaces ignored).
expect() {
  local name="$1" out="$2"; shift 2
  local line
  for line in "$@"; do
    if ! sed 's/^ *//' <<< "$out" | grep -qxF -- "$line"; then
      echo "FAIL $name: no line '$line' in:" >&2; echo "$out" >&2; return 1
    fi
  done
  echo "ok $name"
}
# expect_error NAME OUTPUT TEXT: the tool failed with TEXT in its output.
expect_error() {
  if grep -qF -- "$3" <<< "$2"; then echo "ok $1"; else echo "FAIL $1: no '$3' in:" >&2; echo "$2" >&2; return 1; fi
}

topic="configs-$$"
retention_line='log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000, DEFAULT_CONFIG:log.retention.hours=168}'
max_bytes_line='message.max.bytes=2000000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:message.max.bytes=2000000, DEFAULT_CONFIG:message.max.bytes=1048588}'

broker_configs() {
  local out
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config log.retention.ms=3600000,message.max.bytes=2000000)"
  expect "brokers --entity-name 1 --alter" "$out" "Completed updating config for broker 1." || return 1
  out="$(configs --entity-type brokers --entity-default --alter --add-config log.segment.bytes=2097152,log.retention.ms=7200000)"
  expect "brokers --entity-default --alter" "$out" "Completed updating default config for brokers in the cluster." || return 1
  out="$(configs --entity-type brokers --entity-name 1 --describe)"
  expect "brokers --entity-name 1 --describe: this broker over the cluster default over the default" "$out" \
    "Dynamic configs for broker 1 are:" "$retention_line" "$max_bytes_line" || return 1
  out="$(configs --entity-type brokers --entity-default --describe)"
  expect "brokers --entity-default --describe" "$out" "Default configs for brokers in the cluster are:" \
    'log.retention.ms=7200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000}' \
    'log.segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2097152}' || return 1
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config num.partitions=3)"
  expect_error "a read-only broker config is refused" "$out" \
    "InvalidRequestException: Cannot update these configs dynamically: [num.partitions]" || return 1
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config message.max.bytes=abc)"
  expect_error "a bad broker value is refused" "$out" \
    "InvalidRequestException: Invalid value abc for configuration message.max.bytes: Not a number of type INT" || return 1
}

# A topic without overrides takes the dynamic values at once: segment.bytes from the cluster default, and a
# record over a lowered message.max.bytes is refused by the broker.
applied_live() {
  local out
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --topic "$topic" >/dev/null
  out="$(configs --entity-type topics --entity-name "$topic" --describe --all)"
  expect "the topic falls back to the dynamic values" "$out" \
    'retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000, DEFAULT_CONFIG:log.retention.hours=168}' \
    'segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2097152, DEFAULT_CONFIG:log.segment.bytes=1073741824}' || return 1
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config message.max.bytes=1000)"
  expect "message.max.bytes lowered to 1000" "$out" "Completed updating config for broker 1." || return 1
  "$python" - "$bootstrap" "$topic" <<'PY' || return 1
import sys
from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError
producer = KafkaProducer(bootstrap_servers=sys.argv[1], retries=0, linger_ms=0)
producer.send(sys.argv[2], b'x' * 100).get(timeout=15)
try:
    producer.send(sys.argv[2], b'x' * 5000).get(timeout=15)
except MessageSizeTooLargeError:
    print('ok a 5,000-byte record is refused (MESSAGE_TOO_LARGE) right after the change; 100 bytes pass')
    sys.exit(0)
print('FAIL a 5,000-byte record passed message.max.bytes=1000', file=sys.stderr)
sys.exit(1)
PY
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config message.max.bytes=2000000)"
  expect "message.max.bytes back to 2000000" "$out" "Completed updating config for broker 1."
}

broker_loggers() {
  local out level
  out="$(configs --entity-type broker-loggers --entity-name 1 --describe)"
  level="$(sed -n 's/^ *root=\([A-Z]*\) .*/\1/p' <<< "$out")"
  [[ -n "$level" ]] || { echo "FAIL broker-loggers --describe: no root logger in:" >&2; echo "$out" >&2; return 1; }
  echo "ok broker-loggers --describe: root=$level"
  out="$(configs --entity-type broker-loggers --entity-name 1 --alter --add-config root=DEBUG)"
  expect "broker-loggers --alter root=DEBUG" "$out" "Completed updating config for broker-logger 1." || return 1
  out="$(configs --entity-type broker-loggers --entity-name 1 --describe)"
  expect "broker-loggers --describe after the change" "$out" "root=DEBUG sensitive=false synonyms={}" || return 1
  out="$(configs --entity-type broker-loggers --entity-name 1 --alter --add-config root=LOUD)"
  expect_error "an unknown level is refused" "$out" \
    "Cannot set the log level of root to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN" || return 1
  out="$(configs --entity-type broker-loggers --entity-name 1 --alter --delete-config root)"
  expect_error "removing the root level is refused" "$out" "Removing the log level of the root logger is not allowed" || return 1
  out="$(configs --entity-type broker-loggers --entity-name 1 --alter --add-config "root=$level")"
  expect "broker-loggers root back to $level" "$out" "Completed updating config for broker-logger 1."
}

group_configs() {
  local out
  out="$(configs --entity-type groups --entity-name "g-$$" --alter --add-config consumer.session.timeout.ms=50000,share.delivery.count.limit=3)"
  expect "groups --alter" "$out" "Completed updating config for group g-$$." || return 1
  out="$(configs --entity-type groups --entity-name "g-$$" --describe)"
  expect "groups --describe" "$out" "Dynamic configs for group g-$$ are:" \
    'consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}' \
    'share.delivery.count.limit=3 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:share.delivery.count.limit=3, DEFAULT_CONFIG:group.share.delivery.count.limit=5}' || return 1
  out="$(configs --entity-type groups --entity-name "g-$$" --alter --add-config consumer.session.timeout.ms=5)"
  expect_error "a group value out of bounds is refused" "$out" \
    "InvalidConfigurationException: consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive." || return 1
  out="$(configs --entity-type groups --entity-name "g-$$" --alter --add-config no.such.config=1)"
  expect_error "an unknown group config is refused" "$out" "InvalidConfigurationException: Unknown group config name: no.such.config"
}

list_config_resources() {
  local out want="BROKER:1 BROKER_LOGGER:1 GROUP:g-$$ TOPIC:$topic"
  out="$(java_tool "$here/ListConfigResources.java" "$bootstrap")"
  # Kafka lists its internal topics too when they exist; compare the rest.
  out="$(tr ' ' '\n' <<< "$out" | grep -v '^TOPIC:__' | tr '\n' ' ' | sed 's/ $//')"
  if [[ "$out" == "$want" ]]; then echo "ok Admin.listConfigResources(): $out"
  else echo "FAIL Admin.listConfigResources(): '$out', expected '$want'" >&2; return 1; fi
  out="$(java_tool "$here/ListConfigResources.java" "$bootstrap" GROUP BROKER)"
  if [[ "$out" == "BROKER:1 GROUP:g-$$" ]]; then echo "ok Admin.listConfigResources(GROUP, BROKER): $out"
  else echo "FAIL Admin.listConfigResources(GROUP, BROKER): '$out'" >&2; return 1; fi
}

# Names the broker does not know are kept as custom configs (Kafka keeps them for plugins): shown with no
# value, as sensitive, at the level they were set (#9).
custom_line_default='some.custom.name=null sensitive=true synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:some.custom.name=null}'
custom_line_broker='other.custom.name=null sensitive=true synonyms={DYNAMIC_BROKER_CONFIG:other.custom.name=null}'
custom_broker_configs() {
  local out
  out="$(configs --entity-type brokers --entity-default --alter --add-config some.custom.name=1)"
  expect "brokers --entity-default --alter an unknown name" "$out" "Completed updating default config for brokers in the cluster." || return 1
  out="$(configs --entity-type brokers --entity-name 1 --alter --add-config other.custom.name=abc)"
  expect "brokers --entity-name 1 --alter an unknown name" "$out" "Completed updating config for broker 1." || return 1
  out="$(configs --entity-type brokers --entity-default --describe)"
  expect "brokers --entity-default --describe shows the custom config" "$out" "$custom_line_default" || return 1
  out="$(configs --entity-type brokers --entity-name 1 --describe)"
  expect "brokers --entity-name 1 --describe shows the custom config" "$out" "$custom_line_broker"
}

# Deleting a consumer group leaves its GROUP configs, as Kafka 4.4 does (#9).
group_configs_after_delete() {
  local out group="gdel-$$"
  "$python" - "$bootstrap" "$topic" "$group" <<'PY' || return 1
import sys
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
consumer = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=sys.argv[3], enable_auto_commit=False)
consumer.commit({TopicPartition(sys.argv[2], 0): OffsetAndMetadata(0, '', -1)})
consumer.close()
PY
  out="$(configs --entity-type groups --entity-name "$group" --alter --add-config consumer.session.timeout.ms=50000)"
  expect "groups --alter before the delete" "$out" "Completed updating config for group $group." || return 1
  out="$(java_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$bootstrap" --delete --group "$group")"
  expect "kafka-consumer-groups --delete" "$out" "Deletion of requested consumer groups ('$group') was successful." || return 1
  out="$(configs --entity-type groups --entity-name "$group" --describe)"
  expect "groups --describe after the group is deleted: its configs stay" "$out" "Dynamic configs for group $group are:" \
    'consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}'
}

after_restart() {
  local out
  stop_broker
  start_broker || return 1
  out="$(configs --entity-type brokers --entity-name 1 --describe)"
  expect "brokers --describe after a restart" "$out" "$retention_line" "$max_bytes_line" "$custom_line_broker" || return 1
  out="$(configs --entity-type groups --entity-name "g-$$" --describe)"
  expect "groups --describe after a restart" "$out" \
    'consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}'
}

start_broker \
  && broker_configs \
  && applied_live \
  && broker_loggers \
  && group_configs \
  && list_config_resources \
  && custom_broker_configs \
  && group_configs_after_delete \
  && after_restart \
  && "$python" "$here/configs-applied.py" "$bootstrap"
status=$?
exit "$status"
