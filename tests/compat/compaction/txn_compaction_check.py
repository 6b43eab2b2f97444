# Compaction of transactional records with kafka-python 3 (#9): a compacted topic gets 40 committed
# transactions updating 5 keys and 5 aborted ones over key-0; once the cleaner ran, a read_committed read
# from the beginning must hold exactly the latest committed record of each key at its original offset
# (superseded committed records are compacted as plain ones; aborted ones never shadow a committed value).
# Exits 0 printing `ok ...`, else `FAIL ...`.
# Usage: python txn_compaction_check.py HOST:PORT TOPIC_PREFIX
import os
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

KEYS = 5
COMMITTED = 40
ABORTED = 5
WAIT_S = float(os.environ.get("COMPACT_WAIT_S", "90"))


def fail(message):
    print(f"FAIL txn compaction (kafka-python): {message}", file=sys.stderr)
    sys.exit(1)


def read_committed(bootstrap, topic):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100,
                             isolation_level="read_committed")
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


def main():
    bootstrap, prefix = sys.argv[1], sys.argv[2]
    topic = f"{prefix}-txn-compacted"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    admin.create_topics([NewTopic(name=topic, num_partitions=1, replication_factor=1, topic_configs={
        "cleanup.policy": "compact", "segment.ms": "200", "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0"})])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"{prefix}-txn", linger_ms=5)
    producer.init_transactions()
    committed = {}
    for r in range(COMMITTED):
        producer.begin_transaction()
        futures = [(f"key-{k}".encode(), f"value-{r}-{k}".encode()) for k in range(KEYS)]
        futures = [(k, v, producer.send(topic, key=k, value=v)) for k, v in futures]
        producer.commit_transaction()
        for k, v, f in futures:
            committed[f.get(timeout=30).offset] = (k, v)
        if r % (COMMITTED // ABORTED) == 0:
            producer.begin_transaction()
            producer.send(topic, key=b"key-0", value=f"aborted-{r}".encode())
            producer.abort_transaction()
    producer.close()
    time.sleep(0.6)
    plain = KafkaProducer(bootstrap_servers=bootstrap)
    roll = plain.send(topic, key=b"roll", value=b"1").get(timeout=30).offset
    plain.close()
    latest = {}
    for offset, (k, v) in sorted(committed.items()):
        latest[k] = offset
    expected = {offset: committed[offset] for offset in latest.values()}
    expected[roll] = (b"roll", b"1")
    started = time.time()
    seen = {}
    while time.time() - started < WAIT_S:
        seen = read_committed(bootstrap, topic)
        wrong = [o for o in seen if o != roll and committed.get(o) != seen[o]]
        if wrong:
            fail(f"offsets {sorted(wrong)[:5]} read back records that were not committed there")
        missing = sorted(set(expected) - set(seen))
        if missing:
            fail(f"committed records that must be kept are gone: offsets {missing[:10]}")
        if seen == expected:
            print(f"ok txn compaction: {len(committed)} committed records in {COMMITTED} transactions and "
                  f"{ABORTED} aborted ones, {len(seen)} read_committed after the clean "
                  f"({time.time() - started:.1f}s), offsets unchanged")
            return
        time.sleep(1)
    fail(f"after {WAIT_S}s {len(seen)} records remain read_committed, expected {len(expected)}")


main()
