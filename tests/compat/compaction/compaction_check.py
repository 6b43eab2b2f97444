# Compaction check with kafka-python 3 (another project's client): a compacted topic gets 100 updates to each
# of 10 keys plus tombstones for 3 of them; once the log cleaner ran, a read from the beginning must hold
# exactly the latest record of each key at its original offset, tombstones included; after
# delete.retention.ms and another clean the tombstones are gone. The updates and tombstones carry producer
# timestamps a day old: a tombstone's delete.retention.ms counts from the clean that first kept it (KIP-534's
# delete horizon), not from its own timestamp, so the first clean must keep them (#9).
# Exits 0 printing `ok ...`, else `FAIL ...`.
# Usage: python compaction_check.py HOST:PORT TOPIC_PREFIX
# Env: COMPACT_SEGMENT_MS (200), COMPACT_DELETE_RETENTION_MS (8000), COMPACT_WAIT_S (90).
import os
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

KEYS = 10
ROUNDS = 100
TOMBSTONED = 3
SEGMENT_MS = int(os.environ.get("COMPACT_SEGMENT_MS", "200"))
DELETE_RETENTION_MS = int(os.environ.get("COMPACT_DELETE_RETENTION_MS", "8000"))
WAIT_S = float(os.environ.get("COMPACT_WAIT_S", "90"))


def fail(message):
    print(f"FAIL compaction (kafka-python): {message}", file=sys.stderr)
    sys.exit(1)


def create_topic(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    configs = {
        "cleanup.policy": "compact",
        "segment.ms": str(SEGMENT_MS),
        "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0",
        "delete.retention.ms": str(DELETE_RETENTION_MS),
    }
    admin.create_topics([NewTopic(name=topic, num_partitions=1, replication_factor=1, topic_configs=configs)])
    admin.close()


def read_all(bootstrap, topic):
    # Every record from the beginning to the end offset, as {offset: (key, value)}.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    end = consumer.end_offsets([tp])[tp]
    records = {}
    deadline = time.time() + 30
    while consumer.position(tp) < end and time.time() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            for r in batch:
                records[r.offset] = (r.key, r.value)
    short = consumer.position(tp) < end
    consumer.close()
    if short:
        fail(f"could not read up to the end offset {end}")
    return records


def expected_after(written, roll_offset, tombstones_gone):
    # Latest write of each key below the roll marker (which opened the active segment), plus the marker.
    latest = {}
    for offset, (key, value) in written.items():
        if offset < roll_offset:
            latest[key] = (offset, value)
    kept = {offset: (key, value) for key, (offset, value) in latest.items()}
    if tombstones_gone:
        kept = {o: kv for o, kv in kept.items() if kv[1] is not None}
    kept[roll_offset] = written[roll_offset]
    return kept


def wait_for(bootstrap, topic, written, expected, what):
    # Compaction only removes: every expected record must be there at every read, with what was written at
    # its offset; the extra (superseded) ones must go within WAIT_S.
    started = time.time()
    seen = {}
    while time.time() - started < WAIT_S:
        seen = read_all(bootstrap, topic)
        changed = [o for o in seen if written.get(o) != seen[o]]
        if changed:
            fail(f"{what}: offsets {sorted(changed)[:5]} read back records that were not written there")
        missing = sorted(set(expected) - set(seen))
        if missing:
            fail(f"{what}: records that must be kept are gone: offsets {missing[:10]}")
        if seen == expected:
            return time.time() - started, len(seen)
        time.sleep(1)
    fail(f"{what}: after {WAIT_S}s {len(seen)} records remain, expected {len(expected)}; "
         f"extra offsets {sorted(set(seen) - set(expected))[:10]}")


def main():
    if len(sys.argv) < 3:
        fail("usage: compaction_check.py HOST:PORT TOPIC_PREFIX")
    bootstrap, prefix = sys.argv[1], sys.argv[2]
    topic = f"{prefix}-compacted"
    create_topic(bootstrap, topic)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, compression_type="gzip")
    written = {}

    def send(key, value):
        meta = producer.send(topic, key=key, value=value).get(timeout=30)
        written[meta.offset] = (key, value)

    futures = []
    old_ms = int(time.time() * 1000) - 86_400_000
    for r in range(ROUNDS):
        for k in range(KEYS):
            key, value = f"key-{k}".encode(), f"value-{r}-{k}".encode()
            futures.append((key, value, producer.send(topic, key=key, value=value, timestamp_ms=old_ms + r)))
    for k in range(TOMBSTONED):
        key = f"key-{k}".encode()
        futures.append((key, None, producer.send(topic, key=key, value=None, timestamp_ms=old_ms + ROUNDS)))
    for key, value, future in futures:
        written[future.get(timeout=30).offset] = (key, value)
    time.sleep(SEGMENT_MS * 3 / 1000)
    send(b"roll", b"1")
    roll1 = max(written)
    before = len(written)
    expected1 = expected_after(written, roll1, tombstones_gone=False)
    seconds1, count1 = wait_for(bootstrap, topic, written, expected1, "first clean")
    tombstones_seen = time.time()

    # After delete.retention.ms, more updates and another roll: the next clean drops the tombstones.
    time.sleep(max(0.0, DELETE_RETENTION_MS / 1000 - (time.time() - tombstones_seen)) + 1)
    for k in range(TOMBSTONED, KEYS):
        send(f"key-{k}".encode(), f"value-final-{k}".encode())
    time.sleep(SEGMENT_MS * 3 / 1000)
    send(b"roll", b"2")
    roll2 = max(written)
    expected2 = expected_after(written, roll2, tombstones_gone=True)
    seconds2, count2 = wait_for(bootstrap, topic, written, expected2, "second clean")
    producer.close()
    print(
        f"ok compaction: {before} records written, {count1} after the first clean ({seconds1:.1f}s, "
        f"{TOMBSTONED} tombstones kept), {count2} after the second ({seconds2:.1f}s, tombstones gone), offsets unchanged"
    )


main()
