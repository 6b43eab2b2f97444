# Compat check for kafka-python (2.0.2 from Debian, 3.x from PyPI): create a 3-partition topic, produce keyed
# records with headers under every codec, read them back by explicit assignment and compare.
# Usage: python kafka_python_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]
import sys
import time

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
RECORDS_PER_CODEC = 20
PARTITIONS = 3
TIMEOUT_S = 60


def fail(message):
    print(f"FAIL kafka-python {kafka.__version__}: {message}", file=sys.stderr)
    sys.exit(1)


def make_record(codec, i):
    key = f"key-{codec}-{i}".encode()
    value = (f"value-{codec}-{i}-" + "brook " * (i * 7 % 50)).encode()
    headers = [("h-index", str(i).encode()), ("h-codec", codec.encode()), ("h-empty", b"")]
    return key, value, headers


def create_topic(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        admin.create_topics([NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        described = admin.describe_topics([topic])
        entry = described[0] if described else None
        if entry and entry.get("error_code", 0) == 0 and len(entry.get("partitions", [])) == PARTITIONS:
            break
        time.sleep(0.2)
    else:
        fail(f"topic {topic} not visible with {PARTITIONS} partitions")
    admin.close()


def produce(bootstrap, topic, explicit_partitions):
    # Returns {partition: [(key, value, headers), ...]} in send order.
    expected = {p: [] for p in range(PARTITIONS)}
    for codec in CODECS:
        producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            compression_type=None if codec == "none" else codec,
            acks="all",
            linger_ms=5,
            max_in_flight_requests_per_connection=1,
        )
        futures = []
        for i in range(RECORDS_PER_CODEC):
            key, value, headers = make_record(codec, i)
            partition = i % PARTITIONS if explicit_partitions else None
            futures.append((key, value, headers, partition, producer.send(topic, key=key, value=value, headers=headers, partition=partition)))
        producer.flush(TIMEOUT_S)
        last_offset = {}
        for key, value, headers, partition, future in futures:
            meta = future.get(timeout=TIMEOUT_S)
            if partition is not None and meta.partition != partition:
                fail(f"{codec}: asked for partition {partition}, broker reported {meta.partition}")
            if meta.offset <= last_offset.get(meta.partition, -1):
                fail(f"{codec}: offsets not increasing in partition {meta.partition}")
            last_offset[meta.partition] = meta.offset
            expected[meta.partition].append((key, value, headers))
        producer.close()
    return expected


def expected_explicit():
    expected = {p: [] for p in range(PARTITIONS)}
    for codec in CODECS:
        for i in range(RECORDS_PER_CODEC):
            expected[i % PARTITIONS].append(make_record(codec, i))
    return expected


def consume(bootstrap, topic, expected):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    got = {p: [] for p in range(PARTITIONS)}
    total = sum(len(v) for v in expected.values())
    deadline = time.time() + TIMEOUT_S
    while sum(len(v) for v in got.values()) < total and time.time() < deadline:
        for tp, records in consumer.poll(timeout_ms=500).items():
            for r in records:
                got[tp.partition].append((r.key, r.value, [(k, bytes(v)) for k, v in r.headers]))
    consumer.close()
    for p in range(PARTITIONS):
        if len(got[p]) != len(expected[p]):
            fail(f"partition {p}: expected {len(expected[p])} records, got {len(got[p])}")
        for index, (want, have) in enumerate(zip(expected[p], got[p])):
            if want != have:
                fail(f"partition {p} record {index}: expected {want!r}, got {have!r}")


def main():
    if len(sys.argv) < 3:
        fail("usage: kafka_python_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]")
    bootstrap, prefix = sys.argv[1], sys.argv[2]
    phase = sys.argv[3] if len(sys.argv) > 3 else "all"
    topic = f"{prefix}-kp"
    if phase == "all":
        create_topic(bootstrap, topic)
        expected = produce(bootstrap, topic, explicit_partitions=False)
        consume(bootstrap, topic, expected)
    elif phase == "produce":
        create_topic(bootstrap, topic)
        produce(bootstrap, topic, explicit_partitions=True)
    elif phase == "verify":
        consume(bootstrap, topic, expected_explicit())
    else:
        fail(f"unknown phase {phase}")
    total = len(CODECS) * RECORDS_PER_CODEC
    print(f"ok kafka-python {kafka.__version__} {phase}: {total} records, codecs {','.join(CODECS)}")


if __name__ == "__main__":
    main()
