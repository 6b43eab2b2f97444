#!/usr/bin/env bash
# Compat check for Kafka's own topic tool (org.apache.kafka.tools.TopicCommand, kafka-tools 4.4):
# --create a 3-partition topic with a config, then --list and --describe it. Usage: topic-tool.sh HOST:PORT PREFIX
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bootstrap="${1:?usage: topic-tool.sh HOST:PORT PREFIX}"
topic="${2:?usage: topic-tool.sh HOST:PORT PREFIX}-tool"
fail() { echo "FAIL kafka-topics (TopicCommand 4.4.0): $*" >&2; exit 1; }
tool() {
  timeout 90 java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$root/.cache/java-libs/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" "$@"
}

out="$(tool --create --topic "$topic" --partitions 3 --replication-factor 1 --config retention.ms=3600000 2>&1)" \
  || fail "--create exited non-zero: $out"
grep -q "Created topic $topic" <<<"$out" || fail "--create said: $out"

out="$(tool --list 2>&1)" || fail "--list exited non-zero: $out"
grep -qx "$topic" <<<"$out" || fail "--list does not show $topic: $out"

out="$(tool --describe --topic "$topic" 2>&1)" || fail "--describe exited non-zero: $out"
grep -q "PartitionCount: 3" <<<"$out" || fail "--describe lacks PartitionCount: 3: $out"
grep -q "retention.ms=3600000" <<<"$out" || fail "--describe lacks the topic config: $out"
for p in 0 1 2; do
  grep -Eq "Partition: $p[[:space:]]+Leader: [0-9]+" <<<"$out" || fail "--describe lacks a leader for partition $p: $out"
done
echo "ok kafka-topics (TopicCommand 4.4.0): --create, --list, --describe of $topic"
