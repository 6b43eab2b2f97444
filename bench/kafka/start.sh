#!/usr/bin/env bash
# Starts one Apache Kafka 4.4.0 KRaft node (broker and controller combined) on 127.0.0.1:PORT with its data in
# DATADIR, waits until it accepts connections, and writes DATADIR/kafka.pid. Usage: start.sh PORT DATADIR
# A DATADIR that was formatted before is reused as is, so a stop and a start keep the data (restart tests).
# Environment: KAFKA_HEAP (default 1G), KAFKA_NUM_PARTITIONS for auto-created topics (default 1), KAFKA_JAVA,
# KAFKA_ADVERTISED_PORT (default PORT: another port puts a proxy such as tests/fixtures/capture-frames.mjs in front),
# KAFKA_EXTRA_PROPS (space-separated key=value lines appended to server.properties when DATADIR is first formatted).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${1:?usage: start.sh PORT DATADIR}"
data="${2:?usage: start.sh PORT DATADIR}"
libs="$root/.cache/kafka/libs"
[[ -d "$libs" ]] || bash "$here/install.sh"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
java_bin="${KAFKA_JAVA:-java}"
heap="${KAFKA_HEAP:-1G}"
cp_arg="$libs/*"

props="$data/server.properties"
if [[ ! -f "$data/meta.formatted" ]]; then
  cport="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_ADVERTISED_PORT:-$port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/logs
num.partitions=${KAFKA_NUM_PARTITIONS:-1}
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=${KAFKA_NUM_PARTITIONS:-1}
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=${KAFKA_NUM_PARTITIONS:-1}
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  for prop in ${KAFKA_EXTRA_PROPS:-}; do echo "$prop" >> "$props"; done
  cluster_id="$("$java_bin" -cp "$cp_arg" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  "$java_bin" -cp "$cp_arg" -Dlog4j2.configurationFile="$here/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$props" > "$data/format.log" 2>&1 \
    || { cat "$data/format.log" >&2; exit 1; }
  echo "$cluster_id" > "$data/meta.formatted"
fi

# setsid gives Kafka its own process group, so the caller's Ctrl-C or trap does not race with stop.sh.
setsid "$java_bin" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -cp "$cp_arg" kafka.Kafka "$props" >> "$data/kafka.out" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$data/kafka.pid"

deadline=$((SECONDS + ${KAFKA_START_TIMEOUT_S:-90}))
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "kafka exited during start-up; last log lines:" >&2
    tail -30 "$data/kafka.out" >&2
    exit 1
  fi
  if grep -q "Kafka Server started" "$data/kafka.out" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  if (( SECONDS > deadline )); then
    echo "kafka did not start within the time limit; last log lines:" >&2
    tail -30 "$data/kafka.out" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.3
done
echo "kafka listening on 127.0.0.1:$port (pid $pid, data $data)"
