// The Consumer: `for await (const message of consumer)` over the partitions the group gives it. A fetch
// loop keeps a bounded buffer filled from each partition's leader; a message counts as processed when the
// loop asks for the next one, and processed offsets are committed every autoCommitIntervalMs, before
// partitions are revoked, and on close (at-least-once). Without a groupId it reads every partition of its
// topics and commits nothing.
import { ErrorCode, type MessageValue } from '../protocol/index.js'
import { Attributes, decodeBatchAs, iterateBatches } from '../record-batch/index.js'
import { Api } from './apis.js'
import { ClassicMembership } from './classic-membership.js'
import { type ClientOptions, Cluster } from './cluster.js'
import { ConsumerProtocolMembership, type Membership, type MembershipHost } from './consumer-membership.js'
import { channels } from './diagnostics.js'
import {
  AlreadyIteratingError,
  InvalidArgumentError,
  isRetriable,
  kafkaError,
  NotAssignedError,
  staleMetadataCodes,
} from './errors.js'
import { type Deserializer, serializers } from './serializers.js'
import { listOffsets } from './list-offsets.js'
import { type TopicPartition, tpKey } from './topic-partition.js'

/** One record header as a consumer delivers it. */
export interface MessageHeader {
  /** Header name. */
  key: string
  /** Header value bytes, or null for a header without a value. */
  value: Buffer | null
}

/** One record as the consumer delivers it. */
export interface Message<K = Buffer | null, V = Buffer | null> {
  /** The topic it was read from. */
  topic: string
  /** The partition it was read from. */
  partition: number
  /** Its offset in the partition. */
  offset: number
  /** The key, as the key deserialiser made it (bytes by default; null when the record has none). */
  key: K
  /** The value, as the value deserialiser made it (bytes by default). */
  value: V
  /** Record headers, in the order they were written. */
  headers: MessageHeader[]
  /** Record timestamp, ms since the epoch. */
  timestamp: number
}

/** Options of a Consumer; `K` and `V` are the key and value types its deserialisers make. */
export interface ConsumerOptions<K = Buffer | null, V = Buffer | null> extends ClientOptions {
  /** The consumer group; without one, every partition of `topics` is read and nothing is committed. */
  groupId?: string
  /** The topics to read (subscribed as a group, or every partition without a groupId). */
  topics: readonly string[]
  /** Where to start without a committed offset: true is earliest, false latest (auto.offset.reset). */
  fromBeginning?: boolean
  /** Commit processed offsets in the background and on revoke/close (enable.auto.commit, default true). */
  autoCommit?: boolean
  /** Interval of background commits, in ms (auto.commit.interval.ms, default 5000). */
  autoCommitIntervalMs?: number
  /** Time the group waits for this member to revoke partitions, in ms (default 60000). */
  rebalanceTimeoutMs?: number
  /**
   * Group protocol (group.protocol): 'consumer' is KIP-848, 'classic' is JoinGroup/SyncGroup with the range
   * assignor; 'auto' (the default) takes KIP-848 when the coordinator serves ConsumerGroupHeartbeat.
   */
  groupProtocol?: 'auto' | 'consumer' | 'classic'
  /** Classic protocol only: time without heartbeats before the group drops this member, in ms (session.timeout.ms, 45000). */
  sessionTimeoutMs?: number
  /** Classic protocol only: time between heartbeats, in ms (heartbeat.interval.ms, 3000). */
  heartbeatIntervalMs?: number
  /** Longest a fetch waits for data, in ms (fetch.max.wait.ms, default 500). */
  maxWaitMs?: number
  /** Bytes per fetch response (fetch.max.bytes, default 50 MiB). */
  fetchBytesMax?: number
  /** Bytes per partition in one fetch response (max.partition.fetch.bytes, default 1 MiB). */
  partitionFetchBytesMax?: number
  /**
   * Records decoded and not yet delivered before fetching pauses (default 10000); the buffer holds at most
   * this plus one fetch response.
   */
  bufferedRecordsMax?: number
  /**
   * Which records to deliver (isolation.level): 'read_uncommitted' (the default) delivers everything
   * written; 'read_committed' delivers records of transactions only once committed, never those of aborted
   * transactions, and reads no further than the last stable offset (the first open transaction).
   */
  isolationLevel?: 'read_uncommitted' | 'read_committed'
  /** Aborting it closes the consumer (iteration ends). */
  signal?: AbortSignal
  /** Turns key bytes into keys (default: bytes, the Buffer as is). */
  keyDeserializer?: Deserializer<K>
  /** Turns value bytes into values (default: bytes, the Buffer as is). */
  valueDeserializer?: Deserializer<V>
  /** Called with newly assigned partitions before their messages are delivered. */
  onAssign?: (partitions: TopicPartition[]) => void | Promise<void>
  /** Called with partitions being taken away, after their processed offsets were committed. */
  onRevoke?: (partitions: TopicPartition[]) => void | Promise<void>
}

