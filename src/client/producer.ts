// The Producer: send() puts a record in its partition's queue; a queue is sent as one RecordBatch when it
// reaches batchBytesMax or lingerMs after its first record. Idempotent by default (a producer id and a
// sequence per partition, so a retried batch is written once), one batch in flight per partition so order
// holds across retries, and a bound on buffered bytes that makes send() wait rather than grow memory.
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
}

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

  constructor(options: ProducerOptions<K, V>) {
    this.cluster = new Cluster(options)
    this.acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks
    this.idempotent = options.idempotent ?? this.acks === -1
    if (this.idempotent && this.acks !== -1)
      throw new InvalidArgumentError("an idempotent producer needs acks 'all'")
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
    const baseSequence = identity === undefined ? -1 : queue.sequence
    const bytes = buildRecordBatch(
      batch.map((q) => q.record),
      {
        compression: this.codec,
        producerId: identity?.producerId ?? -1,
        producerEpoch: identity?.producerEpoch ?? -1,
        baseSequence,
        nowMs: this.cluster.clock.nowMs(),
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
            transactionalId: null,
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
          transactionalId: null,
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
   * reason), then closes connections; send() afterwards throws ClosedError (BROOK_ERR_CLOSED).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush()
      } finally {
        for (const waiter of this.bufferWaiters.splice(0)) waiter()
        this.cluster.close()
      }
    })()
    return this.closing
  }
}
