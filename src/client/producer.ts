// The Producer: send() puts a record in its partition's queue; a queue is sent as one RecordBatch when it
// reaches batchBytesMax or lingerMs after its first record. Idempotent by default (a producer id and a
// sequence per partition, so a retried batch is written once), one batch in flight per partition so order
// holds across retries, and a bound on buffered bytes that makes send() wait rather than grow memory.
// With a transactionalId the producer is transactional (classic protocol): records sent between
// beginTransaction() and commitTransaction() (and offsets given to sendOffsetsToTransaction) become visible
// to read_committed consumers together, or not at all after abortTransaction().
import {
  type BatchRecordInput,
  Compression,
  type CompressionCodec,
  buildRecordBatch,
} from '../record-batch/index.js'
import type { ClientConnection } from '../network/index.js'
import { ErrorCode, type MessageValue } from '../protocol/index.js'
import { Api } from './apis.js'
import { type ClientOptions, Cluster } from './cluster.js'
import type { ConsumerGroupMetadata } from './consumer.js'
import { channels } from './diagnostics.js'
import {
  ClientError,
  ClosedError,
  InvalidArgumentError,
  isRetriable,
  KafkaError,
  kafkaError,
  SerializeError,
  staleMetadataCodes,
} from './errors.js'
import { partitionForKey } from './murmur2.js'
import { type Serializer, serializers } from './serializers.js'
import { type TopicPartition, tpKey } from './topic-partition.js'

/** Record headers: an object of names to values, or a list when a name repeats. */
export type HeadersInput =
  | Readonly<Record<string, string | Buffer>>
  | ReadonlyArray<{
      /** Header name. */
      key: string
      /** Header value (a string is sent as UTF-8; null is a header without a value). */
      value: string | Buffer | null
    }>

/** One record for Producer.send: where it goes and what it holds, typed by the producer's serialisers. */
export interface ProducerRecord<K, V> {
  /** The topic to write to. */
  topic: string
  /** The value, turned into bytes by the value serialiser (null for a tombstone with bytes). */
  value: V
  /** The key, turned into bytes by the key serialiser; without one the record has a null key. */
  key?: K
  /** Record headers. */
  headers?: HeadersInput
  /** Explicit partition; otherwise by key (murmur2, as Java) or, without a key, sticky per batch. */
  partition?: number
  /** Record timestamp in ms since the epoch (default: now). */
  timestamp?: number
}

/** Where a record was written. `offset` is -1 with acks 0, where the broker does not answer. */
export interface RecordMetadata {
  /** The topic written to. */
  topic: string
  /** The partition written to. */
  partition: number
  /** The record's offset in its partition. */
  offset: number
}

/** Codec of produced batches: Kafka's compression.type values. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Options of a Producer; `K` and `V` are the key and value types its serialisers take. */
export interface ProducerOptions<K = Buffer | null, V = Buffer | null> extends ClientOptions {
  /** 0: no answer, 1: the leader wrote it, 'all' / -1: every in-sync replica has it (default 'all'). */
  acks?: 0 | 1 | -1 | 'all'
  /** Wait for more records before sending a batch, in ms (linger.ms, default 5). */
  lingerMs?: number
  /** A batch is sent once it holds this many bytes (batch.size, default 65536). */
  batchBytesMax?: number
  /** Bytes buffered and not yet acknowledged before send() waits (buffer.memory, default 32 MiB). */
  bufferBytesMax?: number
  /** Compression codec of each batch (compression.type, default 'none'). */
  compression?: CompressionName
  /** Exactly-once writes per partition despite retries (enable.idempotence, default true; needs acks 'all'). */
  idempotent?: boolean
  /** Ask the broker to create unknown topics (allow.auto.create.topics, default true). */
  autoCreateTopics?: boolean
  /** Time a Produce may wait for acks on the broker, in ms (default 30000). */
  produceTimeoutMs?: number
  /** Turns keys into bytes (default: bytes, a Buffer as is). */
  keySerializer?: Serializer<K>
  /** Turns values into bytes (default: bytes, a Buffer as is). */
  valueSerializer?: Serializer<V>
  /** Picks the partition of records without an explicit one; the default is Java's. */
  partitioner?: (key: Buffer | null, partitionCount: number, topic: string) => number | undefined
  /**
   * Makes the producer transactional (transactional.id): sends happen inside beginTransaction() ...
   * commitTransaction() / abortTransaction(). A newer producer with the same id fences this one: its
   * operations then fail with KafkaError PRODUCER_FENCED. Needs idempotence (the default).
   */
  transactionalId?: string
  /** Time the coordinator lets a transaction stay open before aborting it, in ms (transaction.timeout.ms, 60000). */
  transactionTimeoutMs?: number
}

