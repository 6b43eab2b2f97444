#!/usr/bin/env bash
# Runs the console's browser suite (tests/console) against Apache Kafka 4.4 through `brook console -b`:
# starts one Kafka node with bench/kafka/start.sh on a free port in a temporary directory, points
# BROOK_CONSOLE_BOOTSTRAP at it, and stops it afterwards.
# Usage: bash tests/console/run-against-kafka.sh   (after npm run build; BROOK_CONSOLE_SCREENSHOTS=DIR saves PNGs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
trap 'bash "$root/bench/kafka/stop.sh" "$data"; rm -rf "$data"' EXIT
KAFKA_HEAP="${KAFKA_HEAP:-512m}" bash "$root/bench/kafka/start.sh" "$port" "$data"
BROOK_CONSOLE_BOOTSTRAP="127.0.0.1:$port" node --test --test-reporter=spec --test-concurrency=1 "$root/dist/tests/console"
