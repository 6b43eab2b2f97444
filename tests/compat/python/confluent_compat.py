# Compat check for confluent-kafka (Python over librdkafka): admin-create a 3-partition topic, produce keyed
# records with headers under every codec, read them back by explicit assignment (no group) and compare.
# Usage: python3 confluent_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
RECORDS_PER_CODEC = 20
PARTITIONS = 3
TIMEOUT_S = 60
LABEL = f"confluent-kafka {confluent_kafka.version()[0]} (librdkafka {confluent_kafka.libversion()[0]})"


def fail(message):
    print(f"FAIL {LABEL}: {message}", file=sys.stderr)
    sys.exit(1)


def make_record(codec, i):
    key = f"key-{codec}-{i}".encode()
    value = (f"value-{codec}-{i}-" + "brook " * (i * 7 % 50)).encode()
    headers = [("h-index", str(i).encode()), ("h-codec", codec.encode()), ("h-empty", b"")]
    return key, value, headers


def create_topic(bootstrap, topic):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)], operation_timeout=30)
    try:
        futures[topic].result(TIMEOUT_S)
    except confluent_kafka.KafkaException as error:
        if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            fail(f"create_topics: {error}")
    deadline = time.time() + TIMEOUT_S
    while time.time() < deadline:
        metadata = admin.list_topics(topic=topic, timeout=10)
        entry = metadata.topics.get(topic)
        if entry is not None and entry.error is None and len(entry.partitions) == PARTITIONS:
            return
        time.sleep(0.2)
    fail(f"topic {topic} not visible with {PARTITIONS} partitions")


def produce(bootstrap, topic, explicit_partitions):
    expected = {p: [] for p in range(PARTITIONS)}
    for codec in CODECS:
        producer = Producer({"bootstrap.servers": bootstrap, "compression.codec": codec, "acks": "all", "linger.ms": 5, "enable.idempotence": False, "max.in.flight.requests.per.connection": 1})
        reports = []

        def on_delivery(error, message, reports=reports):
            reports.append((error, message))

        sent = []
        for i in range(RECORDS_PER_CODEC):
            key, value, headers = make_record(codec, i)
            kwargs = {"partition": i % PARTITIONS} if explicit_partitions else {}
            producer.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery, **kwargs)
            sent.append((key, value, headers))
        remaining = producer.flush(TIMEOUT_S)
        if remaining:
            fail(f"{codec}: {remaining} records not delivered")
        by_key = {}
        for error, message in reports:
            if error is not None:
                fail(f"{codec}: delivery failed: {error}")
            by_key[message.key()] = (message.partition(), message.offset())
        last_offset = {}
        for key, value, headers in sent:
            partition, offset = by_key[key]
            if explicit_partitions and partition != int(key.split(b"-")[-1]) % PARTITIONS:
                fail(f"{codec}: record {key!r} landed in partition {partition}")
            if offset <= last_offset.get(partition, -1):
                fail(f"{codec}: offsets not increasing in partition {partition}")
            last_offset[partition] = offset
            expected[partition].append((key, value, headers))
    return expected


def expected_explicit():
    expected = {p: [] for p in range(PARTITIONS)}
    for codec in CODECS:
        for i in range(RECORDS_PER_CODEC):
            expected[i % PARTITIONS].append(make_record(codec, i))
    return expected


def consume(bootstrap, topic, expected):
    # The Python wrapper insists on group.id; with assign() and no commits librdkafka joins no group, though it
    # may still look up the coordinator in the background (FindCoordinator), so such errors are only logged.
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{topic}-unused", "enable.auto.commit": False, "enable.auto.offset.store": False, "enable.partition.eof": False})
    consumer.assign([TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING) for p in range(PARTITIONS)])
    got = {p: [] for p in range(PARTITIONS)}
    total = sum(len(v) for v in expected.values())
    deadline = time.time() + TIMEOUT_S
    while sum(len(v) for v in got.values()) < total and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            if message.error().fatal():
                fail(f"consume: {message.error()}")
            print(f"note {LABEL}: consumer error (not fatal): {message.error()}", file=sys.stderr)
            continue
        got[message.partition()].append((message.key(), message.value(), [(k, bytes(v) if v is not None else b"") for k, v in (message.headers() or [])]))
    consumer.close()
    for p in range(PARTITIONS):
        if len(got[p]) != len(expected[p]):
            fail(f"partition {p}: expected {len(expected[p])} records, got {len(got[p])}")
        for index, (want, have) in enumerate(zip(expected[p], got[p])):
            if want != have:
                fail(f"partition {p} record {index}: expected {want!r}, got {have!r}")


def main():
    if len(sys.argv) < 3:
        fail("usage: confluent_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]")
    bootstrap, prefix = sys.argv[1], sys.argv[2]
    phase = sys.argv[3] if len(sys.argv) > 3 else "all"
    topic = f"{prefix}-ck"
    if phase == "all":
        create_topic(bootstrap, topic)
        consume(bootstrap, topic, produce(bootstrap, topic, explicit_partitions=False))
    elif phase == "produce":
        create_topic(bootstrap, topic)
        produce(bootstrap, topic, explicit_partitions=True)
    elif phase == "verify":
        consume(bootstrap, topic, expected_explicit())
    else:
        fail(f"unknown phase {phase}")
    print(f"ok {LABEL} {phase}: {len(CODECS) * RECORDS_PER_CODEC} records, codecs {','.join(CODECS)}")


if __name__ == "__main__":
    main()
