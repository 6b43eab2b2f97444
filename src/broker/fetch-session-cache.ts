// Incremental fetch sessions (KIP-227): the broker remembers, per session, the partitions a consumer
// fetches and what it last told it about each, so later Fetches carry and answer only what changed.
// The cache is bounded in sessions and evicts as Kafka's FetchSessionCache does; sessions outlive
// connections (a client may reconnect and go on with its session), so no connection close ends one.
import type { Random } from '../core/index.js'

/** One partition of a session: the request parameters the client last sent and what we last answered. */
export interface SessionPartition {
  topic: string
  /** The topic id for sessions of Fetch v13+, otherwise the null uuid. */
  topicId: string
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
  currentLeaderEpoch: number
  /** High watermark last sent to the client; -1 after an error, so the partition is sent again. */
  sentHighWatermark: number
  /** Log start offset last sent to the client. */
  sentLogStartOffset: number
}

/** The key of a session partition: topic id (v13+) or name, then the partition. */
export function sessionPartitionKey(topicOrId: string, partition: number): string {
  return `${topicOrId}:${partition}`
}

export class FetchSession {
  /**
   * The partitions in fetch order. A partition that is answered moves to the end (Kafka does the
   * same), so under a small maxBytes the ones behind it get their turn next time.
   */
  readonly partitions = new Map<string, SessionPartition>()
  /**
   * The (topic, partition) pairs a long poll of this session waits on, kept by the fetch handler so an
   * idle poll builds no list; cleared whenever the partitions or their logs change.
   */
  watchList: [string, number][] | undefined
  /** The epoch the next incremental request must carry. */
  epoch = 1
  lastUsedMs: number

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    readonly creationMs: number,
  ) {
    this.lastUsedMs = creationMs
  }

  get size(): number {
    return this.partitions.size
  }

  /** Advances the epoch as Kafka does: after 2^31-1 comes 1 (0 and -1 have their own meanings). */
  advanceEpoch(): void {
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1
  }
}

export interface FetchSessionCacheOptions {
  /** Most sessions kept (max.incremental.fetch.session.cache.slots). */
  slotsMax: number
  /** How long a session is protected from eviction after creation, and unused before it is stale. */
  evictionMs: number
  random: Random
}

/**
 * The broker's fetch sessions. A new session takes a free slot; when none is free it evicts, as Kafka
 * does, (1) the least recently used session if unused for longer than evictionMs, otherwise (2) the
 * smallest session (fewest partitions, then lowest id) that was older than evictionMs when last used,
 * but only when the new session has more partitions than it; otherwise no session is created and the
 * client goes on with full fetches. Kafka also has privileged (follower) sessions; one node has none.
 */
export class FetchSessionCache {
  /** Sessions in least-recently-used order (touch moves one to the end). */
  readonly #sessions = new Map<number, FetchSession>()
  #partitionsCount = 0
  #evictions = 0

  constructor(readonly options: FetchSessionCacheOptions) {}

  get size(): number {
    return this.#sessions.size
  }

  /** Partitions of all sessions together (Kafka's NumIncrementalFetchPartitionsCached). */
  get partitionsCount(): number {
    return this.#partitionsCount
  }

  /** Sessions evicted to make room for new ones since start. */
  get evictions(): number {
    return this.#evictions
  }

  get(id: number): FetchSession | undefined {
    return this.#sessions.get(id)
  }

  /**
   * Creates a session of `partitionCount` partitions if there is a slot or one can be evicted;
   * undefined when the cache keeps what it has (the client then gets session id 0).
   */
  create(nowMs: number, partitionCount: number, usesTopicIds: boolean): FetchSession | undefined {
    if (this.options.slotsMax <= 0) return undefined
    if (this.#sessions.size >= this.options.slotsMax && !this.#tryEvict(nowMs, partitionCount))
      return undefined
    const session = new FetchSession(this.#newId(), usesTopicIds, nowMs)
    this.#sessions.set(session.id, session)
    return session
  }

  /** Marks `session` used at `nowMs` and takes note of a change in its size. */
  touch(session: FetchSession, nowMs: number, previousSize: number): void {
    if (this.#sessions.get(session.id) !== session) return
    session.lastUsedMs = nowMs
    this.#sessions.delete(session.id)
    this.#sessions.set(session.id, session)
    this.#partitionsCount += session.size - previousSize
  }

  /** Removes a session (closed by the client, or replaced by a new full fetch). */
  remove(id: number): FetchSession | undefined {
    const session = this.#sessions.get(id)
    if (session === undefined) return undefined
    this.#sessions.delete(id)
    this.#partitionsCount -= session.size
    return session
  }

  /** Counts partitions added to a session that is in the cache (call after filling a new session). */
  added(session: FetchSession, count: number): void {
    if (this.#sessions.get(session.id) === session) this.#partitionsCount += count
  }

  #tryEvict(nowMs: number, partitionCount: number): boolean {
    const { evictionMs } = this.options
    // Map order is least recently used first.
    const oldest = this.#sessions.values().next().value as FetchSession | undefined
    if (oldest === undefined) return false
    if (nowMs - oldest.lastUsedMs > evictionMs) {
      this.#evict(oldest)
      return true
    }
    // Evictable: sessions that had lived longer than evictionMs when last used. Only reached when the
    // cache is full and no session is stale, so the scan over at most slotsMax sessions is rare.
    let smallest: FetchSession | undefined
    for (const session of this.#sessions.values()) {
      if (session.lastUsedMs - session.creationMs <= evictionMs) continue
      if (
        smallest === undefined ||
        session.size < smallest.size ||
        (session.size === smallest.size && session.id < smallest.id)
      )
        smallest = session
    }
    // The new session must be worth more: more partitions (at equal size Kafka keeps the old one).
    if (smallest === undefined || partitionCount <= smallest.size) return false
    this.#evict(smallest)
    return true
  }

  #evict(session: FetchSession): void {
    this.remove(session.id)
    this.#evictions++
  }

  /** A random positive int32 not in use (Kafka draws them at random too, so ids are not guessable). */
  #newId(): number {
    for (;;) {
      const id = this.options.random.bytes(4).readInt32BE(0) & 0x7fffffff
      if (id !== 0 && !this.#sessions.has(id)) return id
    }
  }
}