/** One offset for `Producer.sendOffsetsToTransaction`: the next offset to read in that partition. */
export interface TransactionOffset extends TopicPartition {
  /** The offset of the next message to consume (the last processed one plus 1). */
  offset: number
  /** The leader epoch of the last processed message, if known (-1 otherwise). */
  leaderEpoch?: number
  /** Metadata stored with the offset. */
  metadata?: string | null
}

/** Where a transactional producer stands. */
type TransactionState = 'uninitialized' | 'ready' | 'in-transaction' | 'completing' | 'abortable' | 'fatal'

/** Errors after which a transactional producer can only be closed (it was fenced, or may not go on). */
const fatalTransactionCodes: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
])

type ProducePartitionResponse = MessageValue<
  typeof Api.produce.response
>['responses'][number]['partitionResponses'][number]

/** A partition's batch waiting to share the next Produce request to its leader. */
interface PendingProduce {
  topic: string
  partition: number
  records: Buffer
  resolve: (answer: ProducePartitionResponse) => void
  reject: (error: Error) => void
}

interface QueuedRecord {
  record: BatchRecordInput
  bytes: number
  resolve: (metadata: RecordMetadata) => void
  reject: (error: Error) => void
}

interface PartitionQueue {
  topic: string
  partition: number
  records: QueuedRecord[]
  bytes: number
  lingerTimer: { cancel(): void } | undefined
  inFlight: boolean
  /** Next sequence number of this partition for the current producer id. */
  sequence: number
}

const compressionCodecs: Record<CompressionName, CompressionCodec> = {
  none: Compression.none,
  gzip: Compression.gzip,
  snappy: Compression.snappy,
  lz4: Compression.lz4,
  zstd: Compression.zstd,
}

/** The record overhead estimate used for batching and the buffer bound (varints, attributes...). */
const RECORD_OVERHEAD_BYTES = 24

function normaliseHeaders(headers: HeadersInput | undefined): BatchRecordInput['headers'] {
  if (headers === undefined) return undefined
  if (Array.isArray(headers)) return headers as BatchRecordInput['headers']
  return Object.entries(headers as Record<string, string | Buffer>).map(([key, value]) => ({ key, value }))
}

/** Sends records to topics. One Producer is meant to be shared by the whole process. */
export class Producer<K = Buffer | null, V = Buffer | null> {
  private readonly cluster: Cluster
  private readonly acks: number
  private readonly lingerMs: number
  private readonly batchBytesMax: number
  private readonly bufferBytesMax: number
  private readonly codec: CompressionCodec
  private readonly idempotent: boolean
  private readonly autoCreateTopics: boolean
  private readonly produceTimeoutMs: number
  private readonly keySerializer: Serializer<K>
  private readonly valueSerializer: Serializer<V>
  private readonly partitioner: ProducerOptions<K, V>['partitioner']
  private readonly queues = new Map<string, PartitionQueue>()
  /** Batches waiting for this turn's Produce, by leader node id. */
  private readonly produceQueues = new Map<number, PendingProduce[]>()
  private readonly sticky = new Map<string, number>()
  private buffered = 0
  private readonly bufferWaiters: Array<() => void> = []
  private readonly idleWaiters: Array<() => void> = []
  private producerIdentity: Promise<{ producerId: number; producerEpoch: number }> | undefined
  private closing: Promise<void> | undefined
  /** send() calls whose record is not yet in a partition queue (see admit). */
  private readonly admitting = new Set<Promise<unknown>>()
  /** flush() calls in progress; while any is, records skip lingerMs. */
  private flushing = 0
  private readonly transactionalId: string | undefined
  private readonly transactionTimeoutMs: number
  private txnState: TransactionState = 'uninitialized'
  /** Why the transaction must be aborted (abortable) or the producer closed (fatal). */
  private txnError: Error | undefined
  /** A batch failed with an unknown outcome: after the abort, a new epoch restarts the sequences. */
  private txnNeedsNewEpoch = false
  /** Partitions added to the open transaction, by tpKey. */
  private readonly txnPartitions = new Set<string>()
  /** AddPartitionsToTxn in progress (or queued for this turn), by tpKey. */
  private readonly txnPartitionAdds = new Map<string, Promise<void>>()
  private txnAddQueue: Array<TopicPartition & { resolve: () => void; reject: (e: Error) => void }> = []
  /** Groups whose offsets the open transaction holds (AddOffsetsToTxn done). */
  private readonly txnGroups = new Set<string>()

