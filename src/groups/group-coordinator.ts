// The group coordinator: every consumer group of this node (classic and KIP-848), their committed
// offsets, and the durable log those are kept in. Handlers call it with decoded, version-normalized
// requests and get back plain answers with Kafka error codes; it never sees bytes on the wire.
import {
  type Clock,
  type Logger,
  quoted,
  randomUuidText,
  StateRecordTooLargeError,
  type Timer,
} from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { ASSIGNOR_NAMES } from './assignors.js'
import {
  ClassicGroup,
  ClassicGroupState,
  type JoinGroupInput,
  type JoinGroupResult,
  type SyncGroupInput,
  type SyncGroupResult,
} from './classic-group.js'
import {
  type ConsumerGroupSettings,
  ConsumerGroup,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
} from './consumer-group.js'
import {
  type GroupLogOptions,
  type GroupRecord,
  GroupLog,
  type MembershipValue,
  type PendingOffset,
  type StoredGroups,
  type StoredOffset,
} from './group-log.js'
import type {
  CommitPartitionInput,
  ConsumerGroupHeartbeatInput,
  ConsumerGroupHeartbeatResult,
  DescribedClassicGroup,
  DescribedConsumerGroup,
  FetchedPartition,
  GroupCoordinatorOptions,
  ListedGroup,
  OffsetCommitInput,
  OffsetCommitTopicResult,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchResult,
  TxnOffsetCommitInput,
} from './group-types.js'
import { GROUP_ID_BYTES_MAX, validGroupId } from './group-types.js'
import {
  DEFAULT_OFFSET_STORE_LIMITS,
  isStorableOffset,
  OffsetStore,
  type PendingOffsets,
} from './offset-store.js'
import type { TopicLookup } from './topic-lookup.js'
import { compileTopicRegex } from './topic-regex.js'

type Group = ClassicGroup | ConsumerGroup

/** Every partition of a commit answered with one error code. */
function answerAll(
  topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
  errorCode: number,
): OffsetCommitTopicResult[] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }))
}

interface GroupEntry {
  group: Group
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Kafka's internal topic of group state. Brook keeps that state in its own log, but lists the topic in
 * Metadata (as internal) as Kafka does, with a fixed id; it holds no records and cannot be created.
 */
export const OFFSETS_TOPIC_NAME = '__consumer_offsets'
export const OFFSETS_TOPIC_ID = Buffer.from('6272f06b5f6f6666736574735f5f0001', 'hex').toString('base64url')

/** Members per group, classic (group.max.size) and KIP-848 (group.consumer.max.size); Kafka: 2^31 - 1. */
export const DEFAULT_GROUP_MAX_SIZE = 1000
/** Groups one broker holds (Brook's bound; Kafka has none). */
export const DEFAULT_GROUPS_MAX = 100_000

/**
 * Coordinates every group of this node. Not thread-safe in any sense that matters for Node: all calls
 * run on the event loop; OffsetCommit and DeleteGroups resolve once their records are fsynced.
 */
export class GroupCoordinator {
  readonly #groups = new Map<string, GroupEntry>()
  readonly #offsets: OffsetStore
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #topics: TopicLookup
  readonly #log: GroupLog
  readonly #settings: Required<
    Omit<
      GroupCoordinatorOptions,
      | 'fs'
      | 'clock'
      | 'dir'
      | 'random'
      | 'logger'
      | 'topics'
      | 'newClassicMemberId'
      | 'groupConfig'
      | 'newConsumerMemberId'
      | 'groupOffsetsMax'
      | 'offsetsMax'
    >
  >
  readonly #classicSettings
  readonly #consumerSettings: ConsumerGroupSettings
  readonly #groupConfig: ((groupId: string, name: string) => string | undefined) | undefined
  #retentionTimer: Timer | undefined
  #closed = false
  /** Groups whose membership changed since the last flush, with the members (null: the group itself). */
  readonly #changedMembership = new Map<string, Set<string | null>>()
  #membershipFlushQueued = false
  /** Set by the first FindCoordinator for a group: Kafka creates `__consumer_offsets` at that moment. */
  #offsetsTopicRequested = false
  /** Transaction ends being written, by group and producer id; a failed one stays so retries see it. */
  readonly #completions = new Map<string, Promise<void>>()

