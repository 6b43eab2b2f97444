// What each broker and topic config does, in Brook's words, for DescribeConfigs' IncludeDocumentation.
// "Brook:" marks where Brook differs from Kafka or where a single node gives the config no effect.

/** Documentation of topic configs, by name. */
export const TOPIC_CONFIG_DOCS: Readonly<Record<string, string>> = {
  'brook.fetch.fsynced.only':
    'Brook: fetches return only records that an fsync made durable, so consumers never see a record a power loss could take back.',
  'cleanup.policy':
    'What happens to old segments: delete removes them by retention.ms/retention.bytes, compact keeps the latest record of each key (the log cleaner); both may be given.',
  'compression.gzip.level':
    "Level (1-9, -1 for zlib's default 6) at which batches are recompressed when compression.type is gzip.",
  'compression.lz4.level':
    "Brook: accepted and shown; Brook's LZ4 codec (lz4_flex) has one level, so recompression to lz4 ignores it.",
  'compression.type':
    "The codec batches are stored in: producer keeps the producer's codec, any other value recompresses batches that differ.",
  'compression.zstd.level': 'Level at which batches are recompressed when compression.type is zstd.',
  'delete.retention.ms':
    'How long a tombstone is kept on a compacted topic after the cleaner reached it, in ms.',
  'file.delete.delay.ms':
    'How long the files of a segment deleted by retention, DeleteRecords or a clean stay on disk as <name>.deleted before they are removed, in ms.',
  'flush.messages': 'Records appended between forced fsyncs of the log.',
  'flush.ms': 'Longest time an appended record waits for an fsync, in ms.',
  'follower.replication.throttled.replicas':
    'Brook: accepted and stored with no effect, as Kafka does on a single node: there are no followers to throttle.',
  'index.interval.bytes': 'Bytes of records between two entries of the offset index.',
  'leader.replication.throttled.replicas':
    'Brook: accepted and stored with no effect, as Kafka does on a single node: there is no replication to throttle.',
  'local.retention.bytes':
    'Brook: accepted and stored with no effect, as Kafka does without tiered storage: all data is local and retention.bytes applies.',
  'local.retention.ms':
    'Brook: accepted and stored with no effect, as Kafka does without tiered storage: all data is local and retention.ms applies.',
  'max.compaction.lag.ms': 'Longest a record may stay uncompacted; a log past it is cleaned first.',
  'max.message.bytes':
    'Largest record batch the topic accepts, in bytes (after compression); larger ones get MESSAGE_TOO_LARGE.',
  'message.timestamp.after.max.ms':
    'How far in the future a CreateTime timestamp may be, in ms; later ones are refused.',
  'message.timestamp.before.max.ms':
    'How far in the past a CreateTime timestamp may be, in ms; older ones are refused.',
  'message.timestamp.type':
    "CreateTime keeps the producer's timestamps, LogAppendTime stamps records with the broker's time.",
  'min.cleanable.dirty.ratio': 'Share of a compacted log not yet cleaned above which the cleaner cleans it.',
  'min.compaction.lag.ms': 'Shortest time a record stays uncompacted, in ms.',
  'min.insync.replicas':
    'Replicas that must have an acks=all record; as in Kafka 4.4 it counts at most the replication factor, 1 on a single node, so acks=all is never refused for it.',
  'remote.log.copy.disable':
    'Brook: accepted and stored with no effect, as Kafka does without tiered storage (remote.storage.enable=true is refused).',
  'remote.log.delete.on.disable':
    'Brook: accepted and stored with no effect, as Kafka does without tiered storage (remote.storage.enable=true is refused).',
  'remote.storage.enable': 'Tiered storage; Brook has none, so true is refused.',
  'retention.bytes': 'Most bytes a partition keeps before its oldest segments are deleted; -1 for no limit.',
  'retention.ms': 'How long records are kept before their segment is deleted, in ms; -1 for ever.',
  'segment.bytes': 'Size at which a segment file is closed and a new one started, in bytes.',
  'segment.index.bytes':
    'Largest index of a segment, in bytes: the segment rolls before its offset index (8-byte entries) or time index (12-byte entries) would outgrow it.',
  'segment.jitter.ms':
    'Most a segment rolls before segment.ms, in ms, so partitions do not all roll at once. Brook: each segment draws its jitter from its directory and base offset, not at random, so it is the same after a restart.',
  'segment.ms': 'Age at which a segment is closed and a new one started, even when not full, in ms.',
  'unclean.leader.election.enable':
    'Brook: accepted and stored with no effect, as Kafka does on a single node: there is no other replica to elect.',
}