/**
 * What a transactional producer passes to `Producer.sendOffsetsToTransaction` so the group can fence a
 * consumer that is no longer a member (KIP-447): the group and this member's id and generation.
 */
export interface ConsumerGroupMetadata {
  /** The consumer group. */
  groupId: string
  /** The member's generation (classic) or member epoch (KIP-848); -1 outside a group. */
  generationId: number
  /** The member id; empty outside a group. */
  memberId: string
  /** The static member's instance id; null for a dynamic member. */
  groupInstanceId: string | null
}

/** A message as decoded, before the deserialisers; delivered as is when both are the default (bytes). */
type RawMessage = Message<Buffer | null, Buffer | null>

/**
 * The messages of one batch of one partition, delivered in order from `next`. Chunks, not single messages,
 * are what revoke, pause and seek check and drop: one check per batch on the delivery path.
 */
interface BufferedChunk {
  state: PartitionState
  /** The partition's epoch when the batch was fetched; a seek or pause since makes the chunk stale. */
  epoch: number
  messages: RawMessage[]
  next: number
}

interface PartitionState {
  topic: string
  partition: number
  /** Next offset to fetch, or undefined until it is looked up. */
  position: number | undefined
  paused: boolean
  /** Offset after the last processed message (what a commit stores), if any. */
  processed: number | undefined
  /** Offset last committed by this consumer. */
  committed: number | undefined
  /** Bumped by seek() and pause(), so a fetch started before it does not deliver. */
  epoch: number
  /** False once revoked or lost: its buffered messages and fetches in flight are dropped. */
  assigned: boolean
}

/**
 * A fetch session with one broker (KIP-227): after a full Fetch opens it, each Fetch names only the
 * partitions whose fetch offset changed and those to forget, so an idle poll of many partitions is a few
 * bytes each way. `sent` is what the broker holds for each partition: the state and offset last sent.
 */
interface FetchSession {
  /** The broker's id for the session; 0 before one is opened. */
  id: number
  /** Epoch of the next Fetch: 0 sends a full fetch (opening a session, replacing `id` if set). */
  epoch: number
  sent: Map<string, { state: PartitionState; fetchOffset: number }>
}

/** A partition to fetch, with its position and epoch when the fetch was planned. */
interface FetchTarget {
  state: PartitionState
  position: number
  epoch: number
}

/** Reads messages of a group's partitions. Iterate it once; close() when done. */
export class Consumer<K = Buffer | null, V = Buffer | null> implements AsyncIterable<Message<K, V>> {
  private readonly cluster: Cluster
  private readonly options: ConsumerOptions<K, V>
  private readonly groupId: string | undefined
  private readonly keyDeserializer: Deserializer<K>
  private readonly valueDeserializer: Deserializer<V>
  private readonly autoCommit: boolean
  /** Fetch and ListOffsets isolation level: 1 is read_committed. */
  private readonly isolationLevel: 0 | 1
  private readonly partitions = new Map<string, PartitionState>()
  private chunks: BufferedChunk[] = []
  private chunkHead = 0
  /** Messages in `chunks` not yet delivered or dropped. */
  private buffered = 0
  private readonly bufferedRecordsMax: number
  /** True when both deserialisers are the default (bytes): decoded messages are delivered as they are. */
  private readonly rawDelivery: boolean
  private membership: Membership | undefined
  private iterating = false
  private started = false
  private closing: Promise<void> | undefined
  private fatal: Error | undefined
  private lastDelivered: { state: PartitionState; offset: number } | undefined
  private readonly waiters: Array<() => void> = []
  private fetcherWake: (() => void) | undefined
  private fetching: Promise<void> | undefined
  private commitTimer: { cancel(): void } | undefined
  private readonly fetchAbort = new AbortController()
  /** Fetch sessions by leader node id. */
  private readonly fetchSessions = new Map<number, FetchSession>()