  private constructor(options: GroupCoordinatorOptions, log: GroupLog, state: StoredGroups) {
    this.#clock = options.clock
    this.#logger = options.logger
    this.#topics = options.topics
    this.#groupConfig = options.groupConfig
    this.#log = log
    this.#settings = {
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 3000,
      sessionTimeoutMinMs: options.sessionTimeoutMinMs ?? 6000,
      sessionTimeoutMaxMs: options.sessionTimeoutMaxMs ?? 1_800_000,
      consumerSessionTimeoutMs: options.consumerSessionTimeoutMs ?? 45_000,
      consumerHeartbeatIntervalMs: options.consumerHeartbeatIntervalMs ?? 5000,
      offsetsRetentionMs: options.offsetsRetentionMs ?? 7 * DAY_MS,
      offsetsRetentionCheckIntervalMs: options.offsetsRetentionCheckIntervalMs ?? 600_000,
      offsetMetadataMaxBytes: options.offsetMetadataMaxBytes ?? 4096,
      compactBytes: options.compactBytes ?? 16 * 1024 * 1024,
      classicGroupMaxSize: options.classicGroupMaxSize ?? DEFAULT_GROUP_MAX_SIZE,
      consumerGroupMaxSize: options.consumerGroupMaxSize ?? DEFAULT_GROUP_MAX_SIZE,
      groupsMax: options.groupsMax ?? DEFAULT_GROUPS_MAX,
    }
    this.#offsets = new OffsetStore({
      groupOffsetsMax: options.groupOffsetsMax ?? DEFAULT_OFFSET_STORE_LIMITS.groupOffsetsMax,
      offsetsMax: options.offsetsMax ?? DEFAULT_OFFSET_STORE_LIMITS.offsetsMax,
    })
    this.#classicSettings = {
      initialRebalanceDelayMs: this.#settings.initialRebalanceDelayMs,
      maxSize: this.#settings.classicGroupMaxSize,
      newMemberId:
        options.newClassicMemberId ?? ((clientId: string) => `${clientId}-${randomUuidText(options.random)}`),
    }
    this.#consumerSettings = {
      sessionTimeoutMs: this.#settings.consumerSessionTimeoutMs,
      heartbeatIntervalMs: this.#settings.consumerHeartbeatIntervalMs,
      defaultAssignor: ASSIGNOR_NAMES[0],
      newMemberId: options.newConsumerMemberId ?? (() => options.random.bytes(16).toString('base64url')),
      maxSize: this.#settings.consumerGroupMaxSize,
    }
    const unreadable: GroupRecord[] = []
    for (const [groupId, stored] of state) {
      for (const [topic, partitions] of stored.offsets) {
        for (const [partition, offset] of partitions) {
          if (isStorableOffset(offset)) {
            // Durable state loads whole even if the limits were lowered since; they bound growth.
            this.#offsets.set(groupId, topic, partition, offset)
            continue
          }
          // Written before commits were range-checked (#7): answering it would break every OffsetFetch.
          this.#logger.warn('groups log: dropping an offset out of range', { groupId, topic, partition })
          unreadable.push({ type: 'offset-delete', groupId, topic, partition })
        }
      }
      for (const [producerId, topics] of stored.pending ?? []) {
        for (const [topic, partitions] of topics) {
          for (const [partition, pending] of partitions) {
            if (isStorableOffset(pending)) {
              this.#offsets.setPending(groupId, producerId, topic, partition, pending)
              continue
            }
            this.#logger.warn('groups log: dropping a pending offset out of range', {
              groupId,
              topic,
              partition,
            })
            unreadable.push({ type: 'txn-offset-delete', groupId, producerId, topic, partition })
          }
        }
      }
      const fresh = () =>
        stored.groupType === 'consumer'
          ? this.#newConsumerGroup(groupId)
          : this.#newClassicGroup(groupId, stored.protocolType)
      let group: Group = fresh()
      if (stored.membership !== undefined) {
        try {
          group.restore(stored.membership, stored.members ?? new Map())
        } catch (error) {
          // Offsets stay; the members rejoin as they did before membership was kept.
          this.#logger.warn('groups log: could not resume a group, it starts empty', { groupId, error })
          group.shutdown()
          group = fresh()
        }
      }
      this.#groups.set(groupId, { group })
    }
    log.snapshotSource = () => this.#storedState()
    this.#scheduleRetention()
    this.#append(unreadable).catch((error) =>
      this.#logger.error('groups log: could not record dropped offsets', { error }),
    )
  }

  /** Opens the groups log in `options.dir`, recovering every group, its members and its offsets. */
  static async open(options: GroupCoordinatorOptions & GroupLogOptions): Promise<GroupCoordinator> {
    const logger = options.logger.child({ component: 'groups' })
    const { log, state, truncatedBytes } = await GroupLog.open(options.fs, options.dir, logger, {
      compactBytes: options.compactBytes,
    })
    logger.info('groups recovered', { groups: state.size, truncatedBytes })
    return new GroupCoordinator({ ...options, logger }, log, state)
  }

  /** Stops timers, answers waiting members with NOT_COORDINATOR and closes the log (after pending writes). */
  async close(): Promise<void> {
    if (this.#closed) return
    // Membership as it stands, not as shutting the groups down leaves it: members resume after a restart.
    this.#flushMembership()
    this.#closed = true
    this.#retentionTimer?.cancel()
    for (const { group } of this.#groups.values()) group.shutdown()
    await this.#log.close()
  }

  /**
   * Whether Metadata lists the internal `__consumer_offsets` topic: as in Kafka, once a client has looked
   * for a group coordinator or a group exists (clients such as franz-go's regex consumers wait for it).
   */
  get offsetsTopicExists(): boolean {
    return this.#offsetsTopicRequested || this.#groups.size > 0
  }

  /** Called for FindCoordinator of a group (or a Metadata request allowed to create the topic). */
  requestOffsetsTopic(): void {
    this.#offsetsTopicRequested = true
  }

  /** Writes a snapshot and empties the log now; for tests and tools. */
  compact(): Promise<void> {
    return this.#log.compact()
  }

  #storedState(): StoredGroups {
    const state: StoredGroups = new Map()
    for (const [groupId, { group }] of this.#groups) {
      const members = new Map<string, MembershipValue>()
      for (const memberId of group.members.keys()) {
        const member = group.exportMember(memberId)
        if (member !== undefined) members.set(memberId, { ...member })
      }
      state.set(groupId, {
        groupType: group.type,
        protocolType: group.protocolType,
        offsets: this.#offsets.offsetsOf(groupId),
        pending: this.#offsets.pendingOf(groupId) as Map<number, PendingOffsets>,
        membership: { ...group.exportState() },
        members,
      })
    }
    return state
  }

  #newClassicGroup(groupId: string, protocolType = ''): ClassicGroup {
    const group = new ClassicGroup(
      groupId,
      this.#clock,
      this.#classicSettings,
      (g) => this.#persistGroup(g),
      (memberId) => this.#membershipChanged(groupId, memberId),
    )
    group.protocolType = protocolType
    return group
  }

  #newConsumerGroup(groupId: string): ConsumerGroup {
    return new ConsumerGroup(
      groupId,
      this.#clock,
      this.#consumerSettingsOf(groupId),
      this.#topics,
      (memberId) => this.#membershipChanged(groupId, memberId),
    )
  }

  /**
   * A consumer group's settings: the group's own consumer.session.timeout.ms and
   * consumer.heartbeat.interval.ms (GROUP configs) when it has them, else the broker's; read at each use,
   * so a change applies from the next heartbeat.
   */
  #consumerSettingsOf(groupId: string): ConsumerGroupSettings {
    const base = this.#consumerSettings
    const own = this.#groupConfig
    if (own === undefined) return base
    const number = (name: string, fallback: number): number => {
      const text = own(groupId, name)
      const value = text === undefined ? Number.NaN : Number(text)
      return Number.isInteger(value) && value > 0 ? value : fallback
    }
    return {
      ...base,
      get sessionTimeoutMs() {
        return number('consumer.session.timeout.ms', base.sessionTimeoutMs)
      },
      get heartbeatIntervalMs() {
        return number('consumer.heartbeat.interval.ms', base.heartbeatIntervalMs)
      },
    }
  }

  /** Notes a membership change (member id, or null for the group's own state) to write at the next flush. */
  #membershipChanged(groupId: string, memberId: string | null): void {
    if (this.#closed) return
    let changed = this.#changedMembership.get(groupId)
    if (changed === undefined) this.#changedMembership.set(groupId, (changed = new Set()))
    changed.add(memberId)
    if (!this.#membershipFlushQueued) {
      this.#membershipFlushQueued = true
      queueMicrotask(() => this.#flushMembership())
    }
  }

  /**
   * Writes the membership changes noted since the last flush, as each group stands now. Not awaited:
   * nothing is acknowledged on it, and a change lost to a crash only means its members rejoin.
   */
  #flushMembership(): void {
    this.#membershipFlushQueued = false
    const records: GroupRecord[] = []
    for (const [groupId, changed] of this.#changedMembership) {
      const group = this.#groups.get(groupId)?.group
      if (group === undefined || group.state === ClassicGroupState.Dead) continue
      for (const memberId of changed) {
        if (memberId === null) {
          records.push({ type: 'membership', groupId, value: { ...group.exportState() } })
        } else {
          const member = group.exportMember(memberId)
          records.push({
            type: 'member',
            groupId,
            memberId,
            value: member === undefined ? null : { ...member },
          })
        }
      }
    }
    this.#changedMembership.clear()
    this.#append(records).catch(async (error) => {
      if (!(error instanceof StateRecordTooLargeError) || records.length === 1) {
        this.#logger.error('groups log: could not record membership', { error })
        return
      }
      // One record over the state log's bound (a member whose protocol metadata is ~1 MiB) failed the whole
      // flush, and with it every other group's membership in it (#7): write the others one by one.
      for (const record of records) {
        await this.#append([record]).catch((one) =>
          this.#logger.warn('groups log: a membership record is not recorded', {
            groupId: record.groupId,
            error: one instanceof Error ? one.message : String(one),
          }),
        )
      }
    })
  }

  /** Records a group's existence and type; not awaited, since nothing is acknowledged on it. */
  #persistGroup(group: Group): void {
    this.#append([
      { type: 'group', groupId: group.groupId, groupType: group.type, protocolType: group.protocolType },
    ]).catch((error) =>
      this.#logger.error('groups log: could not record group', { groupId: group.groupId, error }),
    )
  }

  #append(records: GroupRecord[]): Promise<void> {
    return this.#log.append(records)
  }

  #atGroupsMax(): boolean {
    return this.#groups.size >= this.#settings.groupsMax
  }

  #isEmpty(group: Group): boolean {
    if (group.type === 'consumer') return group.members.size === 0
    return group.state === ClassicGroupState.Empty && group.pendingMembers.size === 0
  }

  /** Replaces an empty group of the other type, keeping its offsets (Kafka converts empty groups). */
  #convert(entry: GroupEntry, to: 'classic' | 'consumer'): Group {
    entry.group.shutdown()
    entry.group =
      to === 'classic'
        ? this.#newClassicGroup(entry.group.groupId)
        : this.#newConsumerGroup(entry.group.groupId)
    this.#persistGroup(entry.group)
    return entry.group
  }

  // ---- classic protocol ----

  /** JoinGroup. Resolves when this member's join round completes (or at once with an error). */
  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    const fail = (errorCode: number) =>
      Promise.resolve<JoinGroupResult>({
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        memberId: input.memberId,
        skipAssignment: false,
        members: [],
      })
    if (this.#closed) return fail(ErrorCode.NOT_COORDINATOR)
    if (!validGroupId(input.groupId)) return fail(ErrorCode.INVALID_GROUP_ID)
    if (
      input.sessionTimeoutMs < this.#settings.sessionTimeoutMinMs ||
      input.sessionTimeoutMs > this.#settings.sessionTimeoutMaxMs
    ) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    let entry = this.#groups.get(input.groupId)
    if (entry === undefined) {
      if (input.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID)
      if (this.#atGroupsMax()) return fail(ErrorCode.GROUP_MAX_SIZE_REACHED)
      entry = { group: this.#newClassicGroup(input.groupId) }
      this.#groups.set(input.groupId, entry)
    }
    let group = entry.group
    if (group.type === 'consumer') {
      if (!this.#isEmpty(group)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
      group = this.#convert(entry, 'classic')
    }
    return (group as ClassicGroup).join(input)
  }

  #classicGroup(groupId: string): ClassicGroup | undefined {
    const group = this.#groups.get(groupId)?.group
    return group?.type === 'classic' ? group : undefined
  }

  /** SyncGroup. Followers' answers wait for the leader's assignments. */
  syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    const fail = (errorCode: number) =>
      Promise.resolve<SyncGroupResult>({
        errorCode,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      })
    if (this.#closed) return fail(ErrorCode.NOT_COORDINATOR)
    if (!validGroupId(input.groupId)) return fail(ErrorCode.INVALID_GROUP_ID)
    const group = this.#classicGroup(input.groupId)
    if (group === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    return group.sync(input)
  }

  /** Heartbeat; returns a Kafka error code. */
  heartbeat(input: {
    groupId: string
    generationId: number
    memberId: string
    groupInstanceId: string | null
  }): number {
    if (this.#closed) return ErrorCode.NOT_COORDINATOR
    if (!validGroupId(input.groupId)) return ErrorCode.INVALID_GROUP_ID
    const group = this.#classicGroup(input.groupId)
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    return group.heartbeat(input.memberId, input.groupInstanceId, input.generationId)
  }

  /** LeaveGroup for a batch of members; one error code per member, in request order. */
  leaveGroup(
    groupId: string,
    members: readonly { memberId: string; groupInstanceId: string | null }[],
  ): { errorCode: number; memberErrors: number[] } {
    if (this.#closed)
      return {
        errorCode: ErrorCode.NOT_COORDINATOR,
        memberErrors: members.map(() => ErrorCode.NOT_COORDINATOR),
      }
    if (!validGroupId(groupId))
      return {
        errorCode: ErrorCode.INVALID_GROUP_ID,
        memberErrors: members.map(() => ErrorCode.INVALID_GROUP_ID),
      }
    const group = this.#groups.get(groupId)?.group
    // A LeaveGroup against a KIP-848 group (Admin.removeMembersFromConsumerGroup) removes its members, as
    // Kafka does (#9).
    if (group?.type === 'consumer')
      return { errorCode: ErrorCode.NONE, memberErrors: group.removeMembers(members) }
    if (group?.type !== 'classic')
      return { errorCode: ErrorCode.NONE, memberErrors: members.map(() => ErrorCode.UNKNOWN_MEMBER_ID) }
    return { errorCode: ErrorCode.NONE, memberErrors: group.leave(members) }
  }

  // ---- KIP-848 ----

  /** ConsumerGroupHeartbeat: joins, heartbeats, leaves; answers with the member's epoch and assignment. */
  consumerGroupHeartbeat(input: ConsumerGroupHeartbeatInput): ConsumerGroupHeartbeatResult {
    const fail = (errorCode: number, errorMessage: string | null = null): ConsumerGroupHeartbeatResult => ({
      errorCode,
      errorMessage,
      memberId: null,
      memberEpoch: -1,
      heartbeatIntervalMs: 0,
      assignment: null,
    })
    if (this.#closed) return fail(ErrorCode.NOT_COORDINATOR)
    const invalid = this.#invalidHeartbeat(input)
    if (invalid !== undefined) return fail(ErrorCode.INVALID_REQUEST, invalid)
    if (
      input.serverAssignor !== null &&
      !(ASSIGNOR_NAMES as readonly string[]).includes(input.serverAssignor)
    ) {
      return fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `assignor ${input.serverAssignor} is not supported`)
    }
    if (input.subscribedTopicRegex !== null && input.subscribedTopicRegex !== '') {
      const compiled = compileTopicRegex(input.subscribedTopicRegex)
      if (!compiled.ok) return fail(ErrorCode.INVALID_REGULAR_EXPRESSION, compiled.message)
    }
    let entry = this.#groups.get(input.groupId)
    if (entry === undefined) {
      if (input.memberEpoch !== 0)
        return fail(ErrorCode.UNKNOWN_MEMBER_ID, `group ${quoted(input.groupId)} has no members`)
      if (this.#atGroupsMax()) {
        return fail(
          ErrorCode.GROUP_MAX_SIZE_REACHED,
          `The broker holds its maximum of ${this.#settings.groupsMax} groups.`,
        )
      }
      entry = { group: this.#newConsumerGroup(input.groupId) }
      this.#groups.set(input.groupId, entry)
      this.#persistGroup(entry.group)
    }
    let group = entry.group
    if (group.type === 'classic') {
      if (!this.#isEmpty(group))
        return fail(ErrorCode.GROUP_ID_NOT_FOUND, `group ${quoted(input.groupId)} is not a consumer group`)
      if (input.memberEpoch !== 0) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
      group = this.#convert(entry, 'consumer')
    }
    const owned =
      input.topicPartitions === null
        ? null
        : new Map(
            input.topicPartitions.flatMap((tp) => {
              const name = this.#topics.topicName(tp.topicId)
              return name === undefined ? [] : [[name, tp.partitions] as const]
            }),
          )
    const result = (group as ConsumerGroup).heartbeat({
      memberId: input.memberId,
      memberEpoch: input.memberEpoch,
      instanceId: input.instanceId,
      rackId: input.rackId,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      subscribedTopicNames: input.subscribedTopicNames,
      subscribedTopicRegex: input.subscribedTopicRegex,
      serverAssignor: input.serverAssignor,
      ownedPartitions: owned,
      clientId: input.clientId,
      clientHost: input.clientHost,
    })
    return {
      errorCode: result.errorCode,
      errorMessage: result.errorMessage,
      memberId: result.memberId,
      memberEpoch: result.memberEpoch,
      heartbeatIntervalMs: result.heartbeatIntervalMs,
      assignment:
        result.assignment === null
          ? null
          : {
              topicPartitions: [...result.assignment].flatMap(([name, partitions]) => {
                const topicId = this.#topics.topicId(name)
                return topicId === undefined ? [] : [{ topicId, partitions }]
              }),
            },
    }
  }

  /** Kafka's shape checks of ConsumerGroupHeartbeat; a message for INVALID_REQUEST, or undefined. */
  #invalidHeartbeat(input: ConsumerGroupHeartbeatInput): string | undefined {
    if (input.groupId === '') return 'GroupId can not be empty.'
    if (!validGroupId(input.groupId)) return `GroupId is longer than ${GROUP_ID_BYTES_MAX} bytes.`
    if (input.apiVersion >= 1 && input.memberId === '') return 'MemberId can not be empty.'
    if (input.memberEpoch !== 0 && input.memberId === '') return 'MemberId can not be empty.'
    if (input.instanceId === '') return 'InstanceId can not be empty.'
    if (input.rackId === '') return 'RackId can not be empty.'
    if (input.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH)
      return `MemberEpoch ${input.memberEpoch} is invalid.`
    if (input.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && input.instanceId === null) {
      return 'InstanceId can not be null when leaving as a static member.'
    }
    if (input.memberEpoch === 0) {
      if (input.rebalanceTimeoutMs === -1) return 'RebalanceTimeoutMs must be provided in first request.'
      if (input.subscribedTopicNames === null && input.subscribedTopicRegex === null) {
        return 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.'
      }
      if (input.topicPartitions !== null && input.topicPartitions.length > 0) {
        return 'TopicPartitions must be empty when (re-)joining.'
      }
    }
    return undefined
  }

  // ---- offsets ----

  /** OffsetCommit. Resolves once the accepted offsets are durable. */
  async commitOffsets(input: OffsetCommitInput): Promise<OffsetCommitTopicResult[]> {
    const entry = this.#groupForCommit(input.groupId, input.generationIdOrMemberEpoch)
    if (typeof entry === 'number') return answerAll(input.topics, entry)
    const error = this.#validateCommit(entry.group, input)
    if (error !== ErrorCode.NONE) return answerAll(input.topics, error)
    const nowMs = this.#clock.nowMs()
    const records: GroupRecord[] = []
    const results = input.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const errorCode = this.#checkOffset(topic.name, p, () =>
          this.#offsets.fits(input.groupId, topic.name, p.partitionIndex),
        )
        if (errorCode !== ErrorCode.NONE) return { partitionIndex: p.partitionIndex, errorCode }
        const stored: StoredOffset = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestampMs: nowMs,
        }
        this.#offsets.set(input.groupId, topic.name, p.partitionIndex, stored)
        records.push({
          type: 'offset',
          groupId: input.groupId,
          topic: topic.name,
          partition: p.partitionIndex,
          ...stored,
        })
        records.push(...this.#supersedePending(input.groupId, topic.name, p.partitionIndex))
        return { partitionIndex: p.partitionIndex, errorCode }
      }),
    }))
    return this.#appendCommit(input.groupId, records, results)
  }

  /**
   * The group an OffsetCommit or TxnOffsetCommit goes to, or the error code that answers all of it. Only a
   * commit from outside any group generation (simple consumers, tools) may create the group.
   */
  #groupForCommit(groupId: string, generation: number): GroupEntry | number {
    if (this.#closed) return ErrorCode.NOT_COORDINATOR
    if (!validGroupId(groupId)) return ErrorCode.INVALID_GROUP_ID
    let entry = this.#groups.get(groupId)
    if (entry === undefined) {
      if (generation >= 0) return ErrorCode.ILLEGAL_GENERATION
      // The group would exist only to hold these offsets: refused like offsets beyond their limits.
      if (this.#atGroupsMax()) return ErrorCode.INVALID_COMMIT_OFFSET_SIZE
      entry = { group: this.#newClassicGroup(groupId) }
      this.#groups.set(groupId, entry)
    }
    return entry
  }

  /** The checks of one committed offset shared by OffsetCommit and TxnOffsetCommit; NONE when it may be stored. */
  #checkOffset(topic: string, p: CommitPartitionInput, fits: () => boolean): number {
    const partitionCount = this.#topics.partitionCount(topic)
    // Kafka stores any int64; offsets here are JavaScript numbers, exact only within 2^53, and no
    // partition of this broker can reach such an offset.
    if (!Number.isSafeInteger(p.committedOffset)) return ErrorCode.OFFSET_OUT_OF_RANGE
    if (Buffer.byteLength(p.committedMetadata ?? '', 'utf8') > this.#settings.offsetMetadataMaxBytes) {
      return ErrorCode.OFFSET_METADATA_TOO_LARGE
    }
    if (partitionCount === undefined || p.partitionIndex < 0 || p.partitionIndex >= partitionCount) {
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    }
    // Kafka's answer for offset data it cannot store (there: a batch over the segment size).
    if (!fits()) return ErrorCode.INVALID_COMMIT_OFFSET_SIZE
    return ErrorCode.NONE
  }

  /**
   * A plain commit after a transaction stored an offset for the same partition wins over it when the
   * transaction commits (Kafka orders them by log position): marks those pending offsets superseded.
   */
  #supersedePending(groupId: string, topic: string, partition: number): GroupRecord[] {
    const records: GroupRecord[] = []
    for (const [producerId, offsets] of this.#offsets.pendingOf(groupId)) {
      const pending = offsets.get(topic)?.get(partition)
      if (pending === undefined || pending.superseded) continue
      const superseded: PendingOffset = { ...pending, superseded: true }
      this.#offsets.setPending(groupId, producerId, topic, partition, superseded)
      records.push({ type: 'txn-offset', groupId, producerId, topic, partition, ...superseded })
    }
    return records
  }

  /** Makes a commit's records durable; on failure every accepted partition answers COORDINATOR_NOT_AVAILABLE. */
  async #appendCommit(
    groupId: string,
    records: GroupRecord[],
    results: OffsetCommitTopicResult[],
  ): Promise<OffsetCommitTopicResult[]> {
    try {
      await this.#append(records)
    } catch (error) {
      this.#logger.error('groups log: commit failed', { groupId, error })
      for (const t of results)
        for (const p of t.partitions)
          if (p.errorCode === ErrorCode.NONE) p.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE
    }
    return results
  }

  /**
   * TxnOffsetCommit, after the transaction coordinator accepted the producer: stores the offsets as
   * pending for (group, producer id) until `completeTransaction`. Member and generation are checked
   * only when given (v3+), as Kafka does; old versions carry none and are accepted in any group state.
   * Resolves once the pending offsets are durable.
   */
  async txnOffsetCommit(input: TxnOffsetCommitInput): Promise<OffsetCommitTopicResult[]> {
    const entry = this.#groupForCommit(input.groupId, input.generationId)
    if (typeof entry === 'number') return answerAll(input.topics, entry)
    const error = this.#validateTxnCommit(entry.group, input)
    if (error !== ErrorCode.NONE) return answerAll(input.topics, error)
    const nowMs = this.#clock.nowMs()
    const { groupId, producerId, producerEpoch } = input
    const records: GroupRecord[] = []
    const results = input.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const errorCode = this.#checkOffset(topic.name, p, () =>
          this.#offsets.fitsPending(groupId, producerId, topic.name, p.partitionIndex),
        )
        if (errorCode !== ErrorCode.NONE) return { partitionIndex: p.partitionIndex, errorCode }
        const pending: PendingOffset = {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestampMs: nowMs,
          producerEpoch,
          superseded: false,
        }
        this.#offsets.setPending(groupId, producerId, topic.name, p.partitionIndex, pending)
        records.push({
          type: 'txn-offset',
          groupId,
          producerId,
          topic: topic.name,
          partition: p.partitionIndex,
          ...pending,
        })
        return { partitionIndex: p.partitionIndex, errorCode }
      }),
    }))
    return this.#appendCommit(groupId, records, results)
  }

  #validateTxnCommit(group: Group, input: TxnOffsetCommitInput): number {
    if (group.type === 'consumer') {
      if (group.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
      return group.validateOffsetRequest(input.memberId, input.generationId, true)
    }
    if (group.state === ClassicGroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (input.generationId < 0 && group.state === ClassicGroupState.Empty) return ErrorCode.NONE
    if (input.generationId >= 0 || input.memberId !== '' || input.groupInstanceId !== null) {
      return group.validateMember(input.memberId, input.groupInstanceId, input.generationId)
    }
    // v0-2 carry no member at all: Kafka accepts them whatever the group's state.
    return ErrorCode.NONE
  }

  /**
   * Ends a transaction's part in a group (the transaction coordinator calls it for each group the
   * transaction added): on commit its pending offsets become the committed ones (except where a later
   * plain commit superseded them), on abort they are dropped. Resolves once that is durable; idempotent,
   * so a coordinator recovering may call it again. A group deleted meanwhile took its pending offsets
   * with it, and nothing is committed for it.
   */
  completeTransaction(
    groupId: string,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
  ): Promise<void> {
    const key = JSON.stringify([groupId, producerId])
    const inFlight = this.#completions.get(key)
    const pending = this.#offsets.takePending(groupId, producerId)
    if (pending === undefined) return inFlight ?? Promise.resolve()
    const nowMs = this.#clock.nowMs()
    const records: GroupRecord[] = []
    for (const [topic, partitions] of pending) {
      for (const [partition, offset] of partitions) {
        if (commit && !offset.superseded) {
          const stored: StoredOffset = {
            offset: offset.offset,
            leaderEpoch: offset.leaderEpoch,
            metadata: offset.metadata,
            // Retention counts from the moment the offset became visible.
            commitTimestampMs: nowMs,
          }
          this.#offsets.set(groupId, topic, partition, stored)
          records.push({ type: 'offset', groupId, topic, partition, ...stored })
        }
        records.push({ type: 'txn-offset-delete', groupId, producerId, topic, partition })
      }
    }
    this.#logger.debug('transaction ended in group', { groupId, producerId, producerEpoch, commit })
    const done = this.#append(records).then(() => {
      if (this.#completions.get(key) === done) this.#completions.delete(key)
    })
    this.#completions.set(key, done)
    return done
  }

  #validateCommit(group: Group, input: OffsetCommitInput): number {
    if (group.type === 'consumer') {
      if (group.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
      return group.validateOffsetRequest(input.memberId, input.generationIdOrMemberEpoch, true)
    }
    if (group.state === ClassicGroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    // A group that only stores offsets (no members) takes commits with generation -1.
    if (input.generationIdOrMemberEpoch < 0 && group.state === ClassicGroupState.Empty) return ErrorCode.NONE
    if (group.state === ClassicGroupState.CompletingRebalance) return ErrorCode.REBALANCE_IN_PROGRESS
    // During PreparingRebalance the old generation may still commit (e.g. in onPartitionsRevoked).
    return group.validateMember(input.memberId, input.groupInstanceId, input.generationIdOrMemberEpoch)
  }

  /** OffsetFetch for one group. Partitions with nothing committed answer offset -1 and no error. */
  fetchOffsets(input: OffsetFetchInput): OffsetFetchResult {
    if (this.#closed) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] }
    if (!validGroupId(input.groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] }
    const entry = this.#groups.get(input.groupId)
    if (
      entry !== undefined &&
      entry.group.type === 'consumer' &&
      (input.memberId !== null || input.memberEpoch >= 0)
    ) {
      const error = entry.group.validateOffsetRequest(input.memberId, input.memberEpoch, false)
      if (error !== ErrorCode.NONE) return { errorCode: error, topics: [] }
    }
    const offsets = this.#offsets.offsetsOf(input.groupId)
    const answer = (
      topic: string,
      partitionIndex: number,
      stored: StoredOffset | undefined,
    ): FetchedPartition =>
      input.requireStable === true && this.#offsets.hasPending(input.groupId, topic, partitionIndex)
        ? {
            partitionIndex,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
          }
        : {
            partitionIndex,
            committedOffset: stored?.offset ?? -1,
            committedLeaderEpoch: stored?.leaderEpoch ?? -1,
            metadata: stored?.metadata ?? '',
            errorCode: ErrorCode.NONE,
          }
    if (input.topics === null) {
      return {
        errorCode: ErrorCode.NONE,
        topics: [...offsets].map(([name, partitions]) => ({
          name,
          partitions: [...partitions].sort(([a], [b]) => a - b).map(([p, stored]) => answer(name, p, stored)),
        })),
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: input.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => answer(t.name, p, offsets.get(t.name)?.get(p))),
      })),
    }
  }

  /** OffsetDelete: removes offsets of topics the group does not subscribe to. */
  async deleteOffsets(
    groupId: string,
    topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
  ): Promise<OffsetDeleteResult> {
    if (this.#closed) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] }
    if (!validGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] }
    const entry = this.#groups.get(groupId)
    if (entry === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
    let subscribed: Set<string> = new Set()
    const group = entry.group
    if (!this.#isEmpty(group)) {
      if (group.type === 'consumer') {
        subscribed = group.allSubscribedTopics()
        for (const m of group.members.values()) for (const t of m.subscribedTopicNames) subscribed.add(t)
      } else {
        const topicsOfMembers = group.subscribedTopics()
        if (topicsOfMembers === undefined) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] }
        subscribed = topicsOfMembers
      }
    }
    const records: GroupRecord[] = []
    const result: OffsetDeleteResult = {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => {
        const partitionCount = this.#topics.partitionCount(t.name)
        return {
          name: t.name,
          partitions: t.partitions.map(({ partitionIndex }) => {
            if (partitionCount === undefined || partitionIndex < 0 || partitionIndex >= partitionCount) {
              return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
            }
            if (subscribed.has(t.name))
              return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
            if (this.#offsets.delete(groupId, t.name, partitionIndex)) {
              records.push({ type: 'offset-delete', groupId, topic: t.name, partition: partitionIndex })
            }
            return { partitionIndex, errorCode: ErrorCode.NONE }
          }),
        }
      }),
    }
    try {
      await this.#append(records)
    } catch (error) {
      this.#logger.error('groups log: offset delete failed', { groupId, error })
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] }
    }
    return result
  }

  // ---- administration ----

  /** ListGroups; filters compare case-insensitively, and an empty filter matches everything. */
  listGroups(filter: { states?: readonly string[]; types?: readonly string[] } = {}): ListedGroup[] {
    const states = new Set((filter.states ?? []).map((s) => s.toLowerCase()))
    const types = new Set((filter.types ?? []).map((s) => s.toLowerCase()))
    const result: ListedGroup[] = []
    for (const [groupId, { group }] of this.#groups) {
      const groupState = group.state
      if (states.size > 0 && !states.has(groupState.toLowerCase())) continue
      if (types.size > 0 && !types.has(group.type)) continue
      result.push({ groupId, protocolType: group.protocolType, groupState, groupType: group.type })
    }
    return result
  }

  /** DescribeGroups for one group. Unknown and non-classic groups are reported as Dead. */
  describeGroup(groupId: string): DescribedClassicGroup {
    const dead: DescribedClassicGroup = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: ClassicGroupState.Dead,
      protocolType: '',
      protocolData: '',
      members: [],
    }
    if (this.#closed) return { ...dead, errorCode: ErrorCode.NOT_COORDINATOR }
    const group = this.#classicGroup(groupId)
    if (group === undefined) return dead
    const stable = group.state === ClassicGroupState.Stable
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType,
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        // Kafka shows metadata and assignment only once the group is Stable.
        memberMetadata: stable
          ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? Buffer.alloc(0))
          : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    }
  }

  /** ConsumerGroupDescribe for one group; GROUP_ID_NOT_FOUND for unknown or classic groups. */
  describeConsumerGroup(groupId: string): DescribedConsumerGroup {
    const notFound = (message: string): DescribedConsumerGroup => ({
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: message,
      groupId,
      groupState: ClassicGroupState.Dead,
      groupEpoch: -1,
      assignmentEpoch: -1,
      assignorName: '',
      members: [],
    })
    if (this.#closed) return { ...notFound(''), errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: null }
    const group = this.#groups.get(groupId)?.group
    if (group === undefined) return notFound(`Group ${quoted(groupId)} not found.`)
    if (group.type !== 'consumer') return notFound(`Group ${quoted(groupId)} is not a consumer group.`)
    const describe = (byTopic: ReadonlyMap<string, ReadonlySet<number> | readonly number[]>) => ({
      topicPartitions: [...byTopic].flatMap(([topicName, ps]) => {
        const topicId = this.#topics.topicId(topicName)
        const partitions = [...ps].sort((a, b) => a - b)
        return topicId === undefined || partitions.length === 0 ? [] : [{ topicId, topicName, partitions }]
      }),
    })
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: group.state,
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignorName: group.assignorName,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: describe(m.assigned),
        targetAssignment: describe(group.target.get(m.memberId) ?? new Map()),
        memberType: 1,
      })),
    }
  }

  /** DeleteGroups: removes empty groups and their offsets. Resolves once the deletions are durable. */
  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const records: GroupRecord[] = []
    const results = groupIds.map((groupId): { groupId: string; errorCode: number } => {
      if (this.#closed) return { groupId, errorCode: ErrorCode.NOT_COORDINATOR }
      if (!validGroupId(groupId)) return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID }
      const entry = this.#groups.get(groupId)
      if (entry === undefined) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
      if (!this.#isEmpty(entry.group)) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP }
      entry.group.shutdown()
      this.#groups.delete(groupId)
      this.#offsets.deleteGroup(groupId)
      records.push({ type: 'group-delete', groupId })
      return { groupId, errorCode: ErrorCode.NONE }
    })
    try {
      await this.#append(records)
    } catch (error) {
      this.#logger.error('groups log: group delete failed', { error })
      for (const r of results)
        if (r.errorCode === ErrorCode.NONE) r.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE
    }
    return results
  }

  // ---- retention ----

  #scheduleRetention(): void {
    this.#retentionTimer = this.#clock.setTimeout(() => {
      this.expireOffsets().catch((error) => this.#logger.error('offset expiry failed', { error }))
      if (!this.#closed) this.#scheduleRetention()
    }, this.#settings.offsetsRetentionCheckIntervalMs)
  }

  /**
   * Removes offsets of empty groups older than the retention (measured from the later of the commit
   * and the moment the group became empty), then groups left with neither members nor offsets.
   */
  async expireOffsets(): Promise<void> {
    if (this.#closed) return
    const nowMs = this.#clock.nowMs()
    const records: GroupRecord[] = []
    for (const [groupId, entry] of this.#groups) {
      if (!this.#isEmpty(entry.group)) continue
      const expired: { topic: string; partition: number }[] = []
      for (const [topic, partitions] of this.#offsets.offsetsOf(groupId)) {
        for (const [partition, stored] of partitions) {
          if (
            nowMs - Math.max(stored.commitTimestampMs, entry.group.emptiedAtMs) >=
            this.#settings.offsetsRetentionMs
          )
            expired.push({ topic, partition })
        }
      }
      for (const { topic, partition } of expired) {
        this.#offsets.delete(groupId, topic, partition)
        records.push({ type: 'offset-delete', groupId, topic, partition })
      }
      if (this.#offsets.countOf(groupId) === 0) {
        entry.group.shutdown()
        this.#groups.delete(groupId)
        records.push({ type: 'group-delete', groupId })
      }
    }
    if (records.length > 0) this.#logger.info('expired offsets', { records: records.length })
    await this.#append(records)
  }
}