/** Documentation of broker configs, by name. */
export const BROKER_CONFIG_DOCS: Readonly<Record<string, string>> = {
  'advertised.listeners':
    'Address clients are told to connect to (Brook: --advertised-host/--advertised-port).',
  'alter.config.policy.class.name': 'Brook: no config policies; always null.',
  'auto.create.topics.enable':
    'Whether Metadata requests for unknown topics create them (Brook: --auto-create-topics).',
  'broker.id': "This node's id (Brook: --node-id).",
  'brook.log.fetch.fsynced.only': 'Brook: broker-wide default of the topic config brook.fetch.fsynced.only.',
  'compression.gzip.level': 'Default of the topic config compression.gzip.level.',
  'compression.lz4.level': 'Default of the topic config compression.lz4.level.',
  'compression.type': 'Default of the topic config compression.type; dynamic.',
  'compression.zstd.level': 'Default of the topic config compression.zstd.level.',
  'connections.max.idle.ms':
    'Idle connections are closed after this long, in ms (Brook: --connections-max-idle-ms).',
  'create.topic.policy.class.name': 'Brook: no topic policies; always null.',
  'default.replication.factor': 'Replication factor of topics created without one; Brook is one node, so 1.',
  'delete.topic.enable': 'Whether DeleteTopics is allowed.',
  'fetch.max.bytes': 'Most bytes one Fetch response carries.',
  'group.consumer.max.size':
    'Most members of one consumer group (KIP-848 protocol) (Brook: --group-consumer-max-size).',
  'group.initial.rebalance.delay.ms': "Wait before a new classic group's first rebalance completes, in ms.",
  'group.max.session.timeout.ms': 'Longest session timeout a classic group member may ask for, in ms.',
  'group.max.size': 'Most members of one classic group (Brook: --group-max-size).',
  'group.min.session.timeout.ms': 'Shortest session timeout a classic group member may ask for, in ms.',
  listeners: 'Address the broker listens on (Brook: --host/--port).',
  'log.cleaner.backoff.ms':
    'Pause between rounds of the log cleaner, in ms; dynamic, applies from the next round.',
  'log.cleaner.dedupe.buffer.size':
    "Memory of one clean's key map, in bytes; dynamic, applies from the next clean.",
  'log.cleaner.io.max.bytes.per.second':
    'Most bytes per second one clean reads plus writes; dynamic, applies from the next clean.',
  'log.cleaner.delete.retention.ms': 'Default of the topic config delete.retention.ms; dynamic.',
  'log.cleaner.enable': 'Whether the log cleaner runs (compacted topics).',
  'log.cleaner.max.compaction.lag.ms': 'Default of the topic config max.compaction.lag.ms; dynamic.',
  'log.cleaner.min.cleanable.ratio': 'Default of the topic config min.cleanable.dirty.ratio; dynamic.',
  'log.cleaner.min.compaction.lag.ms': 'Default of the topic config min.compaction.lag.ms; dynamic.',
  'log.cleanup.policy': 'Default of the topic config cleanup.policy; dynamic.',
  'log.dir': 'Where partition logs are kept when log.dirs is not set.',
  'log.dirs': "Where partition logs are kept (Brook: the data directory's logs/).",
  'log.flush.interval.messages': 'Default of the topic config flush.messages; dynamic.',
  'log.flush.interval.ms': 'Default of the topic config flush.ms; dynamic.',
  'log.flush.scheduler.interval.ms':
    'Default of the topic config flush.ms when log.flush.interval.ms is not set.',
  'log.index.interval.bytes': 'Default of the topic config index.interval.bytes; dynamic.',
  'log.index.size.max.bytes': 'Default of the topic config segment.index.bytes.',
  'log.local.retention.bytes': 'Default of the topic config local.retention.bytes.',
  'log.local.retention.ms': 'Default of the topic config local.retention.ms.',
  'log.message.timestamp.after.max.ms':
    'Default of the topic config message.timestamp.after.max.ms; dynamic.',
  'log.message.timestamp.before.max.ms':
    'Default of the topic config message.timestamp.before.max.ms; dynamic.',
  'log.message.timestamp.type': 'Default of the topic config message.timestamp.type; dynamic.',
  'log.retention.bytes': 'Default of the topic config retention.bytes; dynamic.',
  'log.retention.check.interval.ms': 'How often retention is enforced, in ms.',
  'log.retention.hours':
    'Default of the topic config retention.ms, in hours, when neither log.retention.ms nor .minutes is set.',
  'log.retention.minutes':
    'Default of the topic config retention.ms, in minutes, when log.retention.ms is not set.',
  'log.retention.ms': 'Default of the topic config retention.ms; dynamic.',
  'log.roll.hours': 'Default of the topic config segment.ms, in hours, when log.roll.ms is not set.',
  'log.roll.jitter.hours': 'Default of the topic config segment.jitter.ms, in hours.',
  'log.roll.jitter.ms': 'Default of the topic config segment.jitter.ms.',
  'log.roll.ms': 'Default of the topic config segment.ms; dynamic.',
  'log.segment.bytes': 'Default of the topic config segment.bytes; dynamic.',
  'log.segment.delete.delay.ms': 'Default of the topic config file.delete.delay.ms.',
  'message.max.bytes': 'Default of the topic config max.message.bytes; dynamic.',
  'min.insync.replicas': 'Default of the topic config min.insync.replicas.',
  'node.id': "This node's id (Brook: --node-id).",
  'num.partitions': 'Partitions of topics created without a count (Brook: --num-partitions).',
  'offsets.retention.minutes': 'How long committed offsets of an empty group are kept, in minutes.',
  'offsets.topic.num.partitions': 'Partitions of __consumer_offsets as Metadata shows it.',
  'offsets.topic.replication.factor': 'Replication factor of __consumer_offsets as Kafka would create it.',
  'producer.id.expiration.ms':
    "How long an idempotent producer's state is kept after its last append, in ms; dynamic.",
  'socket.request.max.bytes': 'Largest request accepted, in bytes (Brook: --request-bytes-max).',
  'transaction.max.timeout.ms': 'Longest transaction timeout a producer may ask for, in ms.',
  'transaction.state.log.min.isr': 'Brook: shown as Kafka would; transaction state is kept in its own log.',
  'transaction.state.log.num.partitions':
    'Brook: shown as Kafka would; transaction state is kept in its own log.',
  'transaction.state.log.replication.factor':
    'Brook: shown as Kafka would; transaction state is kept in its own log.',
  'transactional.id.expiration.ms': 'How long an idle transactional id is kept, in ms.',
  'unclean.leader.election.enable': 'Default of the topic config unclean.leader.election.enable.',
}
