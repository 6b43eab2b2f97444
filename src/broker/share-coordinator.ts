// Share groups in the broker (KIP-932): wires groups/ShareGroup (membership) to share-partitions/
// (delivery state, sessions, the durable store), which never import each other. Owns the share groups,
// the share-partitions by (group, topic id, partition), the share-session cache and the state store.
import { type Clock, type FileSystem, type Logger, quoted } from '../core/index.js'
import { ShareGroup, type ShareHeartbeatInput, type ShareHeartbeatResult } from '../groups/index.js'
import type { TopicRegistry } from '../metadata/index.js'
import { ErrorCode } from '../protocol/index.js'
import {
  SHARE_STATE_DIR,
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
}

/** A ShareGroupHeartbeat answer with the assignment by topic id. */
export interface ShareHeartbeatAnswer extends Omit<ShareHeartbeatResult, 'assignment'> {
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null
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

  /** Every share group config of the group with its value and whether the group overrides it. */
  describeGroupConfigs(groupId: string): { name: string; value: string; overridden: boolean }[] {
    const overrides = this.#store.groupConfigs(groupId)
    return [...SHARE_GROUP_CONFIGS.keys()].map((name) => ({
      name,
      value: this.groupConfig(groupId, name),
      overridden: overrides.has(name),
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
      deadLetters: (key, letters) => void this.deadLetters.write(key, letters),
    }
  }

  static async open(options: ShareCoordinatorOptions): Promise<ShareCoordinator> {
    const store = await ShareStateStore.open({
      fs: options.fs,
      dir: `${options.dataDir}/${SHARE_STATE_DIR}`,
      logger: options.logger.child({ component: 'share-state' }),
    })
    return new ShareCoordinator(options, store)
  }

  /** The share group, or undefined when there is none by that id. */
  group(groupId: string): ShareGroup | undefined {
    return this.#groups.get(groupId)
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

  /** Handles a ShareGroupHeartbeat; creates the group on a first join. */
  heartbeat(groupId: string, input: ShareHeartbeatInput): ShareHeartbeatAnswer {
    if (groupId.length === 0)
      return { ...noAssignment(ErrorCode.INVALID_GROUP_ID, 'the group id is empty'), assignment: null }
    let group = this.#groups.get(groupId)
    if (group === undefined) {
      if (input.memberEpoch !== 0)
        return {
          ...noAssignment(ErrorCode.UNKNOWN_MEMBER_ID, `share group ${quoted(groupId)} has no members`),
          assignment: null,
        }
      const config = this.#options.config
      if (this.#groups.size >= config.groupsMax)
        return {
          ...noAssignment(ErrorCode.GROUP_MAX_SIZE_REACHED, `${this.#groups.size} share groups exist`),
          assignment: null,
        }
      group = new ShareGroup(
        groupId,
        this.#options.clock,
        {
          sessionTimeoutMs: (id) => Number(this.groupConfig(id, 'share.session.timeout.ms')),
          heartbeatIntervalMs: (id) => Number(this.groupConfig(id, 'share.heartbeat.interval.ms')),
          groupSizeMax: config.shareGroupMaxSize,
          subscribedTopicsMax: config.shareSubscribedTopicsMax,
        },
        { partitionCount: (name) => this.#options.topics.topic(name)?.partitionCount },
        (removedGroupId, memberId) => this.releaseMember(removedGroupId, memberId),
      )
      this.#groups.set(groupId, group)
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
   * group, its share-partitions' state and its configs are removed, synced before the answer.
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
    writes.push(this.#store.setGroupConfigs(groupId, new Map()))
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