  constructor(options: ConsumerOptions<K, V>) {
    if (!Array.isArray(options.topics) || options.topics.length === 0)
      throw new InvalidArgumentError('a Consumer needs topics')
    this.cluster = new Cluster(options)
    this.options = options
    this.groupId = options.groupId
    this.autoCommit = (options.autoCommit ?? true) && this.groupId !== undefined
    const isolation = options.isolationLevel ?? 'read_uncommitted'
    if (isolation !== 'read_uncommitted' && isolation !== 'read_committed')
      throw new InvalidArgumentError(`unknown isolationLevel '${isolation}'`)
    this.isolationLevel = isolation === 'read_committed' ? 1 : 0
    this.keyDeserializer = options.keyDeserializer ?? (serializers.bytes as unknown as Deserializer<K>)
    this.valueDeserializer = options.valueDeserializer ?? (serializers.bytes as unknown as Deserializer<V>)
    this.bufferedRecordsMax = options.bufferedRecordsMax ?? 10_000
    this.rawDelivery =
      (this.keyDeserializer as unknown) === serializers.bytes &&
      (this.valueDeserializer as unknown) === serializers.bytes
    if (options.signal?.aborted) void this.close()
    else options.signal?.addEventListener('abort', () => void this.close(), { once: true })
  }

  /** Messages fetched and not yet delivered. */
  get bufferedCount(): number {
    return this.buffered
  }

  /** The group protocol in use, once started: 'consumer' (KIP-848), 'classic', or undefined without a group. */
  get groupProtocol(): 'consumer' | 'classic' | undefined {
    if (this.membership === undefined) return undefined
    return this.membership instanceof ClassicMembership ? 'classic' : 'consumer'
  }

  /** The member id in the group (empty before joining or without a group). */
  get memberId(): string {
    return this.membership?.memberId ?? ''
  }

  /**
   * The group, member id and generation to pass to `Producer.sendOffsetsToTransaction`, so that offsets
   * this member commits in a transaction are refused once it has lost its partitions (KIP-447).
   */
  groupMetadata(): ConsumerGroupMetadata {
    if (this.groupId === undefined) throw new InvalidArgumentError('groupMetadata() needs a groupId')
    return {
      groupId: this.groupId,
      generationId: this.membership?.epoch ?? -1,
      memberId: this.membership?.memberId ?? '',
      groupInstanceId: null,
    }
  }

  /**
   * The offset the next Fetch of an assigned partition starts at (past records buffered and not yet delivered, and
   * past control records and compacted gaps), or undefined before it is known.
   * @internal
   */
  fetchPosition(topic: string, partition: number): number | undefined {
    return this.partitions.get(tpKey(topic, partition))?.position
  }

  /** Partitions currently assigned to this consumer. */
  assignment(): TopicPartition[] {
    return [...this.partitions.values()].map(({ topic, partition }) => ({ topic, partition }))
  }

  /** Joins the group and starts fetching; iteration calls it, so calling it yourself is optional. */
  async start(): Promise<void> {
    this.cluster.assertOpen('start()')
    if (this.started) return
    this.started = true
    const host: MembershipHost = {
      reconcile: (target) => this.reconcile(target),
      lost: () => this.loseAll(),
      fail: (error) => this.failWith(error),
    }
    if (this.groupId === undefined) {
      const target: TopicPartition[] = []
      for (const topic of this.options.topics) {
        const info = await this.cluster.topic(topic)
        for (const p of info.partitions) target.push({ topic, partition: p.partition })
      }
      await this.reconcile(target)
    } else {
      // Resolve topic ids before the first assignment arrives in ids.
      await this.cluster.refreshMetadata([...this.options.topics]).catch(() => undefined)
      const groupId = this.groupId
      let protocol = this.options.groupProtocol ?? 'auto'
      if (protocol === 'auto') {
        const coordinator = await this.cluster.connectionTo(await this.cluster.coordinatorId(groupId, 0))
        protocol =
          coordinator.versionFor(Api.consumerGroupHeartbeat.apiKey) === undefined ? 'classic' : 'consumer'
      }
      const rebalanceTimeoutMs = this.options.rebalanceTimeoutMs ?? 60_000
      this.membership =
        protocol === 'consumer'
          ? new ConsumerProtocolMembership(
              this.cluster,
              groupId,
              this.options.topics,
              rebalanceTimeoutMs,
              host,
            )
          : new ClassicMembership(
              this.cluster,
              groupId,
              this.options.topics,
              {
                rebalanceTimeoutMs,
                sessionTimeoutMs: this.options.sessionTimeoutMs ?? 45_000,
                heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 3000,
              },
              host,
            )
      this.membership.start()
    }
    this.fetching = this.fetchLoop()
    if (this.autoCommit) this.scheduleCommit()
  }

