#!/usr/bin/env bash
# CPU-profiles a Brook broker under Kafka's ProducerPerformance load (acks=1, then acks=all) and prints the
# top functions by self and inclusive time. Usage: bash bench/profile-produce.sh [RECORDS] [PROFILE_DIR]
# Assumes dist/ is built (npx tsc -p .) and bench/kafka/install.sh has run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-300000}"
prof_dir="${2:-/tmp/brook-prof}"
data="$(mktemp -d "${TMPDIR:-/tmp}/bench-prof-brook-XXXXXX")"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
rm -rf "$prof_dir"
mkdir -p "$prof_dir"
node --cpu-prof --cpu-prof-dir="$prof_dir" "$root/bin/brook.js" start --no-console --port "$port" --data-dir "$data" \
  --num-partitions 16 > "$prof_dir/brook.out" 2>&1 &
brook_pid=$!
cleanup() {
  kill -INT "$brook_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$brook_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
until grep -q 'listening on' "$prof_dir/brook.out"; do
  kill -0 "$brook_pid" 2>/dev/null || { cat "$prof_dir/brook.out" >&2; exit 1; }
  sleep 0.1
done
perf() {
  java -cp "$root/.cache/kafka/libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" \
    org.apache.kafka.tools.ProducerPerformance --topic "prof-acks-$1" --num-records "$records" --record-size 1024 \
    --throughput -1 --command-property "bootstrap.servers=127.0.0.1:$port" "acks=$1" linger.ms=5 batch.size=65536 \
    2>&1 | grep -E 'records sent' | tail -1
}
echo "acks=1:   $(perf 1)"
echo "acks=all: $(perf all)"
# SIGINT lets node write the profile on its way out.
kill -INT "$brook_pid"
for _ in $(seq 1 100); do kill -0 "$brook_pid" 2>/dev/null || break; sleep 0.1; done
profile="$(ls -t "$prof_dir"/*.cpuprofile | head -1)"
node "$root/dist/bench/cpu-profile-summary.js" "$profile" "${TOP:-30}"
