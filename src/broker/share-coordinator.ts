// Share groups in the broker (KIP-932): wires groups/ShareGroup (membership) to share-partitions/
// (delivery state, sessions, the durable store), which never import each other. Owns the share groups,
// the share-partitions by (group, topic id, partition), the share-session cache and the state store.
import { type Clock, type FileSystem, type Logger, quoted } from '../core/index.js'
import {
  GROUP_ID_BYTES_MAX,
  ShareGroup,
  type ShareHeartbeatInput,
  type ShareHeartbeatResult,
  validGroupId,
} from '../groups/index.js'
import type { TopicRegistry } from '../metadata/index.js'
import { ErrorCode } from '../protocol/index.js'
import {
  SHARE_STATE_DIR,
  type DurableSharePartition,
  SharePartition,
  type SharePartitionKey,
  type SharePartitionSettings,
  type ShareSession,
  ShareSessionCache,
  ShareStateStore,
  parseShareAutoOffsetReset,
  sharePartitionKeyString,
  shareStartTarget,
} from '../share-partitions/index.js'
import type { BrokerConfig } from './broker-config.js'
import type { PartitionStore } from './partition-store.js'
import { DeadLetterWriter } from './share-dead-letters.js'
import { SHARE_GROUP_CONFIGS, redeliveryDelayMs, shareGroupConfigProblem } from './share-group-configs.js'

export interface ShareCoordinatorOptions {
  readonly fs: FileSystem
  readonly clock: Clock
  readonly logger: Logger
  readonly dataDir: string
  readonly config: BrokerConfig
  readonly topics: TopicRegistry
  readonly partitions: PartitionStore
  /** Pause between slices of long work (the broker's SliceScheduler); a turn of the event loop if absent. */
  readonly pause?: () => Promise<void>
}

/** A ShareGroupHeartbeat answer with the assignment by topic id. */
export interface ShareHeartbeatAnswer extends Omit<ShareHeartbeatResult, 'assignment'> {
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null
}

/** Kafka's message for UNKNOWN_TOPIC_OR_PARTITION. */
const UNKNOWN_TOPIC_MESSAGE = 'This server does not host this topic-partition.'

/** What DescribeShareGroupOffsets answers for one group; offsets and lag -1 where there is no state. */
export interface ShareOffsetsDescription {
  errorCode: number
  errorMessage: string | null
  topics: {
    topicName: string
    /** Null when the topic does not exist. */
    topicId: string | null
    partitions: { partition: number; startOffset: number; lag: number }[]
  }[]
}

/** What AlterShareGroupOffsets answers. */
export interface ShareOffsetsAlteration {
  errorCode: number
  errorMessage: string | null
  topics: {
    topicName: string
    topicId: string | null
    partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null }[]
  }[]
}

/** What DeleteShareGroupOffsets answers. */
export interface ShareOffsetsDeletion {
  errorCode: number
  errorMessage: string | null
  topics: { topicName: string; topicId: string | null; errorCode: number; errorMessage: string | null }[]
}

/** Share groups, share-partitions and share sessions of the broker. */
export class ShareCoordinator {
  readonly sessions: ShareSessionCache
  readonly #options: ShareCoordinatorOptions
  readonly #store: ShareStateStore
  readonly #groups = new Map<string, ShareGroup>()
  readonly #partitions = new Map<string, SharePartition>()
  readonly #opening = new Map<string, Promise<SharePartition>>()
  /** Share-partition key strings by group id, to release a member everywhere. */
  readonly #partitionsByGroup = new Map<string, Set<string>>()
  /** Connections whose close hook is registered. */
  readonly #hookedConnections = new Set<number>()
  /** Appends archived records to each group's dead-letter topic (KIP-1191). */
  readonly deadLetters: DeadLetterWriter