  private scheduleCommit(): void {
    this.commitTimer = this.cluster.clock.setTimeout(() => {
      this.commit()
        .catch((error) =>
          this.cluster.logger.warn('background commit failed', { error: (error as Error).message }),
        )
        .finally(() => {
          if (this.closing === undefined) this.scheduleCommit()
        })
    }, this.options.autoCommitIntervalMs ?? 5000)
  }

  /**
   * Iterates messages until close() (or the signal): a message counts as processed when the loop asks for
   * the next one; leaving the loop leaves the message in hand unprocessed. Throws AlreadyIteratingError the
   * second time.
   */
  [Symbol.asyncIterator](): AsyncIterator<Message<K, V>> {
    if (this.iterating) throw new AlreadyIteratingError('a Consumer can be iterated only once')
    this.iterating = true
    return {
      next: () => this.next(),
      return: async () => {
        // Leaving the loop (break or a throw in its body) does not mark the message in hand as processed.
        this.lastDelivered = undefined
        if (this.autoCommit) await this.commit().catch(() => undefined)
        return { done: true, value: undefined }
      },
    }
  }

  private async next(): Promise<IteratorResult<Message<K, V>>> {
    const last = this.lastDelivered
    // A message counts as processed once the loop asks for the next, if its partition is still ours.
    if (last?.state.assigned) last.state.processed = last.offset + 1
    this.lastDelivered = undefined
    if (this.closing !== undefined) return { done: true, value: undefined }
    if (!this.started) await this.start()
    for (;;) {
      if (this.fatal !== undefined) throw this.fatal
      if (this.closing !== undefined) return { done: true, value: undefined }
      const chunk = this.takeBuffered()
      if (chunk !== undefined) {
        const raw = chunk.messages[chunk.next++]
        this.buffered--
        if (this.buffered < this.bufferedRecordsMax) this.fetcherWake?.()
        this.lastDelivered = { state: chunk.state, offset: raw.offset }
        return { done: false, value: this.deserialize(raw) }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** The chunk holding the next message to deliver, dropping spent and stale chunks on the way. */
  private takeBuffered(): BufferedChunk | undefined {
    while (this.chunkHead < this.chunks.length) {
      const chunk = this.chunks[this.chunkHead]
      const state = chunk.state
      if (
        chunk.next < chunk.messages.length &&
        state.assigned &&
        !state.paused &&
        state.epoch === chunk.epoch
      )
        return chunk
      // Revoke, pause and seek drop a partition's chunks already; this is a second line of defence.
      this.buffered -= chunk.messages.length - chunk.next
      chunk.next = chunk.messages.length
      this.chunkHead++
      if (this.chunkHead > 256 && this.chunkHead * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.chunkHead)
        this.chunkHead = 0
      }
    }
    this.fetcherWake?.()
    return undefined
  }

  private deserialize(raw: RawMessage): Message<K, V> {
    if (this.rawDelivery) return raw as unknown as Message<K, V>
    return {
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      key: this.keyDeserializer.deserialize(raw.key, raw.topic),
      value: this.valueDeserializer.deserialize(raw.value, raw.topic),
      headers: raw.headers,
      timestamp: raw.timestamp,
    }
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }

  private failWith(error: Error): void {
    this.fatal ??= error
    this.notify()
  }

  /** Applies a new assignment: commit and revoke what goes, then take what comes. */
  private async reconcile(target: TopicPartition[]): Promise<void> {
    const wanted = new Set(target.map((tp) => tpKey(tp.topic, tp.partition)))
    const revoked = [...this.partitions.values()].filter((s) => !wanted.has(tpKey(s.topic, s.partition)))
    if (revoked.length > 0) {
      if (this.autoCommit) await this.commitStates(revoked).catch(() => undefined)
      for (const state of revoked) {
        this.partitions.delete(tpKey(state.topic, state.partition))
        state.assigned = false
      }
      this.dropBuffered((state) => !state.assigned)
      const list = revoked.map(({ topic, partition }) => ({ topic, partition }))
      await this.callback('onRevoke', list)
    }
    const added: TopicPartition[] = []
    for (const tp of target) {
      const key = tpKey(tp.topic, tp.partition)
      if (this.partitions.has(key)) continue
      this.partitions.set(key, {
        ...tp,
        position: undefined,
        paused: false,
        processed: undefined,
        committed: undefined,
        epoch: 0,
        assigned: true,
      })
      added.push(tp)
    }
    if (added.length > 0) await this.callback('onAssign', added)
    if (channels.rebalance.hasSubscribers)
      channels.rebalance.publish({ groupId: this.groupId, memberId: this.memberId, assigned: added, revoked })
    this.fetcherWake?.()
  }

  /** Drops the undelivered messages of partitions matching `predicate`. */
  private dropBuffered(predicate: (state: PartitionState) => boolean): void {
    for (let i = this.chunkHead; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]
      if (!predicate(chunk.state)) continue
      this.buffered -= chunk.messages.length - chunk.next
      chunk.next = chunk.messages.length
    }
  }

  private async loseAll(): Promise<void> {
    const lost = this.assignment()
    for (const state of this.partitions.values()) state.assigned = false
    this.partitions.clear()
    this.dropBuffered(() => true)
    if (lost.length > 0) await this.callback('onRevoke', lost)
  }

  private async callback(name: 'onAssign' | 'onRevoke', partitions: TopicPartition[]): Promise<void> {
    try {
      await this.options[name]?.(partitions)
    } catch (error) {
      this.cluster.logger.error(`${name} callback threw`, { error })
    }
  }

  // ---- fetching ----

  private async fetchLoop(): Promise<void> {
    let failures = 0
    while (this.closing === undefined && this.fatal === undefined) {
      try {
        await this.initPositions()
        const byLeader = new Map<number, FetchTarget[]>()
        const bufferFull = this.buffered >= this.bufferedRecordsMax
        if (!bufferFull) {
          for (const topic of new Set([...this.partitions.values()].map((s) => s.topic)))
            await this.cluster.topic(topic)
          // From here to the request nothing awaits: positions and epochs are taken as they are now, and a
          // seek or pause afterwards bumps the epoch so that this fetch's answer is dropped.
          for (const state of this.partitions.values()) {
            if (state.paused || state.position === undefined) continue
            const leader = this.cluster.cachedTopic(state.topic)?.partitions[state.partition]?.leaderId ?? -1
            if (leader < 0) {
              this.cluster.invalidateTopic(state.topic)
              continue
            }
            let list = byLeader.get(leader)
            if (list === undefined) byLeader.set(leader, (list = []))
            list.push({ state, position: state.position, epoch: state.epoch })
          }
        }
        if (byLeader.size === 0) {
          await this.waitForFetchWork(bufferFull ? 1000 : 200)
          continue
        }
        await Promise.all([...byLeader].map(([leader, states]) => this.fetchFrom(leader, states)))
        failures = 0
      } catch (error) {
        if (this.closing !== undefined) return
        if (!isRetriable(error)) {
          this.failWith(error as Error)
          return
        }
        this.cluster.logger.debug('fetch failed; retrying', { error: (error as Error).message })
        await this.cluster.sleep(this.cluster.backoffMs(failures++)).catch(() => undefined)
      }
    }
  }

  private waitForFetchWork(timeoutMs: number): Promise<void> {
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

  /** Looks up where to start in partitions without a position: the committed offset, else the reset policy. */
  private async initPositions(): Promise<void> {
    const missing = [...this.partitions.values()].filter((s) => s.position === undefined)
    if (missing.length === 0) return
    if (this.groupId !== undefined) {
      const committed = await this.fetchCommitted(missing)
      for (const state of missing) {
        const offset = committed.get(tpKey(state.topic, state.partition))
        // A seek() while the lookup was out wins over it.
        if (offset !== undefined && offset >= 0 && state.position === undefined) {
          state.position = offset
          state.committed = offset
        }
      }
    }
    const reset = missing.filter(
      (s) => s.position === undefined && this.partitions.get(tpKey(s.topic, s.partition)) === s,
    )
    if (reset.length > 0) await this.resetPositions(reset)
  }

  private async fetchCommitted(states: PartitionState[]): Promise<Map<string, number>> {
    const groupId = this.groupId as string
    const byTopic = new Map<string, number[]>()
    for (const s of states) {
      let list = byTopic.get(s.topic)
      if (list === undefined) byTopic.set(s.topic, (list = []))
      list.push(s.partition)
    }
    return this.cluster.retry(async () => {
      const connection = await this.cluster.connectionTo(await this.cluster.coordinatorId(groupId, 0))
      const response = await this.cluster.send(connection, Api.offsetFetch, {
        groupId,
        topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        requireStable: true,
      })
      if (response.errorCode !== ErrorCode.NONE) {
        this.cluster.invalidateCoordinator(groupId, 0)
        throw kafkaError(response.errorCode, `OffsetFetch of '${groupId}'`)
      }
      const out = new Map<string, number>()
      for (const topic of response.topics)
        for (const p of topic.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw kafkaError(p.errorCode, `OffsetFetch ${topic.name}-${p.partitionIndex}`)
          out.set(tpKey(topic.name, p.partitionIndex), p.committedOffset)
        }
      return out
    })
  }

  /** Sets positions by the reset policy (earliest or latest). */
  private async resetPositions(states: PartitionState[]): Promise<void> {
    const timestamp = this.options.fromBeginning ? -2 : -1
    const offsets = await listOffsets(this.cluster, states, timestamp, this.isolationLevel)
    for (const state of states) {
      const offset = offsets.get(tpKey(state.topic, state.partition))
      // Only partitions still without a position: a seek() while ListOffsets was out wins over the reset.
      if (
        offset !== undefined &&
        state.position === undefined &&
        this.partitions.get(tpKey(state.topic, state.partition)) === state
      )
        state.position = offset
    }
  }

  private async fetchFrom(leader: number, targets: FetchTarget[]): Promise<void> {
    const asked = new Map(targets.map((t) => [tpKey(t.state.topic, t.state.partition), t]))
    const connection = await this.cluster.connectionTo(leader)
    const maxWaitMs = this.options.maxWaitMs ?? 500
    let session = this.fetchSessions.get(leader)
    if (session === undefined)
      this.fetchSessions.set(leader, (session = { id: 0, epoch: 0, sent: new Map() }))
    const full = session.epoch === 0
    // A full fetch names every partition; an incremental one only those whose offset (or state) changed.
    const changed = full
      ? targets
      : targets.filter((t) => {
          const sent = session.sent.get(tpKey(t.state.topic, t.state.partition))
          return sent === undefined || sent.state !== t.state || sent.fetchOffset !== t.position
        })
    const forgotten = new Map<string, number[]>()
    if (!full)
      for (const [key, sent] of session.sent)
        if (!asked.has(key)) {
          let list = forgotten.get(sent.state.topic)
          if (list === undefined) forgotten.set(sent.state.topic, (list = []))
          list.push(sent.state.partition)
        }
    const byTopic = new Map<string, FetchTarget[]>()
    for (const t of changed) {
      let list = byTopic.get(t.state.topic)
      if (list === undefined) byTopic.set(t.state.topic, (list = []))
      list.push(t)
    }
    let response: MessageValue<typeof Api.fetch.response>
    try {
      response = await this.cluster.send(
        connection,
        Api.fetch,
        {
          replicaId: -1,
          maxWaitMs,
          minBytes: 1,
          maxBytes: this.options.fetchBytesMax ?? 50 * 1024 * 1024,
          isolationLevel: this.isolationLevel,
          sessionId: session.id,
          sessionEpoch: session.epoch,
          topics: [...byTopic].map(([topic, list]) => ({
            topic,
            partitions: list.map((t) => ({
              partition: t.state.partition,
              currentLeaderEpoch: -1,
              fetchOffset: t.position,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: this.options.partitionFetchBytesMax ?? 1024 * 1024,
            })),
          })),
          forgottenTopicsData: [...forgotten].map(([topic, partitions]) => ({ topic, partitions })),
          rackId: '',
        },
        { timeoutMs: this.cluster.requestTimeoutMs + maxWaitMs, signal: this.fetchAbort.signal },
      )
    } catch (error) {
      // Whether the broker saw this epoch is unknown: the next fetch is full and replaces the session.
      session.epoch = 0
      throw error
    }
    if (
      response.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ||
      response.errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH
    ) {
      // Evicted, or the broker restarted: open a new session with the next (full) fetch.
      this.fetchSessions.delete(leader)
      return
    }
    if (response.errorCode !== ErrorCode.NONE) {
      session.epoch = 0
      throw kafkaError(response.errorCode, 'Fetch')
    }
    if (full) {
      session.sent.clear()
      // Session id 0: the broker keeps no session (none left, or Fetch < v7), so every fetch stays full.
      session.id = response.sessionId
      session.epoch = response.sessionId === 0 ? 0 : 1
    } else {
      session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1
      for (const [topic, partitions] of forgotten)
        for (const partition of partitions) session.sent.delete(tpKey(topic, partition))
    }
    if (session.id !== 0)
      for (const t of changed)
        session.sent.set(tpKey(t.state.topic, t.state.partition), { state: t.state, fetchOffset: t.position })
    if (response.errorCode !== ErrorCode.NONE) throw kafkaError(response.errorCode, 'Fetch')
    let delivered = 0
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const entry = asked.get(tpKey(topic.topic, p.partitionIndex))
        if (entry === undefined) continue
        const { state } = entry
        // Revoked, sought or re-assigned while the fetch was out: its answer is stale.
        if (this.partitions.get(tpKey(state.topic, state.partition)) !== state || state.epoch !== entry.epoch)
          continue
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          state.position = undefined
          await this.resetPositions([state])
          continue
        }
        if (p.errorCode !== ErrorCode.NONE) {
          if (staleMetadataCodes.has(p.errorCode)) this.cluster.invalidateTopic(state.topic)
          else
            this.cluster.logger.warn('fetch error', {
              topic: state.topic,
              partition: state.partition,
              error: p.errorCode,
            })
          continue
        }
        if (p.records === null || p.records.length === 0) continue
        const records = Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records)
        const aborted = this.isolationLevel === 1 ? (p.abortedTransactions ?? []) : []
        const count = this.decodeInto(state, entry.position, records, aborted)
        delivered += count
        if (channels.fetch.hasSubscribers)
          channels.fetch.publish({ topic: state.topic, partition: state.partition, records: count })
      }
    }
    if (delivered > 0) this.notify()
  }

  /**
   * Decodes the batches of one partition into the buffer and advances its position. Under read_committed,
   * `aborted` lists the aborted transactions of the fetched range ({producerId, firstOffset}): a producer's
   * transactional batches are skipped from its aborted transaction's first offset to its abort marker.
   */
  private decodeInto(
    state: PartitionState,
    fetchOffset: number,
    records: Buffer,
    aborted: ReadonlyArray<{ producerId: number; firstOffset: number }> = [],
  ): number {
    const { topic, partition } = state
    const make = (
      offset: number,
      timestamp: number,
      key: Buffer | null,
      value: Buffer | null,
      headers: MessageHeader[],
    ): RawMessage => ({ topic, partition, offset, key, value, headers, timestamp })
    let next = fetchOffset
    let count = 0
    const abortedQueue = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
    let abortedHead = 0
    const abortedProducers = new Set<number>()
    for (const slice of iterateBatches(records, { partialTail: 'stop' })) {
      const header = slice.header
      const end = header.baseOffset + header.lastOffsetDelta + 1
      // Aborted transactions that started at or before this batch's last offset are open from here on.
      while (abortedHead < abortedQueue.length && abortedQueue[abortedHead].firstOffset < end)
        abortedProducers.add(abortedQueue[abortedHead++].producerId)
      const control = (header.attributes & Attributes.control) !== 0
      if (control && abortedProducers.has(header.producerId) && isAbortMarker(slice.bytes))
        abortedProducers.delete(header.producerId)
      if (end <= next) continue
      const skip =
        (header.attributes & Attributes.transactional) !== 0 && abortedProducers.has(header.producerId)
      if (!control && !skip) {
        let messages = decodeBatchAs(slice.bytes, make)
        // Only the first batch of a fetch can start before the fetch offset.
        if (header.baseOffset < next) messages = messages.filter((m) => m.offset >= next)
        if (messages.length > 0) {
          this.chunks.push({ state, epoch: state.epoch, messages, next: 0 })
          this.buffered += messages.length
          count += messages.length
        }
      }
      next = end
    }
    state.position = next
    return count
  }

  // ---- positions and commits ----

  private stateOf(topic: string, partition: number): PartitionState {
    const state = this.partitions.get(tpKey(topic, partition))
    if (state === undefined)
      throw new NotAssignedError(`${topic}-${partition} is not assigned to this consumer`)
    return state
  }

  /** Reads `topic`-`partition` from `offset` next (an assigned partition); buffered later messages are dropped. */
  seek(topic: string, partition: number, offset: number): void {
    this.cluster.assertOpen('seek()')
    const state = this.stateOf(topic, partition)
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`bad offset ${offset}`)
    state.position = offset
    state.epoch++
    this.dropBuffered((s) => s === state)
    this.fetcherWake?.()
  }

  /** Stops delivering and fetching these partitions until resume(); what was buffered is fetched again. */
  pause(partitions: readonly TopicPartition[]): void {
    this.cluster.assertOpen('pause()')
    for (const tp of partitions) {
      const state = this.stateOf(tp.topic, tp.partition)
      if (state.paused) continue
      state.paused = true
      // Buffered messages are dropped and fetched again on resume; a fetch in flight is ignored (epoch).
      const first = this.chunks.find(
        (c, i) => i >= this.chunkHead && c.state === state && c.next < c.messages.length,
      )
      if (first !== undefined) state.position = first.messages[first.next].offset
      state.epoch++
      this.dropBuffered((s) => s === state)
    }
  }

  /** Fetches and delivers paused partitions again, from the first message not delivered. */
  resume(partitions: readonly TopicPartition[]): void {
    this.cluster.assertOpen('resume()')
    for (const tp of partitions) this.stateOf(tp.topic, tp.partition).paused = false
    this.fetcherWake?.()
  }

  /** Partitions paused now. */
  paused(): TopicPartition[] {
    return [...this.partitions.values()]
      .filter((s) => s.paused)
      .map(({ topic, partition }) => ({ topic, partition }))
  }

  /**
   * Commits offsets: with no argument, everything processed so far; with a message, that message and all
   * before it in its partition; or explicit `{ topic, partition, offset }` (offset of the next to read).
   */
  async commit(
    what?:
      | Pick<Message<unknown, unknown>, 'topic' | 'partition' | 'offset'>
      | ReadonlyArray<TopicPartition & { offset: number }>,
  ): Promise<void> {
    if (this.groupId === undefined) throw new InvalidArgumentError('commit() needs a groupId')
    if (what === undefined) return this.commitStates([...this.partitions.values()])
    const offsets = Array.isArray(what)
      ? (what as ReadonlyArray<TopicPartition & { offset: number }>)
      : [
          {
            topic: (what as Message).topic,
            partition: (what as Message).partition,
            offset: (what as Message).offset + 1,
          },
        ]
    await this.commitOffsets(offsets)
    for (const o of offsets) {
      const state = this.partitions.get(tpKey(o.topic, o.partition))
      if (state === undefined) continue
      state.committed = o.offset
      // A later automatic commit must not move the group back behind what was committed explicitly.
      if (state.processed === undefined || state.processed < o.offset) state.processed = o.offset
    }
  }

  private async commitStates(states: PartitionState[]): Promise<void> {
    const due = states.filter((s) => s.processed !== undefined && s.processed !== s.committed)
    if (due.length === 0) return
    const offsets = due.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      offset: s.processed as number,
    }))
    await this.commitOffsets(offsets)
    for (let i = 0; i < due.length; i++) due[i].committed = offsets[i].offset
  }

  private async commitOffsets(offsets: ReadonlyArray<TopicPartition & { offset: number }>): Promise<void> {
    const groupId = this.groupId as string
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number }>>()
    for (const o of offsets) {
      let list = byTopic.get(o.topic)
      if (list === undefined) byTopic.set(o.topic, (list = []))
      list.push({ partitionIndex: o.partition, committedOffset: o.offset })
    }
    await this.cluster.retry(async () => {
      const connection = await this.cluster.connectionTo(await this.cluster.coordinatorId(groupId, 0))
      const response = await this.cluster.send(connection, Api.offsetCommit, {
        groupId,
        generationIdOrMemberEpoch: this.membership?.epoch ?? -1,
        memberId: this.membership?.memberId ?? '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [...byTopic].map(([name, partitions]) => ({
          name,
          partitions: partitions.map((p) => ({
            ...p,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: null,
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
            throw kafkaError(p.errorCode, `OffsetCommit ${topic.name}-${p.partitionIndex}`)
          }
    })
    if (channels.commit.hasSubscribers) channels.commit.publish({ groupId, offsets })
  }

  /** Stops iteration, commits what was processed, leaves the group and closes connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.commitTimer?.cancel()
      this.notify()
      if (this.autoCommit)
        await this.commitStates([...this.partitions.values()]).catch((error) =>
          this.cluster.logger.warn('commit on close failed', { error: (error as Error).message }),
        )
      this.fetchAbort.abort()
      await this.fetching?.catch(() => undefined)
      await this.membership?.leave()
      this.cluster.close()
    })()
    return this.closing
  }
}

/** True when a control batch holds an abort marker (key: int16 version, int16 type; type 0 is abort). */
function isAbortMarker(batch: Buffer): boolean {
  const [marker] = decodeBatchAs(batch, (_offset, _timestamp, key) => key)
  return marker !== undefined && marker !== null && marker.length >= 4 && marker.readInt16BE(2) === 0
}
