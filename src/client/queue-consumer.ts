// The QueueConsumer: a share-group (KIP-932) member. Several workers read the same partitions; each record
// is acquired by one of them, delivered with its delivery count, and acknowledged: accept (done), release
// (deliver again), reject (never again), or renew (keep the lock, KIP-1222). Acknowledgements ride on the
// next ShareFetch to the same broker (or a ShareAcknowledge when nothing is fetched), in one share
// session per broker; close() releases what was fetched but not delivered and closes the sessions.
import { ErrorCode } from '../protocol/index.js'
import { decodeBatch, iterateBatches } from '../record-batch/index.js'
import { Api } from './apis.js'
import { type ClientOptions, Cluster } from './cluster.js'
import type { Message, MessageHeader } from './consumer.js'
import {
  AlreadyIteratingError,
  InvalidArgumentError,
  isRetriable,
  KafkaError,
  kafkaError,
  staleMetadataCodes,
} from './errors.js'
import { type Deserializer, serializers } from './serializers.js'
import { type TopicPartition, tpKey } from './topic-partition.js'

/** Kafka's acknowledge types (ShareFetch/ShareAcknowledge acknowledgeTypes). */
const AckType = { accept: 1, release: 2, reject: 3, renew: 4 } as const
type AckName = keyof typeof AckType

/** A record from a queue, to be acknowledged once. */
export interface QueueMessage<K = Buffer | null, V = Buffer | null> extends Message<K, V> {
  /** How many times this record has been delivered, this time included (1 the first time). */
  deliveryCount: number
  /** Processing succeeded: the record is done. */
  accept(): void
  /** Give the record back: it is delivered again (to any member) with a higher delivery count. */
  release(): void
  /** The record cannot be processed: it is archived and never delivered again. */
  reject(): void
  /** Keep the acquisition lock for another lock duration (brokers with ShareAcknowledge v2; Kafka 4.2+). */
  renew(): Promise<void>
  /** How it was acknowledged, if it was. */
  readonly acknowledgement: AckName | undefined
}

/** Options of a QueueConsumer; `K` and `V` are the key and value types its deserialisers make. */
export interface QueueConsumerOptions<K = Buffer | null, V = Buffer | null> extends ClientOptions {
  /** The share group: its members share the records of its topics. */
  groupId: string
  /** The topics to read. */
  topics: readonly string[]
  /**
   * Set the share group's `share.auto.offset.reset` to earliest before joining, so records written before
   * the group first started are delivered (Kafka's default for share groups is latest).
   */
  fromBeginning?: boolean
  /** Longest a ShareFetch waits for records, in ms (fetch.max.wait.ms, default 500). */
  maxWaitMs?: number
  /** Records acquired per ShareFetch (max.poll.records, default 500); also the bound on records held unacknowledged in the buffer. */
  maxRecords?: number
  /** Turns key bytes into keys (default: bytes, the Buffer as is). */
  keyDeserializer?: Deserializer<K>
  /** Turns value bytes into values (default: bytes, the Buffer as is). */
  valueDeserializer?: Deserializer<V>
}

interface Held {
  topic: string
  partition: number
  topicId: string
  leader: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: MessageHeader[]
  timestamp: number
  deliveryCount: number
  ack: AckName | undefined
}

interface Session {
  epoch: number
  /** Partitions the broker has in this session, by tpKey. */
  partitions: Set<string>
}

interface AckBatch {
  firstOffset: number
  lastOffset: number
  acknowledgeTypes: number[]
}

interface PendingAck {
  topicId: string
  partition: number
  offset: number
  type: number
}