  private constructor(options: ShareCoordinatorOptions, store: ShareStateStore) {
    this.#options = options
    this.#store = store
    this.deadLetters = new DeadLetterWriter({
      topics: options.topics,
      partitions: options.partitions,
      logger: options.logger,
      nowMs: () => options.clock.nowMs(),
      groupConfig: (groupId, name) => this.groupConfig(groupId, name),
      record: (record) => store.append(record),
      pause: options.pause ?? (() => new Promise<void>((resolve) => options.clock.defer(resolve))),
    })
    this.sessions = new ShareSessionCache(options.config.shareMaxShareSessions)
  }

  /** The effective value of a share group config: the group's override, else the broker's setting. */
  groupConfig(groupId: string, name: string): string {
    const override = this.#store.groupConfigs(groupId).get(name)
    if (override !== undefined) return override
    const definition = SHARE_GROUP_CONFIGS.get(name)
    return definition === undefined ? '' : definition.fallback(this.#options.config)
  }

  /** The group's own value of config `name`, or undefined when it has none (consumer groups read this). */
  groupConfigOverride(groupId: string, name: string): string | undefined {
    return this.#store.groupConfigs(groupId).get(name)
  }

  /** Every group config of the group with its value, whether the group overrides it, and what it falls back to. */
  describeGroupConfigs(groupId: string): {
    name: string
    value: string
    overridden: boolean
    type: 'int' | 'string' | 'boolean'
    brokerName: string | undefined
    fallback: string
    documentation: string
  }[] {
    const overrides = this.#store.groupConfigs(groupId)
    return [...SHARE_GROUP_CONFIGS].map(([name, definition]) => ({
      name,
      value: this.groupConfig(groupId, name),
      overridden: overrides.has(name),
      type: definition.type,
      brokerName: definition.brokerName,
      fallback: definition.fallback(this.#options.config),
      documentation: definition.documentation,
    }))
  }

  /**
   * IncrementalAlterConfigs on a GROUP resource: SET (0) and DELETE (1) of share group configs, all or
   * nothing, stored before the answer. APPEND/SUBTRACT have no list-valued config to act on.
   */
  async alterGroupConfigs(
    groupId: string,
    changes: readonly { name: string; op: number; value: string | null }[],
    validateOnly: boolean,
  ): Promise<{ errorCode: number; errorMessage: string | null }> {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'the group id is empty' }
    if (!validGroupId(groupId))
      return {
        errorCode: ErrorCode.INVALID_GROUP_ID,
        errorMessage: `the group id is longer than ${GROUP_ID_BYTES_MAX} bytes`,
      }
    const next = new Map(this.#store.groupConfigs(groupId))
    for (const change of changes) {
      if (change.op === 1) {
        if (!SHARE_GROUP_CONFIGS.has(change.name))
          return {
            errorCode: ErrorCode.INVALID_CONFIG,
            errorMessage: `Unknown group config name: ${quoted(change.name)}`,
          }
        next.delete(change.name)
        continue
      }
      if (change.op !== 0)
        return {
          errorCode: ErrorCode.INVALID_CONFIG,
          errorMessage: `${quoted(change.name)} is not a list: only SET and DELETE apply`,
        }
      const problem = shareGroupConfigProblem(change.name, change.value)
      if (problem !== undefined) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem }
      next.set(change.name, change.value ?? '')
    }
    if (!validateOnly) await this.#store.setGroupConfigs(groupId, next)
    return { errorCode: ErrorCode.NONE, errorMessage: null }
  }

  /** The share-partition settings of a group: its overrides, read at each use. */
  settingsFor(groupId: string): SharePartitionSettings {
    return {
      recordLockDurationMs: () => Number(this.groupConfig(groupId, 'share.record.lock.duration.ms')),
      deliveryCountLimit: () => Number(this.groupConfig(groupId, 'share.delivery.count.limit')),
      recordLocksMax: () => Number(this.groupConfig(groupId, 'share.partition.max.record.locks')),
      redeliveryDelayMs: (deliveryCount) =>
        redeliveryDelayMs(
          deliveryCount,
          Number(this.groupConfig(groupId, 'share.redelivery.backoff.ms')),
          Number(this.groupConfig(groupId, 'share.redelivery.backoff.max.ms')),
        ),
      deadLetters: (key, letters, stored) => void this.deadLetters.write(key, letters, { stored }),
      deadLettersEnabled: () => this.groupConfig(groupId, 'errors.deadletterqueue.topic.name') !== '',
    }
  }

  static async open(options: ShareCoordinatorOptions): Promise<ShareCoordinator> {
    const store = await ShareStateStore.open({
      fs: options.fs,
      dir: `${options.dataDir}/${SHARE_STATE_DIR}`,
      logger: options.logger.child({ component: 'share-state' }),
    })
    const coordinator = new ShareCoordinator(options, store)
    // A share group outlives a restart as long as it has share state (Kafka keeps its share groups in
    // __consumer_offsets): it comes back empty, so that it is listed, described and its offsets managed.
    for (const key of store.keys())
      if (!coordinator.#groups.has(key.groupId)) coordinator.#createGroup(key.groupId)
    // Dead letters owed when the broker stopped (archived, their letters not known written): finish them.
    for (const { key, letters } of store.owedDeadLetters())
      void coordinator.deadLetters.write(key, letters, { resumed: true })
    return coordinator
  }

  /** The share group, or undefined when there is none by that id. */
  group(groupId: string): ShareGroup | undefined {
    return this.#groups.get(groupId)
  }

  /** Ids of the groups (of any type, existing or not) that have GROUP config overrides. */
  configuredGroupIds(): string[] {
    return this.#store.configuredGroupIds()
  }

  /** Ids of every share group. */
  groupIds(): string[] {
    return [...this.#groups.keys()]
  }

  /** Records acquired and not yet acknowledged, per share group with open share-partitions (for metrics). */
  inFlightByGroup(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const [groupId, ids] of this.#partitionsByGroup) {
      let count = 0
      for (const id of ids) count += this.#partitions.get(id)?.acquiredCount ?? 0
      counts.set(groupId, count)
    }
    return counts
  }

  /**
   * The stored share state of every share-partition, by group id, with the open `SharePartition` where
   * there is one (it knows which member holds an acquired record). Read-only: nothing is opened or
   * restored (for the broker's HTTP view of queues and for /metrics).
   */
  sharePartitionStates(): Map<
    string,
    { key: SharePartitionKey; stored: DurableSharePartition; open: SharePartition | undefined }[]
  > {
    const out = new Map<
      string,
      { key: SharePartitionKey; stored: DurableSharePartition; open: SharePartition | undefined }[]
    >()
    for (const key of this.#store.keys()) {
      const stored = this.#store.stored(key)
      if (stored === undefined) continue
      let list = out.get(key.groupId)
      if (list === undefined) out.set(key.groupId, (list = []))
      list.push({ key, stored, open: this.#partitions.get(sharePartitionKeyString(key)) })
    }
    return out
  }

  /** Handles a ShareGroupHeartbeat; creates the group on a first join. */
  heartbeat(groupId: string, input: ShareHeartbeatInput): ShareHeartbeatAnswer {
    if (!validGroupId(groupId))
      return {
        ...noAssignment(
          ErrorCode.INVALID_GROUP_ID,
          `the group id is empty or longer than ${GROUP_ID_BYTES_MAX} bytes`,
        ),
        assignment: null,
      }
    let group = this.#groups.get(groupId)
    if (group === undefined) {
      if (input.memberEpoch !== 0)
        return {
          ...noAssignment(ErrorCode.UNKNOWN_MEMBER_ID, `share group ${quoted(groupId)} has no members`),
          assignment: null,
        }
      if (this.#groups.size >= this.#options.config.groupsMax)
        return {
          ...noAssignment(ErrorCode.GROUP_MAX_SIZE_REACHED, `${this.#groups.size} share groups exist`),
          assignment: null,
        }
      group = this.#createGroup(groupId)
    }
    const result = group.heartbeat(input)
    const assignment =
      result.assignment === null
        ? null
        : {
            topicPartitions: [...result.assignment].flatMap(([name, partitions]) => {
              const meta = this.#options.topics.topic(name)
              return meta === undefined ? [] : [{ topicId: meta.topicId, partitions }]
            }),
          }
    return { ...result, assignment }
  }

  /** A new empty share group, registered. */
  #createGroup(groupId: string): ShareGroup {
    const config = this.#options.config
    const group = new ShareGroup(
      groupId,
      this.#options.clock,
      {
        sessionTimeoutMs: (id) => Number(this.groupConfig(id, 'share.session.timeout.ms')),
        heartbeatIntervalMs: (id) => Number(this.groupConfig(id, 'share.heartbeat.interval.ms')),
        groupSizeMax: config.shareGroupMaxSize,
        subscribedTopicsMax: config.shareSubscribedTopicsMax,
      },
      { partitionCount: (name) => this.#options.topics.topic(name)?.partitionCount },
      (removedGroupId, memberId, reason) => {
        // A member that leaves may still close its share session with a final acknowledgement (the
        // Java client and librdkafka send it after the leave heartbeat), as Kafka 4.4 accepts: its
        // records are released when that session ends (epoch -1 or its connection closing), or by
        // their locks. One that expired is gone: released at once.
        if (reason === 'left' && this.sessions.has(removedGroupId, memberId)) return
        this.releaseMember(removedGroupId, memberId)
      },
    )
    this.#groups.set(groupId, group)
    return group
  }

  /**
   * The share state of every partition of the group that has some (DescribeShareGroupOffsets with null
   * topics), or of the listed partitions: start offset and lag (high watermark - start offset - records
   * at or past the start already acknowledged or archived, as Kafka 4.4 counts it). A partition without
   * state, or of an unknown topic, has start offset and lag -1. A group without state (unknown, or not a
   * share group) has nothing to list: Kafka 4.4 answers it with no topics and no error.
   */
  async describeOffsets(
    groupId: string,
    topics: readonly { topicName: string; partitions: readonly number[] }[] | null,
    keysByGroup: ReadonlyMap<string, readonly SharePartitionKey[]> = this.stateKeysByGroup(),
  ): Promise<ShareOffsetsDescription> {
    const { topics: registry } = this.#options
    if (topics === null) {
      const keys = keysByGroup.get(groupId) ?? []
      const byTopic = new Map<string, number[]>()
      for (const key of keys) {
        const name = registry.topicById(key.topicId)?.name
        if (name === undefined) continue
        let partitions = byTopic.get(name)
        if (partitions === undefined) byTopic.set(name, (partitions = []))
        partitions.push(key.partition)
      }
      topics = [...byTopic].map(([topicName, partitions]) => ({
        topicName,
        partitions: partitions.sort((a, b) => a - b),
      }))
    }
    const described: ShareOffsetsDescription['topics'] = []
    for (const topic of topics) {
      const meta = registry.topic(topic.topicName)
      const partitions: ShareOffsetsDescription['topics'][number]['partitions'] = []
      for (const partition of topic.partitions) {
        const stored =
          meta === undefined ? undefined : this.#store.stored({ groupId, topicId: meta.topicId, partition })
        if (meta === undefined || stored === undefined) {
          partitions.push({ partition, startOffset: -1, lag: -1 })
          continue
        }
        const startOffset = stored.ranges.startOffset
        let done = 0
        for (const range of stored.ranges.ranges())
          if (range.value.state === 'acknowledged' || range.value.state === 'archived')
            done += range.lastOffset - range.firstOffset + 1
        const log = await this.#options.partitions.log(meta.name, partition)
        // From the high watermark whatever share.isolation.level says, as Kafka 4.4 (it lists the latest
        // offsets READ_UNCOMMITTED for lag; checked in tests/compat/txn, #12).
        const lag = log === undefined ? -1 : Math.max(0, log.highWatermark - startOffset - done)
        partitions.push({ partition, startOffset, lag })
      }
      described.push({ topicName: topic.topicName, topicId: meta?.topicId ?? null, partitions })
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: described }
  }

  /**
   * The keys of every stored share-partition by group: one pass over the store, so that a request naming
   * many groups costs one scan, not one per group.
   */
  stateKeysByGroup(): Map<string, SharePartitionKey[]> {
    const byGroup = new Map<string, SharePartitionKey[]>()
    for (const key of this.#store.keys()) {
      let keys = byGroup.get(key.groupId)
      if (keys === undefined) byGroup.set(key.groupId, (keys = []))
      keys.push(key)
    }
    return byGroup
  }

  /**
   * AlterShareGroupOffsets: sets the start offset of the listed partitions and forgets their in-flight
   * state, synced before the answer. The group must have no members (NON_EMPTY_GROUP); an unknown group
   * is created empty, as Kafka does. A start offset of -1 makes the partition uninitialized again (the
   * next read starts where share.auto.offset.reset says). Unknown topics and partitions are
   * UNKNOWN_TOPIC_OR_PARTITION per partition.
   */
  async alterOffsets(
    groupId: string,
    topics: readonly {
      topicName: string
      partitions: readonly { partitionIndex: number; startOffset: number }[]
    }[],
  ): Promise<ShareOffsetsAlteration> {
    const refused = this.#refuseOffsetChange(groupId, true)
    if (refused !== undefined) return { ...refused, topics: [] }
    if (!this.#groups.has(groupId)) this.#createGroup(groupId)
    const writes: Promise<void>[] = []
    const answered: ShareOffsetsAlteration['topics'] = []
    // A topic or partition named twice is set once, to its last offset (Kafka keeps topics by name and
    // one offset per partition), so a request cannot ask for more writes than there are partitions.
    const wanted = new Map<string, Map<number, number>>()
    for (const topic of topics) {
      let offsets = wanted.get(topic.topicName)
      if (offsets === undefined) wanted.set(topic.topicName, (offsets = new Map()))
      for (const p of topic.partitions) offsets.set(p.partitionIndex, p.startOffset)
    }
    for (const [topicName, lastOf] of wanted) {
      const meta = this.#options.topics.topic(topicName)
      const partitions: ShareOffsetsAlteration['topics'][number]['partitions'] = []
      for (const [partitionIndex, startOffset] of lastOf) {
        if (meta === undefined || partitionIndex < 0 || partitionIndex >= meta.partitionCount) {
          partitions.push({
            partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: UNKNOWN_TOPIC_MESSAGE,
          })
          continue
        }
        if (startOffset < -1 || !Number.isSafeInteger(startOffset)) {
          partitions.push({
            partitionIndex,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `start offset ${startOffset} is neither an offset nor -1`,
          })
          continue
        }
        const key: SharePartitionKey = { groupId, topicId: meta.topicId, partition: partitionIndex }
        writes.push(startOffset === -1 ? this.#forget(key) : this.#resetPartition(key, startOffset))
        partitions.push({ partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null })
      }
      answered.push({ topicName, topicId: meta?.topicId ?? null, partitions })
    }
    await Promise.all(writes)
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: answered }
  }

  /**
   * DeleteShareGroupOffsets: forgets the share state of every partition of the listed topics, synced
   * before the answer. The group must exist (GROUP_ID_NOT_FOUND) and have no members (NON_EMPTY_GROUP).
   * A topic that does not exist, or has no state in the group, is UNKNOWN_TOPIC_OR_PARTITION. Answers
   * list the deleted topics first, then the refused ones, as Kafka does.
   */
  async deleteOffsets(groupId: string, topicNames: readonly string[]): Promise<ShareOffsetsDeletion> {
    const refused = this.#refuseOffsetChange(groupId, false)
    if (refused !== undefined) return { ...refused, topics: [] }
    const deleted: ShareOffsetsDeletion['topics'] = []
    const failed: ShareOffsetsDeletion['topics'] = []
    const writes: Promise<void>[] = []
    const keys = this.#store.keys().filter((key) => key.groupId === groupId)
    for (const topicName of new Set(topicNames)) {
      const meta = this.#options.topics.topic(topicName)
      if (meta === undefined) {
        failed.push({
          topicName,
          topicId: null,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: UNKNOWN_TOPIC_MESSAGE,
        })
        continue
      }
      const ofTopic = keys.filter((key) => key.topicId === meta.topicId)
      if (ofTopic.length === 0) {
        failed.push({
          topicName,
          topicId: null,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: 'There is no offset information to delete.',
        })
        continue
      }
      for (const key of ofTopic) writes.push(this.#forget(key))
      deleted.push({ topicName, topicId: meta.topicId, errorCode: ErrorCode.NONE, errorMessage: null })
    }
    await Promise.all(writes)
    return { errorCode: ErrorCode.NONE, errorMessage: null, topics: [...deleted, ...failed] }
  }

  /** Why the group's offsets may not change now, or undefined when they may. */
  #refuseOffsetChange(
    groupId: string,
    createIfUnknown: boolean,
  ): { errorCode: number; errorMessage: string } | undefined {
    if (!validGroupId(groupId))
      return {
        errorCode: ErrorCode.INVALID_GROUP_ID,
        errorMessage: `The group id is empty or longer than ${GROUP_ID_BYTES_MAX} bytes.`,
      }
    const group = this.#groups.get(groupId)
    if (group !== undefined && group.members.size > 0)
      return {
        errorCode: ErrorCode.NON_EMPTY_GROUP,
        errorMessage: `Share group ${quoted(groupId)} is not empty.`,
      }
    if (group === undefined) {
      const hasState = this.#store.keys().some((key) => key.groupId === groupId)
      if (!createIfUnknown && !hasState)
        return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` }
      if (!hasState && this.#groups.size >= this.#options.config.groupsMax)
        return {
          errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED,
          errorMessage: `${this.#groups.size} share groups exist`,
        }
    }
    return undefined
  }

  /** Resets one share-partition to `startOffset` with nothing in flight, open or not. */
  async #resetPartition(key: SharePartitionKey, startOffset: number): Promise<void> {
    const id = sharePartitionKeyString(key)
    const open = this.#partitions.get(id) ?? (await this.#opening.get(id))
    if (open !== undefined) return open.resetTo(startOffset)
    return this.#store.append({ type: 'share-state', key, replace: true, startOffset, ranges: [] })
  }

  /** Forgets one share-partition: closed if open, its stored state deleted. */
  async #forget(key: SharePartitionKey): Promise<void> {
    const id = sharePartitionKeyString(key)
    await this.#opening.get(id)?.catch(() => undefined)
    const open = this.#partitions.get(id)
    if (open !== undefined) {
      open.close()
      this.#partitions.delete(id)
      this.#partitionsByGroup.get(key.groupId)?.delete(id)
    }
    return this.#store.append({ type: 'share-delete', key })
  }

  /**
   * The share-partition of (group, topic, partition), restored from the store or created where
   * `share.auto.offset.reset` says; undefined when the topic or partition does not exist.
   */
  async partition(groupId: string, topicId: string, partition: number): Promise<SharePartition | undefined> {
    const key: SharePartitionKey = { groupId, topicId, partition }
    const id = sharePartitionKeyString(key)
    const open = this.#partitions.get(id)
    if (open !== undefined) return open
    const opening = this.#opening.get(id)
    if (opening !== undefined) return opening
    const meta = this.#options.topics.topicById(topicId)
    if (meta === undefined || partition < 0 || partition >= meta.partitionCount) return undefined
    const promise = this.#openPartition(key, meta.name)
    this.#opening.set(id, promise)
    try {
      const sharePartition = await promise
      this.#partitions.set(id, sharePartition)
      let ids = this.#partitionsByGroup.get(groupId)
      if (ids === undefined) this.#partitionsByGroup.set(groupId, (ids = new Set()))
      ids.add(id)
      return sharePartition
    } finally {
      this.#opening.delete(id)
    }
  }

  async #openPartition(key: SharePartitionKey, topicName: string): Promise<SharePartition> {
    const { clock } = this.#options
    const settings = this.settingsFor(key.groupId)
    const stored = this.#store.stored(key)
    if (stored !== undefined)
      return SharePartition.restore({ key, clock, settings, sink: this.#store, durable: stored })
    const log = await this.#options.partitions.log(topicName, key.partition)
    let startOffset = 0
    if (log !== undefined) {
      const reset = parseShareAutoOffsetReset(this.groupConfig(key.groupId, 'share.auto.offset.reset')) ?? {
        kind: 'latest',
      }
      const target = shareStartTarget(reset, clock.nowMs())
      if (target.kind === 'earliest') startOffset = log.logStartOffset
      // "latest" is the high watermark even for read_committed groups, as Kafka 4.4 (its share partitions
      // ask offsetForLatestTimestamp READ_UNCOMMITTED, #12): records of a transaction open then are skipped.
      else if (target.kind === 'latest') startOffset = log.highWatermark
      else startOffset = (await log.offsetForTimestamp(target.timestampMs))?.offset ?? log.highWatermark
    }
    const created = SharePartition.create({
      key,
      clock,
      settings,
      sink: this.#store,
      startOffset,
    })
    await created.durable
    return created.partition
  }

  /**
   * Registers the connection's close hook once: when it closes, its share sessions end and their
   * members' acquisitions on those partitions are released.
   */
  watchConnection(connectionId: number, onClose: (callback: () => void) => unknown): void {
    if (this.#hookedConnections.has(connectionId)) return
    this.#hookedConnections.add(connectionId)
    onClose(() => {
      this.#hookedConnections.delete(connectionId)
      for (const session of this.sessions.removeConnection(connectionId)) this.releaseSession(session)
    })
  }

  /** Releases what the session's member holds on the session's partitions. */
  releaseSession(session: ShareSession): void {
    for (const partitionKey of session.partitions) {
      const [topicId, index] = splitSessionPartition(partitionKey)
      const id = sharePartitionKeyString({ groupId: session.groupId, topicId, partition: index })
      this.#partitions
        .get(id)
        ?.releaseMember(session.memberId)
        .catch(() => {})
    }
  }

  /** A member left its group or expired: its session ends and everything it holds is released. */
  releaseMember(groupId: string, memberId: string): void {
    this.sessions.removeMember(groupId, memberId)
    for (const id of this.#partitionsByGroup.get(groupId) ?? [])
      this.#partitions
        .get(id)
        ?.releaseMember(memberId)
        .catch(() => {})
  }

  /**
   * DeleteGroups of a share group: refused with NON_EMPTY_GROUP while it has members; otherwise the
   * group and its share-partitions' state are removed, synced before the answer. Its GROUP configs stay,
   * as Kafka 4.4 keeps them (for every group type) until they are deleted through the configs APIs (#9).
   */
  async deleteGroup(groupId: string): Promise<number> {
    const group = this.#groups.get(groupId)
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND
    if (group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP
    group.shutdown()
    this.#groups.delete(groupId)
    for (const id of this.#partitionsByGroup.get(groupId) ?? []) {
      this.#partitions.get(id)?.close()
      this.#partitions.delete(id)
    }
    this.#partitionsByGroup.delete(groupId)
    const writes: Promise<void>[] = []
    for (const key of this.#store.keys())
      if (key.groupId === groupId) writes.push(this.#store.append({ type: 'share-delete', key }))
    await Promise.all(writes)
    return ErrorCode.NONE
  }

  async close(): Promise<void> {
    for (const group of this.#groups.values()) group.shutdown()
    for (const partition of this.#partitions.values()) partition.close()
    await Promise.allSettled(this.#opening.values())
    for (const partition of this.#partitions.values()) partition.close()
    await this.deadLetters.settled()
    await this.#store.close()
  }
}

/** The session's name for a partition: `topicId:partition`. */
export function sessionPartition(topicId: string, partition: number): string {
  return `${topicId}:${partition}`
}

function splitSessionPartition(value: string): [string, number] {
  const at = value.lastIndexOf(':')
  return [value.slice(0, at), Number(value.slice(at + 1))]
}

function noAssignment(errorCode: number, errorMessage: string): Omit<ShareHeartbeatResult, 'assignment'> {
  return { errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0 }
}
