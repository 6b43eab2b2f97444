#!/usr/bin/env python3
# Topic configs a single node lists, checked with confluent-kafka (#9) against Apache Kafka 4.4 (which proves
# the checks) and Brook: min.insync.replicas above the replication factor is accepted and does not refuse
# acks=all (Kafka 4.4 counts at most the replicas there are); remote.storage.enable=true is refused with
# INVALID_CONFIG; configs without meaning on one node (tiered storage's others, throttled replicas, unclean
# election) are accepted, on topics and as broker defaults at runtime; gzip/zstd levels change the bytes a
# recompressing topic stores.
# Usage: .cache/venv/bin/python tests/compat/configs/configs-applied.py HOST:PORT  (prints ok lines, exits 0 or 1)
import sys
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap})
prefix = 'applied-' + uuid.uuid4().hex[:8]


def fail(message):
    print(f'FAIL configs-applied: {message}', file=sys.stderr)
    sys.exit(1)


def outcome(future):
    try:
        future.result()
        return 'ok'
    except KafkaException as error:
        return f'{error.args[0].name()}: {error.args[0].str()}'


def create(name, config):
    return outcome(admin.create_topics([NewTopic(name, 1, 1, config=config)])[name])


def alter(name, key, value):
    entry = ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
    resource = ConfigResource('topic', name, incremental_configs=[entry])
    return outcome(admin.incremental_alter_configs([resource])[resource])


def produce(topic, acks, values):
    producer = Producer({'bootstrap.servers': bootstrap, 'acks': acks, 'enable.idempotence': False,
                         'message.send.max.retries': 0, 'linger.ms': 50, 'batch.num.messages': 100000})
    errors = []
    for value in values:
        producer.produce(topic, value, partition=0, on_delivery=lambda err, _msg: errors.append(err))
    if producer.flush(20) != 0:
        fail(f'acks={acks}: records still queued after 20 s')
    return [e for e in errors if e is not None]


# min.insync.replicas=2 on a topic of one replica: created, and acks=all, 1 and 0 all succeed.
topic = prefix + '-mir'
result = create(topic, {'min.insync.replicas': '2'})
if result != 'ok':
    fail(f'create with min.insync.replicas=2: {result}')
for acks in ['all', '1', '0']:
    errors = produce(topic, acks, [f'acks-{acks}'.encode()])
    if errors:
        fail(f'acks={acks} with min.insync.replicas=2 on one replica: {errors[0].name()} ({errors[0].code()})')
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': prefix})
low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
consumer.close()
if high != 3:
    fail(f'min.insync.replicas=2 topic holds {high} records, not 3')
print('ok min.insync.replicas=2 on one replica: created; acks=all, 1 and 0 all appended')

# Tiered storage: refused when asked for, on create and on alter.
plain = prefix + '-plain'
if create(plain, {}) != 'ok':
    fail('create plain topic')
message = 'INVALID_CONFIG: Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'
for what, result in [('create', create(prefix + '-remote', {'remote.storage.enable': 'true'})),
                     ('alter', alter(plain, 'remote.storage.enable', 'true'))]:
    if result != message:
        fail(f'{what} remote.storage.enable=true: {result}')
print('ok remote.storage.enable=true refused with INVALID_CONFIG on create and alter')

# Accepted, with no meaning on one node without tiered storage.
for key, value in [('remote.log.copy.disable', 'true'), ('remote.log.delete.on.disable', 'true'),
                   ('local.retention.ms', '1000'), ('local.retention.bytes', '1000'),
                   ('unclean.leader.election.enable', 'true'), ('leader.replication.throttled.replicas', '0:1'),
                   ('follower.replication.throttled.replicas', '*')]:
    result = alter(plain, key, value)
    if result != 'ok':
        fail(f'alter {key}={value}: {result}')
print('ok remote.log.*, local.retention.*, unclean.leader.election.enable, throttled replicas accepted')

# The broker defaults of these configs change at runtime (broker 1's dynamic layer), then are removed.
def alter_broker(key, value, op):
    entry = ConfigEntry(key, value, incremental_operation=op)
    resource = ConfigResource('broker', '1', incremental_configs=[entry])
    return outcome(admin.incremental_alter_configs([resource])[resource])


for key, value in [('compression.gzip.level', '9'), ('compression.zstd.level', '9'), ('compression.lz4.level', '3'),
                   ('log.roll.jitter.ms', '60000'), ('log.index.size.max.bytes', '8192'),
                   ('log.segment.delete.delay.ms', '1000'), ('log.local.retention.bytes', '100'),
                   ('unclean.leader.election.enable', 'true')]:
    for op, text in [(AlterConfigOpType.SET, value), (AlterConfigOpType.DELETE, None)]:
        result = alter_broker(key, text, op)
        if result != 'ok':
            fail(f'broker 1 {op.name} {key}: {result}')
print('ok broker defaults of the level, roll, index, delete-delay and single-node configs change at runtime')

# Compression levels: the same records, recompressed at a low and a high level, take fewer bytes at the high.
words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india']
seed = 7
records = []
for _ in range(400):
    parts = []
    for _ in range(30):
        seed = (seed * 1103515245 + 12345) % 2**31
        word = words[seed % len(words)]
        seed = (seed * 1103515245 + 12345) % 2**31
        parts.append(f'{word}{seed % 1000}')
    records.append(' '.join(parts).encode())


def log_bytes(name):
    # DescribeLogDirs through kafka-python 3 (confluent-kafka has no call for it): the partition's size.
    from kafka.admin import KafkaAdminClient
    client = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        for broker in client.describe_log_dirs():
            for log_dir in broker['log_dirs']:
                for topic in log_dir['topics']:
                    if topic['name'] == name:
                        return topic['partitions'][0]['partition_size']
    finally:
        client.close()
    fail(f'{name}: not in DescribeLogDirs')


for codec, low, high in [('gzip', '1', '9'), ('zstd', '1', '19')]:
    sizes = {}
    for level in [low, high]:
        name = f'{prefix}-{codec}{level}'
        if create(name, {'compression.type': codec, f'compression.{codec}.level': level}) != 'ok':
            fail(f'create {name}')
        errors = produce(name, '1', records)
        if errors:
            fail(f'{name}: {errors[0].name()}')
        sizes[level] = log_bytes(name)
    if not sizes[high] < sizes[low]:
        fail(f'{codec}: level {high} stored {sizes[high]} bytes, level {low} {sizes[low]}')
    print(f'ok compression.{codec}.level: level {low} stored {sizes[low]} bytes, level {high} {sizes[high]}')