/** A member of a share group: iterate it, or run `process()` with a worker function. */
export class QueueConsumer<K = Buffer | null, V = Buffer | null>
  implements AsyncIterable<QueueMessage<K, V>>
{
  private readonly cluster: Cluster
  private readonly options: QueueConsumerOptions<K, V>
  private readonly groupId: string
  private readonly keyDeserializer: Deserializer<K>
  private readonly valueDeserializer: Deserializer<V>
  private memberId: string = globalThis.crypto.randomUUID()
  private memberEpoch = 0
  private heartbeatIntervalMs = 5000
  /** Assigned partitions, by tpKey. */
  private assigned = new Map<string, { topic: string; partition: number; topicId: string }>()
  private readonly sessions = new Map<number, Session>()
  /** Acknowledgements not yet sent, by leader node id. */
  private readonly pendingAcks = new Map<number, PendingAck[]>()
  private buffer: Held[] = []
  private inHand: Held | undefined
  private iterating = false
  private started = false
  private closing: Promise<void> | undefined
  private fatal: Error | undefined
  private readonly waiters: Array<() => void> = []
  private fetcherWake: (() => void) | undefined
  private heartbeatWake: (() => void) | undefined
  private running: Promise<void>[] = []
  private acquisitionLockTimeoutMs = 30_000

  constructor(options: QueueConsumerOptions<K, V>) {
    if (typeof options.groupId !== 'string' || options.groupId.length === 0)
      throw new InvalidArgumentError('a QueueConsumer needs a groupId')
    if (!Array.isArray(options.topics) || options.topics.length === 0)
      throw new InvalidArgumentError('a QueueConsumer needs topics')
    this.cluster = new Cluster(options)
    this.options = options
    this.groupId = options.groupId
    this.keyDeserializer = options.keyDeserializer ?? (serializers.bytes as unknown as Deserializer<K>)
    this.valueDeserializer = options.valueDeserializer ?? (serializers.bytes as unknown as Deserializer<V>)
  }

  /** Partitions assigned to this member now (shared with other members). */
  assignment(): TopicPartition[] {
    return [...this.assigned.values()].map(({ topic, partition }) => ({ topic, partition }))
  }

  /** The broker's acquisition lock duration, ms, as last reported (30000 until known). */
  get lockDurationMs(): number {
    return this.acquisitionLockTimeoutMs
  }

  /** Joins the share group and starts fetching; iteration and process() call it. */
  async start(): Promise<void> {
    this.cluster.assertOpen('start()')
    if (this.started) return
    this.started = true
    if (this.options.fromBeginning) {
      await this.cluster.retry(async () => {
        const connection = await this.cluster.anyConnection()
        const response = await this.cluster.send(connection, Api.incrementalAlterConfigs, {
          resources: [
            {
              resourceType: 32,
              resourceName: this.groupId,
              configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }],
            },
          ],
          validateOnly: false,
        })
        for (const r of response.responses)
          if (r.errorCode !== ErrorCode.NONE)
            throw kafkaError(r.errorCode, `set share.auto.offset.reset of '${this.groupId}'`, r.errorMessage)
      })
    }
    await this.cluster.refreshMetadata([...this.options.topics]).catch(() => undefined)
    this.running = [this.heartbeatLoop(), this.fetchLoop()]
  }

  // ---- membership ----

  private async heartbeatLoop(): Promise<void> {
    let failures = 0
    while (this.closing === undefined) {
      let delayMs = this.heartbeatIntervalMs
      try {
        await this.heartbeat(this.memberEpoch)
        failures = 0
      } catch (error) {
        if (this.closing !== undefined) return
        if (
          error instanceof KafkaError &&
          (error.errorCode === ErrorCode.FENCED_MEMBER_EPOCH ||
            error.errorCode === ErrorCode.UNKNOWN_MEMBER_ID)
        ) {
          this.memberEpoch = 0
          this.assigned = new Map()
          delayMs = 0
        } else if (isRetriable(error)) {
          this.cluster.invalidateCoordinator(this.groupId, 0)
          delayMs = this.cluster.backoffMs(failures++)
        } else {
          this.failWith(error as Error)
          return
        }
      }
      await new Promise<void>((resolve) => {
        const timer = this.cluster.clock.setTimeout(resolve, delayMs)
        this.heartbeatWake = () => {
          timer.cancel()
          resolve()
        }
      })
      this.heartbeatWake = undefined
    }
  }

  private async heartbeat(epoch: number, signal?: AbortSignal): Promise<void> {
    const coordinator = await this.cluster.coordinatorId(this.groupId, 0, signal)
    const connection = await this.cluster.connectionTo(coordinator, signal)
    const response = await this.cluster.send(
      connection,
      Api.shareGroupHeartbeat,
      {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: epoch,
        rackId: null,
        subscribedTopicNames: epoch === 0 ? [...this.options.topics] : null,
      },
      { signal },
    )
    if (epoch < 0) return
    if (response.errorCode !== ErrorCode.NONE) {
      if (
        response.errorCode === ErrorCode.NOT_COORDINATOR ||
        response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
      )
        this.cluster.invalidateCoordinator(this.groupId, 0)
      throw kafkaError(response.errorCode, `ShareGroupHeartbeat of '${this.groupId}'`, response.errorMessage)
    }
    if (response.memberId) this.memberId = response.memberId
    this.memberEpoch = response.memberEpoch
    if (response.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = response.heartbeatIntervalMs
    if (response.assignment === null) return
    const next = new Map<string, { topic: string; partition: number; topicId: string }>()
    for (const entry of response.assignment.topicPartitions) {
      let name = this.cluster.topicNameById(entry.topicId)
      if (name === undefined) {
        await this.cluster.refreshMetadata([...this.options.topics])
        name = this.cluster.topicNameById(entry.topicId)
      }
      if (name === undefined) continue
      for (const partition of entry.partitions)
        next.set(tpKey(name, partition), { topic: name, partition, topicId: entry.topicId })
    }
    this.assigned = next
    this.fetcherWake?.()
  }

  // ---- fetching ----

  private bufferFull(): boolean {
    return this.buffer.length >= (this.options.maxRecords ?? 500)
  }

  private async fetchLoop(): Promise<void> {
    let failures = 0
    while (this.closing === undefined && this.fatal === undefined) {
      try {
        const byLeader = new Map<number, Array<{ topic: string; partition: number; topicId: string }>>()
        for (const topic of new Set([...this.assigned.values()].map((a) => a.topic)))
          await this.cluster.topic(topic)
        for (const a of this.assigned.values()) {
          const leader = this.cluster.cachedTopic(a.topic)?.partitions[a.partition]?.leaderId ?? -1
          if (leader < 0) continue
          let list = byLeader.get(leader)
          if (list === undefined) byLeader.set(leader, (list = []))
          list.push(a)
        }
        // Acks for brokers that lead nothing of ours any more still have to go.
        for (const leader of this.pendingAcks.keys()) if (!byLeader.has(leader)) byLeader.set(leader, [])
        const full = this.bufferFull()
        const work = [...byLeader].filter(
          ([leader, list]) => (!full && list.length > 0) || (this.pendingAcks.get(leader)?.length ?? 0) > 0,
        )
        if (work.length === 0) {
          await this.waitForWork(200)
          continue
        }
        await Promise.all(
          work.map(([leader, list]) =>
            full || list.length === 0 ? this.acknowledge(leader, false) : this.shareFetch(leader, list),
          ),
        )
        failures = 0
      } catch (error) {
        if (this.closing !== undefined) return
        if (!isRetriable(error)) {
          this.failWith(error as Error)
          return
        }
        this.cluster.logger.debug('share fetch failed; retrying', { error: (error as Error).message })
        await this.cluster.sleep(this.cluster.backoffMs(failures++)).catch(() => undefined)
      }
    }
  }

  private waitForWork(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.cluster.clock.setTimeout(done, timeoutMs)
      function done() {
        timer.cancel()
        resolve()
      }
      this.fetcherWake = () => {
        this.fetcherWake = undefined
        done()
      }
    })
  }

  private session(leader: number): Session {
    let session = this.sessions.get(leader)
    if (session === undefined) this.sessions.set(leader, (session = { epoch: 0, partitions: new Set() }))
    return session
  }

  /** Kafka's session epochs run 1..MAX_INT after the opening 0, then wrap to 1. */
  private static nextEpoch(epoch: number): number {
    return epoch === 0x7fffffff ? 1 : epoch + 1
  }

  /** Acknowledgement batches by topic id and partition, one batch per run of offsets with one type. */
  private static ackTopics(acks: PendingAck[]) {
    const byPartition = new Map<string, { topicId: string; partition: number; acks: PendingAck[] }>()
    for (const ack of acks) {
      const key = `${ack.topicId}:${ack.partition}`
      let entry = byPartition.get(key)
      if (entry === undefined)
        byPartition.set(key, (entry = { topicId: ack.topicId, partition: ack.partition, acks: [] }))
      entry.acks.push(ack)
    }
    const topics = new Map<
      string,
      Array<{
        partitionIndex: number
        acknowledgementBatches: Array<{ firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }>
      }>
    >()
    for (const entry of byPartition.values()) {
      entry.acks.sort((a, b) => a.offset - b.offset)
      const batches: Array<{ firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }> = []
      for (const ack of entry.acks) {
        const last = batches[batches.length - 1]
        if (last !== undefined && last.lastOffset + 1 === ack.offset && last.acknowledgeTypes[0] === ack.type)
          last.lastOffset = ack.offset
        else batches.push({ firstOffset: ack.offset, lastOffset: ack.offset, acknowledgeTypes: [ack.type] })
      }
      let list = topics.get(entry.topicId)
      if (list === undefined) topics.set(entry.topicId, (list = []))
      list.push({ partitionIndex: entry.partition, acknowledgementBatches: batches })
    }
    return topics
  }

  private async shareFetch(
    leader: number,
    partitions: Array<{ topic: string; partition: number; topicId: string }>,
  ): Promise<void> {
    const session = this.session(leader)
    // The opening request of a session carries no acknowledgements (KIP-932).
    const acks = session.epoch === 0 ? [] : (this.pendingAcks.get(leader) ?? [])
    if (acks.length > 0) this.pendingAcks.set(leader, [])
    const ackTopics = QueueConsumer.ackTopics(acks)
    const wanted = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), p]))
    const topics = new Map<
      string,
      Map<number, { partitionIndex: number; partitionMaxBytes: number; acknowledgementBatches: AckBatch[] }>
    >()
    const add = (topicId: string, partitionIndex: number) => {
      let t = topics.get(topicId)
      if (t === undefined) topics.set(topicId, (t = new Map()))
      let p = t.get(partitionIndex)
      if (p === undefined)
        t.set(
          partitionIndex,
          (p = { partitionIndex, partitionMaxBytes: 1024 * 1024, acknowledgementBatches: [] }),
        )
      return p
    }
    for (const [key, p] of wanted)
      if (!session.partitions.has(key) || session.epoch === 0) add(p.topicId, p.partition)
    for (const [topicId, list] of ackTopics)
      for (const entry of list)
        add(topicId, entry.partitionIndex).acknowledgementBatches = entry.acknowledgementBatches
    const forgotten = new Map<string, number[]>()
    if (session.epoch !== 0)
      for (const key of session.partitions)
        if (!wanted.has(key)) {
          const [topic, partition] = key.split('\u0000')
          const topicId = this.cluster.cachedTopic(topic)?.topicId
          if (topicId === undefined) continue
          let list = forgotten.get(topicId)
          if (list === undefined) forgotten.set(topicId, (list = []))
          list.push(Number(partition))
        }
    const epoch = session.epoch
    const connection = await this.cluster.connectionTo(leader)
    const maxWaitMs = this.options.maxWaitMs ?? 500
    let response: Awaited<
      ReturnType<typeof this.cluster.send<typeof Api.shareFetch.request, typeof Api.shareFetch.response>>
    >
    try {
      response = await this.cluster.send(
        connection,
        Api.shareFetch,
        {
          groupId: this.groupId,
          memberId: this.memberId,
          shareSessionEpoch: epoch,
          maxWaitMs,
          minBytes: 1,
          maxBytes: 50 * 1024 * 1024,
          maxRecords: this.options.maxRecords ?? 500,
          batchSize: this.options.maxRecords ?? 500,
          shareAcquireMode: 0,
          isRenewAck: false,
          topics: [...topics].map(([topicId, ps]) => ({ topicId, partitions: [...ps.values()] })),
          forgottenTopicsData: [...forgotten].map(([topicId, ps]) => ({ topicId, partitions: ps })),
        },
        { timeoutMs: this.cluster.requestTimeoutMs + maxWaitMs },
      )
    } catch (error) {
      // The session's state is unknown: start a new one. Acks sent are lost; their records come back.
      this.sessions.delete(leader)
      throw error
    }
    if (response.errorCode !== ErrorCode.NONE) {
      this.sessions.delete(leader)
      if (
        response.errorCode === ErrorCode.SHARE_SESSION_NOT_FOUND ||
        response.errorCode === ErrorCode.INVALID_SHARE_SESSION_EPOCH
      )
        return
      throw kafkaError(response.errorCode, 'ShareFetch', response.errorMessage)
    }
    session.epoch = QueueConsumer.nextEpoch(epoch)
    for (const key of wanted.keys()) session.partitions.add(key)
    for (const [topicId, ps] of forgotten)
      for (const p of ps) {
        const topic = this.cluster.topicNameById(topicId)
        if (topic !== undefined) session.partitions.delete(tpKey(topic, p))
      }
    if (response.acquisitionLockTimeoutMs > 0)
      this.acquisitionLockTimeoutMs = response.acquisitionLockTimeoutMs
    let delivered = 0
    for (const t of response.responses) {
      const topic = this.cluster.topicNameById(t.topicId)
      for (const p of t.partitions) {
        if (p.acknowledgeErrorCode !== ErrorCode.NONE)
          this.cluster.logger.warn('acknowledgement failed', {
            topic,
            partition: p.partitionIndex,
            error: p.acknowledgeErrorCode,
          })
        if (p.errorCode !== ErrorCode.NONE) {
          if (topic !== undefined && staleMetadataCodes.has(p.errorCode)) this.cluster.invalidateTopic(topic)
          continue
        }
        if (topic === undefined || p.records === null || p.acquiredRecords.length === 0) continue
        const records = Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records)
        delivered += this.decodeAcquired(
          topic,
          p.partitionIndex,
          t.topicId,
          leader,
          records,
          p.acquiredRecords,
        )
      }
    }
    if (delivered > 0) this.notify()
  }

  /** Buffers the records inside the acquired ranges, each with its delivery count. */
  private decodeAcquired(
    topic: string,
    partition: number,
    topicId: string,
    leader: number,
    records: Buffer,
    acquired: ReadonlyArray<{ firstOffset: number; lastOffset: number; deliveryCount: number }>,
  ): number {
    let count = 0
    const ranges = [...acquired].sort((a, b) => a.firstOffset - b.firstOffset)
    const found = new Set<number>()
    for (const slice of iterateBatches(records, { partialTail: 'stop' })) {
      const batch = decodeBatch(slice.bytes)
      if (batch.isControl) continue
      for (const record of batch.records) {
        const range = ranges.find((r) => r.firstOffset <= record.offset && record.offset <= r.lastOffset)
        if (range === undefined) continue
        found.add(record.offset)
        this.buffer.push({
          topic,
          partition,
          topicId,
          leader,
          offset: record.offset,
          key: record.key,
          value: record.value,
          headers: record.headers.map((h) => ({ key: h.key, value: h.value })),
          timestamp: record.timestampMs,
          deliveryCount: range.deliveryCount,
          ack: undefined,
        })
        count++
      }
    }
    // Acquired offsets without a record (compacted away, control records) are accepted so they do not linger.
    for (const range of ranges)
      for (
        let offset = range.firstOffset;
        offset <= range.lastOffset && offset - range.firstOffset < 100_000;
        offset++
      )
        if (!found.has(offset)) this.queueAck({ topicId, partition, leader, offset }, AckType.accept)
    return count
  }

  private queueAck(
    held: { topicId: string; partition: number; leader: number; offset: number },
    type: number,
  ): void {
    let list = this.pendingAcks.get(held.leader)
    if (list === undefined) this.pendingAcks.set(held.leader, (list = []))
    list.push({ topicId: held.topicId, partition: held.partition, offset: held.offset, type })
  }

  /** Sends pending acknowledgements with ShareAcknowledge; `final` closes the session (epoch -1). */
  private async acknowledge(leader: number, final: boolean, renew = false): Promise<void> {
    const session = this.sessions.get(leader)
    const acks = this.pendingAcks.get(leader) ?? []
    if (session === undefined || session.epoch === 0) {
      // No session: nothing was acquired through this broker in a session we still have.
      this.pendingAcks.delete(leader)
      return
    }
    if (acks.length === 0 && !final) return
    this.pendingAcks.set(leader, [])
    const epoch = final ? -1 : session.epoch
    const connection = await this.cluster.connectionTo(leader)
    const response = await this.cluster.send(connection, Api.shareAcknowledge, {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: epoch,
      isRenewAck: renew,
      topics: [...QueueConsumer.ackTopics(acks)].map(([topicId, partitions]) => ({ topicId, partitions })),
    })
    if (final) this.sessions.delete(leader)
    else session.epoch = QueueConsumer.nextEpoch(epoch)
    if (response.errorCode !== ErrorCode.NONE) {
      this.sessions.delete(leader)
      throw kafkaError(response.errorCode, 'ShareAcknowledge', response.errorMessage)
    }
    for (const t of response.responses)
      for (const p of t.partitions)
        if (p.errorCode !== ErrorCode.NONE)
          throw kafkaError(p.errorCode, `ShareAcknowledge partition ${p.partitionIndex}`, p.errorMessage)
  }

  // ---- delivery ----

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }

  private failWith(error: Error): void {
    this.fatal ??= error
    this.notify()
  }

  private acknowledgeHeld(held: Held, name: AckName): void {
    if (held.ack !== undefined)
      throw new InvalidArgumentError(
        `record ${held.topic}-${held.partition}@${held.offset} was already acknowledged (${held.ack})`,
      )
    held.ack = name
    this.queueAck(held, AckType[name])
    this.fetcherWake?.()
  }

  private wrap(held: Held): QueueMessage<K, V> {
    const self = this
    return {
      topic: held.topic,
      partition: held.partition,
      offset: held.offset,
      key: this.keyDeserializer.deserialize(held.key, held.topic),
      value: this.valueDeserializer.deserialize(held.value, held.topic),
      headers: held.headers,
      timestamp: held.timestamp,
      deliveryCount: held.deliveryCount,
      accept: () => this.acknowledgeHeld(held, 'accept'),
      release: () => this.acknowledgeHeld(held, 'release'),
      reject: () => this.acknowledgeHeld(held, 'reject'),
      renew: () => this.renew(held),
      get acknowledgement() {
        void self
        return held.ack
      },
    }
  }

  private async renew(held: Held): Promise<void> {
    if (held.ack !== undefined) throw new InvalidArgumentError('renew() after the record was acknowledged')
    const connection = await this.cluster.connectionTo(held.leader)
    if ((connection.versionFor(Api.shareAcknowledge.apiKey) ?? 0) < 2)
      throw new InvalidArgumentError('this broker cannot renew acquisition locks (needs ShareAcknowledge v2)')
    // Acks already queued for this broker go first; then the renew alone, marked as a renew-only request.
    await this.acknowledge(held.leader, false)
    this.queueAck(held, AckType.renew)
    await this.acknowledge(held.leader, false, true)
  }

  private async nextHeld(): Promise<Held | undefined> {
    if (!this.started) await this.start()
    for (;;) {
      if (this.fatal !== undefined) throw this.fatal
      if (this.closing !== undefined) return undefined
      const held = this.buffer.shift()
      if (held !== undefined) {
        if (!this.bufferFull()) this.fetcherWake?.()
        return held
      }
      this.fetcherWake?.()
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /**
   * Iterates messages until close(): a message the loop body finishes without acknowledging is accepted,
   * the one in hand when the body throws (or breaks) is released. Throws AlreadyIteratingError the second time.
   */
  [Symbol.asyncIterator](): AsyncIterator<QueueMessage<K, V>> {
    if (this.iterating) throw new AlreadyIteratingError('a QueueConsumer can be iterated only once')
    this.iterating = true
    return {
      next: async () => {
        // The loop body finished with the previous message: accept it unless it was acknowledged.
        if (this.inHand !== undefined && this.inHand.ack === undefined)
          this.acknowledgeHeld(this.inHand, 'accept')
        this.inHand = undefined
        const held = await this.nextHeld()
        if (held === undefined) return { done: true, value: undefined }
        this.inHand = held
        return { done: false, value: this.wrap(held) }
      },
      return: async () => {
        // Leaving the loop (break, or a throw in its body) releases the message in hand if unacknowledged.
        if (this.inHand !== undefined && this.inHand.ack === undefined)
          this.acknowledgeHeld(this.inHand, 'release')
        this.inHand = undefined
        return { done: true, value: undefined }
      },
    }
  }

  /**
   * Runs `worker` on each message with up to `concurrency` at once until close() or `signal`. A worker
   * that returns accepts its message (unless it acknowledged it), one that throws releases it.
   */
  async process(
    worker: (message: QueueMessage<K, V>) => Promise<void> | void,
    options: { concurrency?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    if (this.iterating) throw new AlreadyIteratingError('a QueueConsumer can be iterated only once')
    this.iterating = true
    const signal = options.signal
    const onAbort = () => void this.close()
    signal?.addEventListener('abort', onAbort, { once: true })
    const lane = async () => {
      for (;;) {
        const held = await this.nextHeld()
        if (held === undefined) return
        const message = this.wrap(held)
        try {
          await worker(message)
          if (held.ack === undefined) this.acknowledgeHeld(held, 'accept')
        } catch (error) {
          this.cluster.logger.warn('worker failed; releasing the record', {
            topic: held.topic,
            partition: held.partition,
            offset: held.offset,
            error: (error as Error).message,
          })
          if (held.ack === undefined) this.acknowledgeHeld(held, 'release')
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, lane))
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Releases undelivered records, sends pending acknowledgements, closes share sessions and leaves the group. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.notify()
      this.heartbeatWake?.()
      this.fetcherWake?.()
      // A ShareFetch in flight is let finish (within maxWaitMs): its acks count, its records are released below.
      await Promise.all(this.running.map((r) => r.catch(() => undefined)))
      if (this.inHand !== undefined && this.inHand.ack === undefined)
        this.acknowledgeHeld(this.inHand, 'release')
      for (const held of this.buffer.splice(0)) this.queueAck(held, AckType.release)
      await Promise.all(
        [...this.sessions.keys()].map((leader) =>
          this.acknowledge(leader, true).catch((error) =>
            this.cluster.logger.warn('closing a share session failed', {
              leader,
              error: (error as Error).message,
            }),
          ),
        ),
      )
      if (this.memberEpoch > 0)
        await this.heartbeat(-1, AbortSignal.timeout(this.cluster.requestTimeoutMs)).catch((error) =>
          this.cluster.logger.warn('leaving the share group failed', { error: (error as Error).message }),
        )
      this.cluster.close()
    })()
    return this.closing
  }
}