  constructor(options: ProducerOptions<K, V>) {
    this.cluster = new Cluster(options)
    this.acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks
    this.idempotent = options.idempotent ?? this.acks === -1
    if (this.idempotent && this.acks !== -1)
      throw new InvalidArgumentError("an idempotent producer needs acks 'all'")
    this.transactionalId = options.transactionalId
    if (this.transactionalId !== undefined) {
      if (typeof this.transactionalId !== 'string' || this.transactionalId.length === 0)
        throw new InvalidArgumentError('transactionalId must be a non-empty string')
      if (!this.idempotent) throw new InvalidArgumentError('a transactional producer needs idempotence')
    }
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000
    this.lingerMs = options.lingerMs ?? 5
    this.batchBytesMax = options.batchBytesMax ?? 65536
    this.bufferBytesMax = options.bufferBytesMax ?? 32 * 1024 * 1024
    const codec = compressionCodecs[options.compression ?? 'none']
    if (codec === undefined) throw new InvalidArgumentError(`unknown compression '${options.compression}'`)
    this.codec = codec
    this.autoCreateTopics = options.autoCreateTopics ?? true
    this.produceTimeoutMs = options.produceTimeoutMs ?? 30_000
    this.keySerializer = options.keySerializer ?? (serializers.bytes as unknown as Serializer<K>)
    this.valueSerializer = options.valueSerializer ?? (serializers.bytes as unknown as Serializer<V>)
    this.partitioner = options.partitioner
  }

  /** Bytes of records sent to the producer and not yet acknowledged (at most bufferBytesMax, or one record). */
  get bufferedBytes(): number {
    return this.buffered
  }

  /** Sends one record; resolves once the broker acknowledged it (per `acks`). */
  async send(record: ProducerRecord<K, V>, options: { signal?: AbortSignal } = {}): Promise<RecordMetadata> {
    if (this.closing !== undefined) throw new ClosedError('send() after close()')
    if (this.transactionalId !== undefined) this.assertInTransaction('send()')
    const admission = this.admit(record, options.signal)
    this.admitting.add(admission)
    const forget = () => this.admitting.delete(admission)
    admission.then(forget, forget)
    const { acknowledged } = await admission
    return acknowledged
  }

