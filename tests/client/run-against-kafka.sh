#!/usr/bin/env bash
# Runs the SDK suite (tests/client) against Apache Kafka 4.4: starts one node with bench/kafka/start.sh on a
# free port in a temporary directory, points BROOK_SDK_KAFKA_BOOTSTRAP at it, and stops it afterwards.
# Usage: bash tests/client/run-against-kafka.sh   (after npm run build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
trap 'bash "$root/bench/kafka/stop.sh" "$data"; rm -rf "$data"' EXIT
# Short KIP-848 sessions, as the in-process Brook of target.ts has, so a killed member's partitions move
# within a test (Kafka's defaults are 45 s and 5 s, and its minimums as large).
export KAFKA_EXTRA_PROPS="group.consumer.session.timeout.ms=6000 group.consumer.min.session.timeout.ms=6000 group.consumer.heartbeat.interval.ms=1000 group.consumer.min.heartbeat.interval.ms=1000"
KAFKA_HEAP="${KAFKA_HEAP:-512m}" bash "$root/bench/kafka/start.sh" "$port" "$data"
BROOK_SDK_KAFKA_BOOTSTRAP="127.0.0.1:$port" node --test --test-reporter=spec --test-concurrency=1 "$root/dist/tests/client"
