#!/usr/bin/env bash
# CPU-profiles a Brook broker serving Kafka's ConsumerPerformance: fills a topic without the profiler, restarts
# Brook on the same data with --cpu-prof, consumes everything, and prints the top functions.
# Usage: bash bench/profile-fetch.sh [RECORDS] [PROFILE_DIR]   (dist/ built, bench/kafka/install.sh run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-300000}"
prof_dir="${2:-/tmp/brook-prof-fetch}"
data="$(mktemp -d "${TMPDIR:-/tmp}/bench-prof-brook-XXXXXX")"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
rm -rf "$prof_dir"
mkdir -p "$prof_dir"
brook_pid=""
stop_brook() {
  [[ -n "$brook_pid" ]] || return 0
  kill -INT "$brook_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$brook_pid" 2>/dev/null || true
  brook_pid=""
}
trap 'stop_brook; rm -rf "$data"' EXIT
start_brook() {
  : > "$prof_dir/brook.out"
  node "$@" "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$data" --num-partitions 16 \
    --group-initial-rebalance-delay-ms 0 > "$prof_dir/brook.out" 2>&1 &
  brook_pid=$!
  until grep -q 'listening on' "$prof_dir/brook.out"; do
    kill -0 "$brook_pid" 2>/dev/null || { cat "$prof_dir/brook.out" >&2; exit 1; }
    sleep 0.1
  done
}
tool() {
  java -cp "$root/.cache/kafka/libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" "$@" 2>&1
}
start_brook --no-warnings
tool org.apache.kafka.tools.ProducerPerformance --topic prof-fetch --num-records "$records" --record-size 1024 \
  --throughput -1 --command-property "bootstrap.servers=127.0.0.1:$port" acks=1 linger.ms=5 batch.size=65536 \
  | grep -E 'records sent' | tail -1
stop_brook
start_brook --cpu-prof --cpu-prof-dir="$prof_dir"
tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$port" --topic prof-fetch \
  --num-records "$records" | tail -2
stop_brook
profile="$(ls -t "$prof_dir"/*.cpuprofile | head -1)"
node "$root/dist/bench/cpu-profile-summary.js" "$profile" "${TOP:-30}"