  /**
   * Serialises the record, finds its partition (a Metadata lookup for a topic not yet known), waits for
   * buffer space and puts it in its partition's queue. flush() and close() wait for admissions that started
   * before them, so a record whose send() was called is never left behind (#10).
   */
  private async admit(
    record: ProducerRecord<K, V>,
    signal: AbortSignal | undefined,
  ): Promise<{ acknowledged: Promise<RecordMetadata> }> {
    if (typeof record?.topic !== 'string' || record.topic.length === 0)
      throw new InvalidArgumentError('send() needs a topic')
    let key: Buffer | null
    let value: Buffer | null
    try {
      key = record.key === undefined ? null : this.keySerializer.serialize(record.key, record.topic)
      value = this.valueSerializer.serialize(record.value, record.topic)
    } catch (error) {
      if (error instanceof ClientError) throw error
      throw new SerializeError(`cannot serialise the record: ${(error as Error).message}`, { cause: error })
    }
    const headers = normaliseHeaders(record.headers)
    const topic = await this.cluster.topic(record.topic, { signal, autoCreate: this.autoCreateTopics })
    const partitionCount = topic.partitions.length
    let partition = record.partition ?? this.partitioner?.(key, partitionCount, record.topic)
    if (partition === undefined)
      partition =
        key === null
          ? this.stickyPartition(record.topic, partitionCount)
          : partitionForKey(key, partitionCount)
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount)
      throw kafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `partition ${partition} of '${record.topic}' (it has ${partitionCount})`,
      )
    let bytes = RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + (value?.length ?? 0)
    if (headers !== undefined) for (const h of headers) bytes += h.key.length + 8 + (h.value?.length ?? 0)
    // Batches in flight free the space whether or not the producer is closing: they end within their retries.
    while (this.buffered + bytes > this.bufferBytesMax && this.buffered > 0)
      await new Promise<void>((resolve) => this.bufferWaiters.push(resolve))
    const queue = this.queueFor(record.topic, partition)
    const acknowledged = new Promise<RecordMetadata>((resolve, reject) => {
      queue.records.push({
        record: { key, value, headers, timestampMs: record.timestamp },
        bytes,
        resolve,
        reject,
      })
    })
    queue.bytes += bytes
    this.buffered += bytes
    // While a flush or close waits, records go out at once rather than after lingerMs.
    const urgent = this.flushing > 0 || this.closing !== undefined
    if (queue.bytes >= this.batchBytesMax || this.lingerMs === 0 || urgent) this.drain(queue)
    else
      queue.lingerTimer ??= this.cluster.clock.setTimeout(() => {
        queue.lingerTimer = undefined
        this.drain(queue)
      }, this.lingerMs)
    return { acknowledged }
  }

  private stickyPartition(topic: string, partitionCount: number): number {
    let partition = this.sticky.get(topic)
    if (partition === undefined || partition >= partitionCount) {
      partition = Math.floor(Math.random() * partitionCount)
      this.sticky.set(topic, partition)
    }
    return partition
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    const key = `${topic}\u0000${partition}`
    let queue = this.queues.get(key)
    if (queue === undefined) {
      queue = {
        topic,
        partition,
        records: [],
        bytes: 0,
        lingerTimer: undefined,
        inFlight: false,
        sequence: 0,
      }
      this.queues.set(key, queue)
    }
    return queue
  }

  private identity(): Promise<{ producerId: number; producerEpoch: number }> {
    if (this.transactionalId !== undefined) {
      this.producerIdentity ??= this.transactionRequest('InitProducerId', async (connection) => {
        const response = await this.cluster.send(connection, Api.initProducerId, {
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.transactionTimeoutMs,
          producerId: -1,
          producerEpoch: -1,
        })
        this.checkCoordinatorAnswer(response.errorCode, 'InitProducerId')
        return { producerId: response.producerId, producerEpoch: response.producerEpoch }
      }).catch((error) => {
        this.producerIdentity = undefined
        throw error
      })
      return this.producerIdentity
    }
    this.producerIdentity ??= this.cluster
      .retry(async () => {
        const connection = await this.cluster.anyConnection()
        const response = await this.cluster.send(connection, Api.initProducerId, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          producerId: -1,
          producerEpoch: -1,
        })
        if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, 'InitProducerId')
        return { producerId: response.producerId, producerEpoch: response.producerEpoch }
      })
      .catch((error) => {
        this.producerIdentity = undefined
        throw error
      })
    return this.producerIdentity
  }

  /** Sends the queue's records as one batch, unless a batch of this partition is already in flight. */
  private drain(queue: PartitionQueue): void {
    if (queue.inFlight || queue.records.length === 0) return
    queue.lingerTimer?.cancel()
    queue.lingerTimer = undefined
    let take = 0
    let bytes = 0
    while (
      take < queue.records.length &&
      (take === 0 || bytes + queue.records[take].bytes <= this.batchBytesMax)
    ) {
      bytes += queue.records[take].bytes
      take++
    }
    const batch = queue.records.splice(0, take)
    queue.bytes -= bytes
    queue.inFlight = true
    // The next keyless record goes to another partition: batches stay full without skewing partitions.
    if (this.sticky.get(queue.topic) === queue.partition) this.sticky.delete(queue.topic)
    this.sendBatch(queue, batch)
      .then(
        (baseOffset) => {
          for (let i = 0; i < batch.length; i++)
            batch[i].resolve({
              topic: queue.topic,
              partition: queue.partition,
              offset: baseOffset < 0 ? -1 : baseOffset + i,
            })
          if (channels.produce.hasSubscribers)
            channels.produce.publish({
              topic: queue.topic,
              partition: queue.partition,
              records: batch.length,
              bytes,
              baseOffset,
            })
        },
        (error) => {
          for (const queued of batch) queued.reject(error)
          if (this.transactionalId !== undefined) this.transactionFailed(error as Error)
        },
      )
      .finally(() => {
        queue.inFlight = false
        this.buffered -= bytes
        for (const waiter of this.bufferWaiters.splice(0)) waiter()
        if (
          queue.records.length > 0 &&
          (queue.bytes >= this.batchBytesMax || queue.lingerTimer === undefined)
        )
          this.drain(queue)
        if (this.isIdle()) for (const waiter of this.idleWaiters.splice(0)) waiter()
      })
  }

  private isIdle(): boolean {
    for (const queue of this.queues.values()) if (queue.inFlight || queue.records.length > 0) return false
    return true
  }

  /** Builds the batch once and sends it until acknowledged or out of retries; resolves to its base offset. */
  private async sendBatch(queue: PartitionQueue, batch: QueuedRecord[]): Promise<number> {
    const identity = this.idempotent ? await this.identity() : undefined
    const transactional = this.transactionalId !== undefined
    if (transactional) await this.addPartitionToTransaction(queue.topic, queue.partition)
    const baseSequence = identity === undefined ? -1 : queue.sequence
    const bytes = buildRecordBatch(
      batch.map((q) => q.record),
      {
        compression: this.codec,
        producerId: identity?.producerId ?? -1,
        producerEpoch: identity?.producerEpoch ?? -1,
        baseSequence,
        nowMs: this.cluster.clock.nowMs(),
        isTransactional: transactional,
      },
    )
    // Sequences wrap to 0 after 2^31 - 1, as the broker expects.
    if (identity !== undefined) queue.sequence = (queue.sequence + batch.length) % 0x80000000
    return this.cluster
      .retry(
        async () => {
          const topic = await this.cluster.topic(queue.topic, { autoCreate: this.autoCreateTopics })
          const leader = topic.partitions[queue.partition]?.leaderId ?? -1
          if (leader < 0)
            throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${queue.topic}-${queue.partition}`)
          const connection = await this.cluster.connectionTo(leader)
          const body = {
            transactionalId: this.transactionalId ?? null,
            acks: this.acks,
            timeoutMs: this.produceTimeoutMs,
            topicData: [{ name: queue.topic, partitionData: [{ index: queue.partition, records: bytes }] }],
          }
          if (this.acks === 0) {
            await this.cluster.send(connection, Api.produce, body, { noResponse: true })
            return -1
          }
          const partition = await this.produceCoalesced(
            leader,
            connection,
            queue.topic,
            queue.partition,
            bytes,
          )
          if (partition.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) return partition.baseOffset
          if (partition.errorCode !== ErrorCode.NONE)
            throw kafkaError(partition.errorCode, `${queue.topic}-${queue.partition}`, partition.errorMessage)
          return partition.baseOffset
        },
        {
          onRetry: (error) => {
            if (!(error instanceof KafkaError) || staleMetadataCodes.has(error.errorCode))
              this.cluster.invalidateTopic(queue.topic)
          },
        },
      )
      .catch((error) => {
        // Transactional: the transaction must be aborted; a new epoch after the abort restarts the sequences.
        if (transactional) {
          this.txnNeedsNewEpoch = true
          throw error
        }
        // A sequence the broker no longer accepts: start again with a new producer id (KIP-360's simple form).
        if (
          error instanceof KafkaError &&
          (error.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER ||
            error.errorCode === ErrorCode.UNKNOWN_PRODUCER_ID)
        ) {
          this.producerIdentity = undefined
          for (const q of this.queues.values()) q.sequence = 0
        } else if (identity !== undefined && isRetriable(error)) {
          // The batch's fate is unknown, so its sequence numbers may be taken: a new id keeps later batches valid.
          this.producerIdentity = undefined
          for (const q of this.queues.values()) q.sequence = 0
        }
        throw error
      })
  }

  /**
   * Sends one partition's batch in the next Produce to `leader`: batches drained in the same turn of the
   * event loop (linger timers of many partitions fire together) share one request.
   */
  private produceCoalesced(
    leader: number,
    connection: ClientConnection,
    topic: string,
    partition: number,
    records: Buffer,
  ): Promise<ProducePartitionResponse> {
    return new Promise((resolve, reject) => {
      let pending = this.produceQueues.get(leader)
      if (pending === undefined) {
        const created: PendingProduce[] = []
        pending = created
        this.produceQueues.set(leader, created)
        this.cluster.clock.defer(() => {
          this.produceQueues.delete(leader)
          void this.sendProduce(connection, created)
        })
      }
      pending.push({ topic, partition, records, resolve, reject })
    })
  }

  private async sendProduce(connection: ClientConnection, batches: PendingProduce[]): Promise<void> {
    const byTopic = new Map<string, Array<{ index: number; records: Buffer }>>()
    for (const b of batches) {
      let list = byTopic.get(b.topic)
      if (list === undefined) byTopic.set(b.topic, (list = []))
      list.push({ index: b.partition, records: b.records })
    }
    try {
      const response = await this.cluster.send(
        connection,
        Api.produce,
        {
          transactionalId: this.transactionalId ?? null,
          acks: this.acks,
          timeoutMs: this.produceTimeoutMs,
          topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
        },
        { timeoutMs: this.cluster.requestTimeoutMs + this.produceTimeoutMs },
      )
      const answers = new Map<string, ProducePartitionResponse>()
      for (const t of response.responses)
        for (const p of t.partitionResponses) answers.set(`${t.name}\u0000${p.index}`, p)
      for (const b of batches) {
        const answer = answers.get(`${b.topic}\u0000${b.partition}`)
        if (answer === undefined)
          b.reject(
            kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `Produce response without ${b.topic}-${b.partition}`),
          )
        else b.resolve(answer)
      }
    } catch (error) {
      for (const b of batches) b.reject(error as Error)
    }
  }

  // ---- transactions ----

  /**
   * Registers the transactionalId with its coordinator (InitProducerId): fences any older producer with the
   * same id and aborts (or completes) the transaction it left open. beginTransaction() calls it the first
   * time, so calling it yourself is optional. Retries CONCURRENT_TRANSACTIONS while an earlier transaction
   * of the id ends.
   */
  async initTransactions(): Promise<void> {
    this.assertTransactional('initTransactions()')
    if (this.closing !== undefined) throw new ClosedError('initTransactions() after close()')
    if (this.txnState === 'fatal') throw this.txnError
    if (this.txnState !== 'uninitialized') return
    await this.identity()
    if (this.txnState === 'uninitialized') this.txnState = 'ready'
  }

  /**
   * Opens a transaction: records sent from now until commitTransaction() are written as one atomic unit.
   * Throws if a transaction is already open, or (KafkaError PRODUCER_FENCED...) if the producer was fenced.
   */
  async beginTransaction(): Promise<void> {
    await this.initTransactions()
    if (this.txnState !== 'ready')
      throw new InvalidArgumentError(`beginTransaction() while a transaction is ${this.txnState}`)
    this.txnState = 'in-transaction'
  }

  /**
   * Adds a consumer group's offsets to the open transaction (AddOffsetsToTxn, then TxnOffsetCommit to the
   * group's coordinator): they become the group's committed offsets only if the transaction commits. Pass
   * the consumer's `groupMetadata()` so a consumer that lost its partitions in a rebalance cannot commit
   * (the error is a KafkaError such as ILLEGAL_GENERATION, and the transaction must be aborted).
   */
  async sendOffsetsToTransaction(
    offsets: ReadonlyArray<TransactionOffset>,
    group: string | ConsumerGroupMetadata,
  ): Promise<void> {
    this.assertInTransaction('sendOffsetsToTransaction()')
    const metadata: ConsumerGroupMetadata =
      typeof group === 'string'
        ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null }
        : group
    const groupId = metadata.groupId
    if (typeof groupId !== 'string' || groupId.length === 0)
      throw new InvalidArgumentError('sendOffsetsToTransaction() needs a group id')
    if (offsets.length === 0) return
    try {
      const identity = await this.identity()
      if (!this.txnGroups.has(groupId)) {
        await this.transactionRequest('AddOffsetsToTxn', async (connection) => {
          const response = await this.cluster.send(connection, Api.addOffsetsToTxn, {
            transactionalId: this.transactionalId,
            producerId: identity.producerId,
            producerEpoch: identity.producerEpoch,
            groupId,
          })
          this.checkCoordinatorAnswer(response.errorCode, `AddOffsetsToTxn of '${groupId}'`)
        })
        this.txnGroups.add(groupId)
      }
      const byTopic = new Map<string, TransactionOffset[]>()
      for (const o of offsets) {
        let list = byTopic.get(o.topic)
        if (list === undefined) byTopic.set(o.topic, (list = []))
        list.push(o)
      }
      await this.cluster.retry(
        async () => {
          const connection = await this.cluster.connectionTo(await this.cluster.coordinatorId(groupId, 0))
          const response = await this.cluster.send(connection, Api.txnOffsetCommit, {
            transactionalId: this.transactionalId,
            groupId,
            producerId: identity.producerId,
            producerEpoch: identity.producerEpoch,
            generationId: metadata.generationId,
            memberId: metadata.memberId,
            groupInstanceId: metadata.groupInstanceId,
            topics: [...byTopic].map(([name, list]) => ({
              name,
              partitions: list.map((o) => ({
                partitionIndex: o.partition,
                committedOffset: o.offset,
                committedLeaderEpoch: o.leaderEpoch ?? -1,
                committedMetadata: o.metadata ?? '',
              })),
            })),
          })
          for (const topic of response.topics)
            for (const p of topic.partitions)
              if (p.errorCode !== ErrorCode.NONE) {
                if (
                  p.errorCode === ErrorCode.NOT_COORDINATOR ||
                  p.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
                )
                  this.cluster.invalidateCoordinator(groupId, 0)
                throw kafkaError(p.errorCode, `TxnOffsetCommit ${topic.name}-${p.partitionIndex}`)
              }
        },
        { retries: Math.max(this.cluster.retries, 20) },
      )
    } catch (error) {
      this.transactionFailed(error as Error)
      throw error
    }
  }

  /**
   * Sends what is buffered, then commits the open transaction (EndTxn): its records become visible to
   * read_committed consumers and its offsets become the groups' committed offsets. If a send of the
   * transaction failed, nothing is committed: the error is thrown and abortTransaction() must follow.
   */
  async commitTransaction(): Promise<void> {
    this.assertInTransaction('commitTransaction()')
    this.txnState = 'completing'
    try {
      await this.flush()
    } catch {
      // Failed sends are recorded by transactionFailed.
    }
    if (this.txnError !== undefined) {
      // transactionFailed may have made it fatal meanwhile.
      if ((this.txnState as TransactionState) !== 'fatal') this.txnState = 'abortable'
      throw this.txnError
    }
    try {
      await this.endTransaction(true)
    } catch (error) {
      this.transactionFailed(error as Error)
      throw error
    }
  }

  /**
   * Aborts the open transaction (EndTxn): its records are never shown to read_committed consumers and its
   * offsets are dropped. Records still buffered are sent first (and aborted with the rest). Throws the
   * fencing error if the producer was fenced: then it can only be closed.
   */
  async abortTransaction(): Promise<void> {
    this.assertTransactional('abortTransaction()')
    if (this.txnState === 'fatal') throw this.txnError
    if (this.txnState !== 'in-transaction' && this.txnState !== 'abortable')
      throw new InvalidArgumentError(`abortTransaction() while the transaction is ${this.txnState}`)
    this.txnState = 'completing'
    await this.flush().catch(() => undefined)
    if (this.txnError !== undefined && isFatalTransactionError(this.txnError)) {
      this.txnState = 'fatal'
      throw this.txnError
    }
    try {
      await this.endTransaction(false)
    } catch (error) {
      this.txnState = isFatalTransactionError(error) ? 'fatal' : 'abortable'
      this.txnError = error as Error
      throw error
    }
    if (this.txnNeedsNewEpoch) {
      // A batch's fate was unknown: its sequence numbers may be taken. A new epoch starts them again.
      this.txnNeedsNewEpoch = false
      this.producerIdentity = undefined
      for (const q of this.queues.values()) q.sequence = 0
      this.txnState = 'uninitialized'
    }
  }

  /** True while a transaction is open (between beginTransaction() and its commit or abort). */
  get inTransaction(): boolean {
    return (
      this.txnState === 'in-transaction' || this.txnState === 'abortable' || this.txnState === 'completing'
    )
  }

  /** close()'s abort of a transaction still open (not of one being committed or aborted, nor once fenced). */
  private async abortOnClose(): Promise<void> {
    if (this.txnState !== 'in-transaction' && this.txnState !== 'abortable') return
    this.txnState = 'completing'
    try {
      await this.endTransaction(false)
    } catch (error) {
      this.txnState = isFatalTransactionError(error) ? 'fatal' : 'abortable'
      this.txnError = error as Error
      this.cluster.logger.warn('close(): aborting the open transaction failed', {
        transactionalId: this.transactionalId,
        error: (error as Error).message,
      })
    }
  }

  /** EndTxn, skipped when the transaction touched no partition and no group; clears the transaction. */
  private async endTransaction(commit: boolean): Promise<void> {
    if (this.txnPartitions.size > 0 || this.txnGroups.size > 0) {
      const identity = await this.identity()
      await this.transactionRequest('EndTxn', async (connection) => {
        const response = await this.cluster.send(connection, Api.endTxn, {
          transactionalId: this.transactionalId,
          producerId: identity.producerId,
          producerEpoch: identity.producerEpoch,
          committed: commit,
        })
        this.checkCoordinatorAnswer(response.errorCode, commit ? 'EndTxn (commit)' : 'EndTxn (abort)')
      })
    }
    this.txnPartitions.clear()
    this.txnGroups.clear()
    this.txnError = undefined
    this.txnState = 'ready'
  }

  /** Adds a partition to the open transaction before its first batch; partitions of one turn share a request. */
  private addPartitionToTransaction(topic: string, partition: number): Promise<void> {
    const key = tpKey(topic, partition)
    if (this.txnPartitions.has(key)) return Promise.resolve()
    let adding = this.txnPartitionAdds.get(key)
    if (adding !== undefined) return adding
    adding = new Promise<void>((resolve, reject) => {
      if (this.txnAddQueue.length === 0)
        this.cluster.clock.defer(() => {
          const queued = this.txnAddQueue
          this.txnAddQueue = []
          void this.sendPartitionAdds(queued)
        })
      this.txnAddQueue.push({ topic, partition, resolve, reject })
    })
    this.txnPartitionAdds.set(key, adding)
    return adding
  }

  private async sendPartitionAdds(
    queued: Array<TopicPartition & { resolve: () => void; reject: (e: Error) => void }>,
  ): Promise<void> {
    const byTopic = new Map<string, number[]>()
    for (const q of queued) {
      let list = byTopic.get(q.topic)
      if (list === undefined) byTopic.set(q.topic, (list = []))
      list.push(q.partition)
    }
    try {
      const identity = await this.identity()
      await this.transactionRequest('AddPartitionsToTxn', async (connection) => {
        const response = await this.cluster.send(connection, Api.addPartitionsToTxn, {
          v3AndBelowTransactionalId: this.transactionalId,
          v3AndBelowProducerId: identity.producerId,
          v3AndBelowProducerEpoch: identity.producerEpoch,
          v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        })
        // OPERATION_NOT_ATTEMPTED marks partitions skipped because another one failed.
        let failure = ErrorCode.NONE as number
        let where = ''
        for (const topic of response.resultsByTopicV3AndBelow)
          for (const p of topic.resultsByPartition)
            if (
              p.partitionErrorCode !== ErrorCode.NONE &&
              (failure === ErrorCode.NONE || failure === ErrorCode.OPERATION_NOT_ATTEMPTED)
            ) {
              failure = p.partitionErrorCode
              where = `${topic.name}-${p.partitionIndex}`
            }
        this.checkCoordinatorAnswer(failure, `AddPartitionsToTxn ${where}`)
      })
      for (const q of queued) this.txnPartitions.add(tpKey(q.topic, q.partition))
      for (const q of queued) q.resolve()
    } catch (error) {
      for (const q of queued) q.reject(error as Error)
    } finally {
      for (const q of queued) this.txnPartitionAdds.delete(tpKey(q.topic, q.partition))
    }
  }

  /**
   * Runs a request to the transaction coordinator, finding it first (FindCoordinator key type 1) and
   * again after NOT_COORDINATOR; retries CONCURRENT_TRANSACTIONS and other retriable errors.
   */
  private transactionRequest<T>(
    what: string,
    operation: (connection: ClientConnection) => Promise<T>,
  ): Promise<T> {
    const transactionalId = this.transactionalId as string
    return this.cluster.retry(
      async () => {
        const coordinator = await this.cluster.coordinatorId(transactionalId, 1)
        return operation(await this.cluster.connectionTo(coordinator))
      },
      {
        retries: Math.max(this.cluster.retries, 20),
        onRetry: (error) => {
          if (!(error instanceof KafkaError) || staleMetadataCodes.has(error.errorCode))
            this.cluster.invalidateCoordinator(transactionalId, 1)
          this.cluster.logger.debug(`${what}: retrying`, { error: (error as Error).message })
        },
      },
    )
  }

  /** Throws a KafkaError for a coordinator's error code (NONE passes). */
  private checkCoordinatorAnswer(errorCode: number, what: string): void {
    if (errorCode === ErrorCode.NONE) return
    if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE)
      this.cluster.invalidateCoordinator(this.transactionalId as string, 1)
    throw kafkaError(errorCode, what)
  }

  /** Records why the open transaction can no longer commit (or, when fenced, why the producer must close). */
  private transactionFailed(error: Error): void {
    if (this.txnState === 'fatal') return
    if (isFatalTransactionError(error)) {
      this.txnState = 'fatal'
      this.txnError = error
      return
    }
    this.txnError ??= error
    if (this.txnState === 'in-transaction' || this.txnState === 'completing') this.txnState = 'abortable'
  }

  private assertTransactional(what: string): void {
    if (this.transactionalId === undefined)
      throw new InvalidArgumentError(`${what} needs a producer with a transactionalId`)
  }

  private assertInTransaction(what: string): void {
    this.assertTransactional(what)
    if (this.txnState === 'fatal' || this.txnState === 'abortable') throw this.txnError
    if (this.txnState !== 'in-transaction')
      throw new InvalidArgumentError(`${what} of a transactional producer needs beginTransaction() first`)
  }

  /**
   * Sends everything buffered now (ignoring lingerMs) and resolves when all of it is acknowledged or failed,
   * including records whose send() was called before flush() and is still looking up metadata or waiting
   * for buffer space.
   */
  async flush(): Promise<void> {
    this.flushing++
    try {
      for (const queue of this.queues.values()) this.drain(queue)
      await Promise.allSettled([...this.admitting])
      for (const queue of this.queues.values()) this.drain(queue)
      if (this.isIdle()) return
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
    } finally {
      this.flushing--
    }
  }

  /**
   * Flushes (every record whose send() was called before close() is sent, or its promise rejects with the
   * reason), aborts a transaction left open (as Java's KafkaProducer.close() does: read_committed consumers
   * are not held at it until transactionTimeoutMs), then closes connections; send() afterwards throws
   * ClosedError (BROOK_ERR_CLOSED). A failed abort is logged, not thrown: the coordinator then aborts the
   * transaction when it times out.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush().finally(() => this.abortOnClose())
      } finally {
        for (const waiter of this.bufferWaiters.splice(0)) waiter()
        this.cluster.close()
      }
    })()
    return this.closing
  }
}

/** True for errors after which a transactional producer can only be closed. */
function isFatalTransactionError(error: unknown): boolean {
  return error instanceof KafkaError && fatalTransactionCodes.has(error.errorCode)
}
