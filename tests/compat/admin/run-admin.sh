#!/usr/bin/env bash
# Kafka 4.4's Java Admin client and command-line tools against Apache Kafka 4.4 and against a real `brook start`
# (#9): AdminSurface.java calls every Admin method on each broker; the outcomes are compared line by line.
# A difference must be listed in expected-differences.tsv (what Brook answers instead, and why), and every listed
# difference must still occur, so the list (and docs/admin-surface.md, which is written from it) stays true.
# Then kafka-features.sh describe, kafka-acls.sh --list, kafka-leader-election.sh, kafka-metadata-quorum.sh and kafka-consumer-groups.sh
# --delete-offsets run against both. Ends with one line `N passed, N failed`; exits 1 on any failure.
# Usage: tests/compat/admin/run-admin.sh [--keep-logs]   (about 70 s: Kafka starts, then each broker in turn)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
keep_logs=0
while (($#)); do
  case "$1" in
    --keep-logs) keep_logs=1; shift ;;
    *) echo "usage: run-admin.sh [--keep-logs]" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/brook-admin.XXXXXX")"
passed=0
failed=0
broker_pid=""
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
cleanup() {
  if [[ -f "$work/kafka/kafka.pid" ]]; then bash "$root/bench/kafka/stop.sh" "$work/kafka" >/dev/null 2>&1 || true; fi
  if [[ -n "$broker_pid" ]]; then kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null; fi
  if ((keep_logs)); then echo "logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

java_out="$root/.cache/admin-java"
java_stamp="$java_out/.stamp-$(sha1sum < "$here/AdminSurface.java" | cut -c1-12)"
if [[ ! -f "$java_stamp" ]]; then
  rm -rf "$java_out" && mkdir -p "$java_out"
  javac -nowarn -d "$java_out" -cp "$root/.cache/java-libs/*" "$here/AdminSurface.java" 2>/dev/null && touch "$java_stamp"
fi
java_run() { java -cp "$java_out:$root/.cache/java-libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" "$@"; }
tool() { java -cp "$root/.cache/kafka/libs/*" -Dlog4j2.configurationFile="$root/bench/kafka/log4j2.properties" "$@"; }

# The command-line tools against one broker; their output, normalised, goes to $1.tools.
run_tools() {
  local name="$1" bootstrap="$2" out="$work/$1.tools"
  {
    echo "## kafka-features.sh describe"
    tool org.apache.kafka.tools.FeatureCommand --bootstrap-server "$bootstrap" describe 2>&1 | sed -E 's/Epoch: [0-9]+/Epoch: N/'
    echo "exit ${PIPESTATUS[0]}"
    echo "## kafka-acls.sh --list"
    tool org.apache.kafka.tools.AclCommand --bootstrap-server "$bootstrap" --list 2>&1 | grep -E '^(Caused by|Error)' | head -2
    echo "exit ${PIPESTATUS[0]}"
    # The cluster id, the metadata log's offsets and the voter's listener differ by nature (Brook's listener is
    # PLAINTEXT, Kafka's quorum answers its CONTROLLER listener).
    echo "## kafka-metadata-quorum.sh describe --status"
    tool org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$bootstrap" describe --status 2>&1 \
      | sed -E 's/^(ClusterId|HighWatermark):( +).*/\1:\2X/; s/"endpoints": \[[^]]*\]/"endpoints": [X]/'
    echo "exit ${PIPESTATUS[0]}"
    echo "## kafka-leader-election.sh --election-type PREFERRED --all-topic-partitions"
    tool org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$bootstrap" --election-type PREFERRED --all-topic-partitions 2>&1 | head -3
    echo "exit ${PIPESTATUS[0]}"
  } > "$out"
}

# Kafka first: it proves the program and the tools.
kafka_port="$(free_port)"
if ! bash "$root/bench/kafka/start.sh" "$kafka_port" "$work/kafka" > "$work/kafka-start.log" 2>&1; then
  cat "$work/kafka-start.log"; fail "Kafka 4.4 did not start"; echo "$passed passed, $failed failed"; exit 1
fi
java_run AdminSurface "127.0.0.1:$kafka_port" "admin-kafka" 2> "$work/kafka.err" | grep -P '^[a-zA-Z][^\t]*\t' > "$work/kafka.tsv"
run_tools kafka "127.0.0.1:$kafka_port"
bash "$root/bench/kafka/stop.sh" "$work/kafka" > /dev/null 2>&1
rm -f "$work/kafka/kafka.pid"

brook_port="$(free_port)"
node "$root/bin/brook.js" start --no-console --port "$brook_port" --data-dir "$work/brook-data" > "$work/brook.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$brook_port") 2>/dev/null && break; sleep 0.1; done
java_run AdminSurface "127.0.0.1:$brook_port" "admin-brook" 2> "$work/brook.err" | grep -P '^[a-zA-Z][^\t]*\t' > "$work/brook.tsv"
run_tools brook "127.0.0.1:$brook_port"

# Compare the Admin methods' outcomes.
methods_kafka="$(cut -f1 "$work/kafka.tsv" | wc -l)"
if [[ "$methods_kafka" -lt 75 ]]; then fail "AdminSurface ran only $methods_kafka calls against Kafka (see $work/kafka.err)"; fi
python3 "$here/compare.py" "$work/kafka.tsv" "$work/brook.tsv" "$here/expected-differences.tsv"
if [[ ${PIPESTATUS[0]} -eq 0 ]]; then
  pass "Admin methods: Brook answers as Kafka 4.4, or as expected-differences.tsv says"
else
  fail "Admin methods differ from Kafka 4.4 beyond expected-differences.tsv (above)"
fi

# The tools: the same output (epochs aside), except kafka-features.sh, whose feature list differs as listed.
for section in "kafka-acls.sh --list" "kafka-leader-election.sh" "kafka-metadata-quorum.sh"; do
  k="$(awk -v s="## $section" 'index($0, s) == 1 {on=1; next} /^## / {on=0} on' "$work/kafka.tools")"
  b="$(awk -v s="## $section" 'index($0, s) == 1 {on=1; next} /^## / {on=0} on' "$work/brook.tools")"
  if [[ "$k" == "$b" ]]; then pass "$section: as on Kafka 4.4 ($(echo "$k" | tr '\n' ' ' | cut -c1-100))"
  else fail "$section: Kafka 4.4 printed [$k], Brook [$b]"; fi
done
features="$(awk '/^## kafka-features.sh/ {on=1; next} /^## / {on=0} on' "$work/brook.tools")"
if grep -q "Feature: metadata.version.*FinalizedVersionLevel: 4.4-IV2" <<< "$features" && grep -q "^exit 0" <<< "$features"; then
  pass "kafka-features.sh describe: $(grep -c '^Feature' <<< "$features") features, metadata.version 4.4-IV2"
else
  fail "kafka-features.sh describe: $features"
fi
echo "$passed passed, $failed failed"
((failed == 0))
