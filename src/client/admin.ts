// The Admin client: topics (create, delete, list, describe, partitions, configs), consumer groups (list,
// describe with lag, reset and delete offsets, delete) and share groups (list, describe, start offsets with
// lag, reset and delete them), records (delete before an offset) and log directories (partition sizes on
// disk). Each method is one or two requests with the same retries as the other clients.
import { ErrorCode, ZERO_UUID } from '../protocol/index.js'
import { Api } from './apis.js'
import { type BrokerInfo, type ClientOptions, Cluster, type TopicInfo } from './cluster.js'
import { check, InvalidArgumentError, kafkaError } from './errors.js'
import { listOffsets } from './list-offsets.js'
import { type TopicPartition, tpKey } from './topic-partition.js'

/** A topic for Admin.createTopics. */
export interface NewTopic {
  /** The topic name. */
  topic: string
  /** Default: the broker's num.partitions. */
  numPartitions?: number
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number
  /** Topic configs by Kafka name (e.g. `'retention.ms': '3600000'`); the others take the broker's defaults. */
  configs?: Readonly<Record<string, string>>
}

/** One partition's log in a log directory, as Admin.describeLogDirs returns it. */
export interface LogDirPartition {
  /** The partition's topic. */
  topic: string
  /** The partition's index in its topic. */
  partition: number
  /** Bytes of its segment files on disk. */
  sizeBytes: number
  /** How far this log is behind the partition's high watermark (0 on a single node). */
  offsetLag: number
  /** True for a log being moved here to replace the current one (AlterReplicaLogDirs). */
  isFuture: boolean
}

/** One log directory of a broker, as Admin.describeLogDirs returns it. */
export interface LogDirDescription {
  /** The broker's node id. */
  nodeId: number
  /** The directory's absolute path on the broker. */
  logDir: string
  /** Size of the volume holding it, in bytes; null from a broker older than Kafka 3.3. */
  totalBytes: number | null
  /** Bytes still writable on that volume; null from a broker older than Kafka 3.3. */
  usableBytes: number | null
  /** The partitions asked for that it holds, by topic then partition. */
  partitions: LogDirPartition[]
}

/** Kafka's config resource types. */
export type ConfigResourceType = 'topic' | 'broker' | 'group'
const resourceTypes: Record<ConfigResourceType, number> = { topic: 2, broker: 4, group: 32 }

/** One group as Admin.listGroups returns it. */
export interface GroupListing {
  /** The group id. */
  groupId: string
  /** 'consumer' for consumer groups (both protocols), 'share' for share groups, '' for other uses. */
  protocolType: string
  /** Stable, Empty, PreparingRebalance... as the broker names it ('' if it does not say). */
  state: string
  /** classic, consumer or share ('' if the broker does not say). */
  type: string
}

/** One member of a group, as Admin.describeGroups returns it. */
export interface GroupMemberDescription {
  /** The member id the coordinator gave it. */
  memberId: string
  /** The client.id the member's client sent. */
  clientId: string
  /** The member's address as the broker saw it (e.g. "/127.0.0.1"). */
  clientHost: string
  /** The partitions assigned to it now. */
  assignment: TopicPartition[]
}

/** A group as Admin.describeGroups and Admin.describeShareGroups return it. */
export interface GroupDescription {
  /** The group id. */
  groupId: string
  /** Stable, Empty, PreparingRebalance... as the broker names it. */
  state: string
  /** The group protocol: classic (JoinGroup/SyncGroup), consumer (KIP-848) or share (KIP-932). */
  type: 'classic' | 'consumer' | 'share'
  /** The generation (classic) or group epoch (consumer, share). */
  epoch: number
  /** The members now in the group. */
  members: GroupMemberDescription[]
}

/** A group's committed offset, the log end and the lag of one partition (Admin.groupOffsets). */
export interface PartitionOffsetLag {
  /** The topic. */
  topic: string
  /** The partition index. */
  partition: number
  /** Committed offset (the next to read), -1 if none. */
  offset: number
  /** Log end offset now. */
  endOffset: number
  /** endOffset - offset, or endOffset - logStartOffset... simplified to endOffset when nothing is committed. */
  lag: number
}

/** Where a share group (KIP-932) stands on one partition. */
export interface ShareGroupPartitionOffset {
  /** The partition's topic. */
  topic: string
  /** The partition's index in its topic. */
  partition: number
  /** The share-partition start offset: every record before it is done; -1 if the group has no state there. */
  startOffset: number
  /** Records from the start offset on not yet acknowledged or archived; -1 if unknown (no state, or a broker before KIP-1226). */
  lag: number
}

/** Where resetShareGroupOffsets moves a share group: the log start, the log end, a time (epoch ms) or offsets by partition. */
export type ShareOffsetTarget =
  | 'earliest'
  | 'latest'
  | {
      /** The first record at or after this time (ms since the epoch), per partition. */
      readonly timestampMs: number
    }
  | Readonly<Record<number, number>>

/** Options of an Admin client: those of every client, and the broker-side operation timeout. */
export interface AdminOptions extends ClientOptions {
  /** How long topic creation and deletion may take on the broker, in ms (default 30000). */
  operationTimeoutMs?: number
}

/** Administration of topics and groups. */
export class Admin {
  private readonly cluster: Cluster
  private readonly operationTimeoutMs: number

  constructor(options: AdminOptions) {
    this.cluster = new Cluster(options)
    this.operationTimeoutMs = options.operationTimeoutMs ?? 30_000
  }

  private async any(signal?: AbortSignal) {
    this.cluster.assertOpen('Admin call')
    return this.cluster.anyConnection(signal)
  }

  /** Creates topics; with `ifNotExists`, an existing topic is not an error. Resolves once leaders are known. */
  async createTopics(
    topics: readonly NewTopic[],
    options: { ifNotExists?: boolean; validateOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const response = await this.cluster.retry(
      async () =>
        this.cluster.send(
          await this.any(options.signal),
          Api.createTopics,
          {
            topics: topics.map((t) => ({
              name: t.topic,
              numPartitions: t.numPartitions ?? -1,
              replicationFactor: t.replicationFactor ?? -1,
              assignments: [],
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            })),
            timeoutMs: this.operationTimeoutMs,
            validateOnly: options.validateOnly ?? false,
          },
          { signal: options.signal, timeoutMs: this.cluster.requestTimeoutMs + this.operationTimeoutMs },
        ),
      { signal: options.signal },
    )
    for (const t of response.topics) {
      if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && options.ifNotExists) continue
      check(t.errorCode, `create topic '${t.name}'`, t.errorMessage)
    }
    if (options.validateOnly) return
    // Kafka answers before every broker has the new topic's metadata; wait until it has leaders.
    for (const t of topics) {
      this.cluster.invalidateTopic(t.topic)
      await this.cluster.retry(
        async () => {
          this.cluster.invalidateTopic(t.topic)
          const info = await this.cluster.topic(t.topic, { signal: options.signal })
          if (info.partitions.some((p) => p.leaderId < 0))
            throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic '${t.topic}'`)
        },
        { signal: options.signal, retries: 20 },
      )
    }
  }

  /** Deletes topics by name. */
  async deleteTopics(topics: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const connection = await this.any(options.signal)
    const response = await this.cluster.send(
      connection,
      Api.deleteTopics,
      {
        topics: topics.map((name) => ({ name, topicId: ZERO_UUID })),
        topicNames: [...topics],
        timeoutMs: this.operationTimeoutMs,
      },
      { signal: options.signal, timeoutMs: this.cluster.requestTimeoutMs + this.operationTimeoutMs },
    )
    for (const r of response.responses) check(r.errorCode, `delete topic '${r.name}'`, r.errorMessage)
    for (const t of topics) this.cluster.invalidateTopic(t)
  }

  /** Names of the topics (internal ones only with `includeInternal`). */
  async listTopics(options: { includeInternal?: boolean; signal?: AbortSignal } = {}): Promise<string[]> {
    this.cluster.assertOpen('listTopics()')
    const topics = await this.cluster.retry(() => this.cluster.refreshMetadata(undefined, options.signal))
    return topics
      .filter(
        (t) =>
          t.errorCode === ErrorCode.NONE && t.name !== null && (options.includeInternal || !t.isInternal),
      )
      .map((t) => t.name as string)
      .sort()
  }

  /** Partitions, leaders and replicas of topics; an unknown topic is a KafkaError. */
  async describeTopics(
    topics: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<TopicInfo[]> {
    this.cluster.assertOpen('describeTopics()')
    const answer = await this.cluster.retry(() => this.cluster.refreshMetadata(topics, options.signal))
    return topics.map((name) => {
      const entry = answer.find((t) => t.name === name)
      if (entry === undefined) throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${name}'`)
      check(entry.errorCode, `topic '${name}'`)
      return this.cluster.cachedTopic(name) as TopicInfo
    })
  }

  /** Grows `topic` to `count` partitions in total. */
  async createPartitions(
    topic: string,
    count: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const response = await this.cluster.send(
      await this.any(options.signal),
      Api.createPartitions,
      {
        topics: [{ name: topic, count, assignments: null }],
        timeoutMs: this.operationTimeoutMs,
        validateOnly: false,
      },
      { signal: options.signal },
    )
    for (const r of response.results) check(r.errorCode, `create partitions of '${r.name}'`, r.errorMessage)
    this.cluster.invalidateTopic(topic)
  }

  /** Config values of one resource, by name (null for a sensitive or unset value). */
  async describeConfigs(
    resource: { type: ConfigResourceType; name: string },
    options: { keys?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<Record<string, string | null>> {
    const connection = await this.connectionFor(resource, options.signal)
    const response = await this.cluster.send(
      connection,
      Api.describeConfigs,
      {
        resources: [
          {
            resourceType: resourceTypes[resource.type],
            resourceName: resource.name,
            configurationKeys: options.keys === undefined ? null : [...options.keys],
          },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      },
      { signal: options.signal },
    )
    const result = response.results[0]
    check(result.errorCode, `describe configs of ${resource.type} '${resource.name}'`, result.errorMessage)
    const out: Record<string, string | null> = {}
    for (const c of result.configs) out[c.name] = c.value
    return out
  }

  /** Sets (string) or removes (null) configs of one resource, leaving the others as they are. */
  async alterConfigs(
    resource: { type: ConfigResourceType; name: string },
    configs: Readonly<Record<string, string | null>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const connection = await this.connectionFor(resource, options.signal)
    const response = await this.cluster.send(
      connection,
      Api.incrementalAlterConfigs,
      {
        resources: [
          {
            resourceType: resourceTypes[resource.type],
            resourceName: resource.name,
            configs: Object.entries(configs).map(([name, value]) => ({
              name,
              configOperation: value === null ? 1 : 0,
              value,
            })),
          },
        ],
        validateOnly: false,
      },
      { signal: options.signal },
    )
    for (const r of response.responses)
      check(r.errorCode, `alter configs of ${resource.type} '${resource.name}'`, r.errorMessage)
  }

  private async connectionFor(resource: { type: ConfigResourceType; name: string }, signal?: AbortSignal) {
    this.cluster.assertOpen('Admin call')
    // A broker's own configs are answered by that broker.
    if (resource.type === 'broker' && /^\d+$/.test(resource.name))
      return this.cluster.connectionTo(Number(resource.name), signal)
    return this.cluster.anyConnection(signal)
  }

  /** Groups on every broker; `types` filters by classic, consumer or share. */
  async listGroups(
    options: { types?: ReadonlyArray<'classic' | 'consumer' | 'share'>; signal?: AbortSignal } = {},
  ): Promise<GroupListing[]> {
    this.cluster.assertOpen('listGroups()')
    await this.cluster.refreshMetadata([], options.signal)
    const out: GroupListing[] = []
    for (const broker of this.cluster.knownBrokers()) {
      const connection = await this.cluster.connectionTo(broker.nodeId, options.signal)
      const response = await this.cluster.send(
        connection,
        Api.listGroups,
        { statesFilter: [], typesFilter: options.types === undefined ? [] : [...options.types] },
        { signal: options.signal },
      )
      check(response.errorCode, 'ListGroups')
      for (const g of response.groups) {
        // Brokers without typesFilter (v<5) answer every group: filter by protocol type instead.
        if (
          options.types !== undefined &&
          g.groupType === '' &&
          !options.types.includes(g.protocolType === 'share' ? 'share' : 'classic')
        )
          continue
        out.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType })
      }
    }
    return out.sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
  }

  /** Describes consumer groups of either protocol (KIP-848 groups with ConsumerGroupDescribe). */
  async describeGroups(
    groupIds: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<GroupDescription[]> {
    this.cluster.assertOpen('describeGroups()')
    const out: GroupDescription[] = []
    for (const groupId of groupIds) {
      const connection = await this.cluster.connectionTo(
        await this.cluster.coordinatorId(groupId, 0, options.signal),
        options.signal,
      )
      if (connection.versionFor(Api.consumerGroupDescribe.apiKey) !== undefined) {
        const response = await this.cluster.send(
          connection,
          Api.consumerGroupDescribe,
          { groupIds: [groupId], includeAuthorizedOperations: false },
          { signal: options.signal },
        )
        const g = response.groups[0]
        if (g !== undefined && g.errorCode === ErrorCode.NONE) {
          out.push({
            groupId,
            state: g.groupState,
            type: 'consumer',
            epoch: g.groupEpoch,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              assignment: m.assignment.topicPartitions.flatMap((t) =>
                t.partitions.map((partition) => ({ topic: t.topicName, partition })),
              ),
            })),
          })
          continue
        }
        if (g !== undefined && g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND)
          check(g.errorCode, `describe group '${groupId}'`, g.errorMessage)
      }
      const response = await this.cluster.send(
        connection,
        Api.describeGroups,
        { groups: [groupId], includeAuthorizedOperations: false },
        { signal: options.signal },
      )
      const g = response.groups[0]
      check(g.errorCode, `describe group '${groupId}'`, g.errorMessage)
      out.push({
        groupId,
        state: g.groupState,
        type: 'classic',
        epoch: -1,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: [],
        })),
      })
    }
    return out
  }

  /** The cluster id, the controller's node id and the brokers, from a fresh Metadata request. */
  async describeCluster(options: { signal?: AbortSignal } = {}): Promise<{
    /** The cluster id, or null from a broker that has none. */
    clusterId: string | null
    /** Node id of the active controller (-1 if unknown). */
    controllerId: number
    /** Every broker, by node id. */
    brokers: BrokerInfo[]
  }> {
    this.cluster.assertOpen('describeCluster()')
    await this.cluster.retry(() => this.cluster.refreshMetadata([], options.signal), {
      signal: options.signal,
    })
    return {
      clusterId: this.cluster.clusterId,
      controllerId: this.cluster.controllerId,
      brokers: this.cluster.knownBrokers().sort((a, b) => a.nodeId - b.nodeId),
    }
  }

  /**
   * Offsets of every partition of `topic` (or of `partitions`): 'earliest', 'latest', or the first offset at
   * or after a timestamp in ms (-1 where none is that late). Keyed by partition.
   */
  async listOffsets(
    topic: string,
    at: 'earliest' | 'latest' | number,
    options: { partitions?: readonly number[]; signal?: AbortSignal } = {},
  ): Promise<Map<number, number>> {
    this.cluster.assertOpen('listOffsets()')
    const info = await this.cluster.topic(topic, { signal: options.signal })
    const partitions = options.partitions ?? info.partitions.map((p) => p.partition)
    const timestamp = at === 'earliest' ? -2 : at === 'latest' ? -1 : at
    const found = await listOffsets(
      this.cluster,
      partitions.map((partition) => ({ topic, partition })),
      timestamp,
    )
    return new Map(partitions.map((p) => [p, found.get(tpKey(topic, p)) ?? -1]))
  }

  /** Committed offsets of a group with the lag of each partition (all partitions of `topics`, or what is committed). */
  async groupOffsets(
    groupId: string,
    options: { topics?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<PartitionOffsetLag[]> {
    this.cluster.assertOpen('groupOffsets()')
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    let request: Array<{ name: string; partitionIndexes: number[] }> | null = null
    if (options.topics !== undefined) {
      request = []
      for (const topic of options.topics) {
        const info = await this.cluster.topic(topic, { signal: options.signal })
        request.push({ name: topic, partitionIndexes: info.partitions.map((p) => p.partition) })
      }
    }
    const response = await this.cluster.send(
      connection,
      Api.offsetFetch,
      { groupId, topics: request, requireStable: false },
      { signal: options.signal },
    )
    check(response.errorCode, `offsets of group '${groupId}'`)
    const committed: Array<TopicPartition & { offset: number }> = []
    for (const t of response.topics)
      for (const p of t.partitions) {
        check(p.errorCode, `offset of ${t.name}-${p.partitionIndex}`)
        committed.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })
      }
    const ends = await listOffsets(this.cluster, committed, -1)
    return committed
      .map((c) => {
        const endOffset = ends.get(tpKey(c.topic, c.partition)) ?? -1
        return { ...c, endOffset, lag: c.offset < 0 ? endOffset : Math.max(0, endOffset - c.offset) }
      })
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
  }

  /**
   * Sets a group's committed offsets of `topic` to 'earliest', 'latest' or explicit offsets by partition.
   * The group must have no active members (Kafka's rule for commits from outside the group).
   */
  async resetOffsets(
    groupId: string,
    topic: string,
    to: 'earliest' | 'latest' | Readonly<Record<number, number>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.cluster.assertOpen('resetOffsets()')
    const info = await this.cluster.topic(topic, { signal: options.signal })
    let offsets: Array<{ partition: number; offset: number }>
    if (typeof to === 'string') {
      const tps = info.partitions.map((p) => ({ topic, partition: p.partition }))
      const found = await listOffsets(this.cluster, tps, to === 'earliest' ? -2 : -1)
      offsets = tps.map((tp) => ({
        partition: tp.partition,
        offset: found.get(tpKey(topic, tp.partition)) as number,
      }))
    } else {
      offsets = Object.entries(to).map(([partition, offset]) => ({ partition: Number(partition), offset }))
    }
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    const response = await this.cluster.send(
      connection,
      Api.offsetCommit,
      {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: topic,
            partitions: offsets.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: null,
            })),
          },
        ],
      },
      { signal: options.signal },
    )
    for (const t of response.topics)
      for (const p of t.partitions) check(p.errorCode, `reset offset of ${t.name}-${p.partitionIndex}`)
  }

  /** Deletes a group's committed offsets of `topic` (all partitions unless given). */
  async deleteOffsets(
    groupId: string,
    topic: string,
    partitions?: readonly number[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.cluster.assertOpen('deleteOffsets()')
    const list =
      partitions ??
      (await this.cluster.topic(topic, { signal: options.signal })).partitions.map((p) => p.partition)
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    const response = await this.cluster.send(
      connection,
      Api.offsetDelete,
      { groupId, topics: [{ name: topic, partitions: list.map((partitionIndex) => ({ partitionIndex })) }] },
      { signal: options.signal },
    )
    check(response.errorCode, `delete offsets of group '${groupId}'`)
    for (const t of response.topics)
      for (const p of t.partitions) check(p.errorCode, `delete offset of ${t.name}-${p.partitionIndex}`)
  }

  /** Deletes groups (they must be empty). */
  async deleteGroups(groupIds: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.cluster.assertOpen('deleteGroups()')
    for (const groupId of groupIds) {
      const connection = await this.cluster.connectionTo(
        await this.cluster.coordinatorId(groupId, 0, options.signal),
        options.signal,
      )
      const response = await this.cluster.send(
        connection,
        Api.deleteGroups,
        { groupsNames: [groupId] },
        { signal: options.signal },
      )
      for (const r of response.results) check(r.errorCode, `delete group '${r.groupId}'`)
    }
  }

  /** Share groups (KIP-932) on every broker. */
  listShareGroups(options: { signal?: AbortSignal } = {}): Promise<GroupListing[]> {
    return this.listGroups({ ...options, types: ['share'] })
  }

  /** Members and assignments of share groups. */
  async describeShareGroups(
    groupIds: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<GroupDescription[]> {
    this.cluster.assertOpen('describeShareGroups()')
    const out: GroupDescription[] = []
    for (const groupId of groupIds) {
      const connection = await this.cluster.connectionTo(
        await this.cluster.coordinatorId(groupId, 0, options.signal),
        options.signal,
      )
      const response = await this.cluster.send(
        connection,
        Api.shareGroupDescribe,
        { groupIds: [groupId], includeAuthorizedOperations: false },
        { signal: options.signal },
      )
      const g = response.groups[0]
      if (g === undefined) throw new InvalidArgumentError(`no answer for share group '${groupId}'`)
      check(g.errorCode, `describe share group '${groupId}'`, g.errorMessage)
      out.push({
        groupId,
        state: g.groupState,
        type: 'share',
        epoch: g.groupEpoch,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: m.assignment.topicPartitions.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.topicName, partition })),
          ),
        })),
      })
    }
    return out
  }

  /**
   * Start offsets and lag of a share group: on every partition it has state for, or on every partition of
   * `topics` (startOffset -1 where it has none). DescribeShareGroupOffsets, Kafka 4.1+ (lag from 4.2).
   */
  async shareGroupOffsets(
    groupId: string,
    options: { topics?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<ShareGroupPartitionOffset[]> {
    this.cluster.assertOpen('shareGroupOffsets()')
    let topics: Array<{ topicName: string; partitions: number[] }> | null = null
    if (options.topics !== undefined) {
      topics = []
      for (const topic of options.topics) {
        const info = await this.cluster.topic(topic, { signal: options.signal })
        topics.push({ topicName: topic, partitions: info.partitions.map((p) => p.partition) })
      }
    }
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    const response = await this.cluster.send(
      connection,
      Api.describeShareGroupOffsets,
      { groups: [{ groupId, topics }] },
      { signal: options.signal },
    )
    const group = response.groups[0]
    if (group === undefined) throw new InvalidArgumentError(`no answer for share group '${groupId}'`)
    check(group.errorCode, `offsets of share group '${groupId}'`, group.errorMessage)
    const out: ShareGroupPartitionOffset[] = []
    for (const t of group.topics)
      for (const p of t.partitions) {
        check(p.errorCode, `share offset of ${t.topicName}-${p.partitionIndex}`, p.errorMessage)
        out.push({ topic: t.topicName, partition: p.partitionIndex, startOffset: p.startOffset, lag: p.lag })
      }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
  }

  /**
   * Moves a share group's start offset on `topic` (all partitions, or those given by offset) and forgets
   * what was in flight there. The group must have no members (NON_EMPTY_GROUP); an unknown group is
   * created. A time resolves per partition to the first offset at or after it, or the log end.
   * AlterShareGroupOffsets, Kafka 4.1+.
   */
  async resetShareGroupOffsets(
    groupId: string,
    topic: string,
    to: ShareOffsetTarget,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.cluster.assertOpen('resetShareGroupOffsets()')
    const info = await this.cluster.topic(topic, { signal: options.signal })
    let offsets: Array<{ partitionIndex: number; startOffset: number }>
    if (typeof to === 'string' || 'timestampMs' in to) {
      const tps = info.partitions.map((p) => ({ topic, partition: p.partition }))
      const timestamp =
        to === 'earliest' ? -2 : to === 'latest' ? -1 : (to as { timestampMs: number }).timestampMs
      const found = await listOffsets(this.cluster, tps, timestamp)
      const ends = timestamp >= 0 ? await listOffsets(this.cluster, tps, -1) : found
      offsets = tps.map((tp) => {
        const offset = found.get(tpKey(topic, tp.partition)) ?? -1
        return {
          partitionIndex: tp.partition,
          startOffset: offset >= 0 ? offset : (ends.get(tpKey(topic, tp.partition)) as number),
        }
      })
    } else {
      offsets = Object.entries(to).map(([partition, offset]) => {
        if (!Number.isSafeInteger(offset) || offset < 0)
          throw new InvalidArgumentError(`share offset ${offset} of ${topic}-${partition} is not an offset`)
        return { partitionIndex: Number(partition), startOffset: offset }
      })
    }
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    const response = await this.cluster.send(
      connection,
      Api.alterShareGroupOffsets,
      { groupId, topics: [{ topicName: topic, partitions: offsets }] },
      { signal: options.signal },
    )
    check(response.errorCode, `reset offsets of share group '${groupId}'`, response.errorMessage)
    for (const t of response.responses)
      for (const p of t.partitions)
        check(p.errorCode, `reset share offset of ${t.topicName}-${p.partitionIndex}`, p.errorMessage)
  }

  /**
   * Forgets a share group's state on whole topics: its next member starts where share.auto.offset.reset
   * says. The group must exist and have no members. DeleteShareGroupOffsets, Kafka 4.1+.
   */
  async deleteShareGroupOffsets(
    groupId: string,
    topics: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.cluster.assertOpen('deleteShareGroupOffsets()')
    const connection = await this.cluster.connectionTo(
      await this.cluster.coordinatorId(groupId, 0, options.signal),
      options.signal,
    )
    const response = await this.cluster.send(
      connection,
      Api.deleteShareGroupOffsets,
      { groupId, topics: topics.map((topicName) => ({ topicName })) },
      { signal: options.signal },
    )
    check(response.errorCode, `delete offsets of share group '${groupId}'`, response.errorMessage)
    for (const t of response.responses)
      check(t.errorCode, `delete share offsets of ${t.topicName}`, t.errorMessage)
  }

  /**
   * Deletes the records of `topic` before the given offsets (DeleteRecords), 'latest' meaning all of them;
   * resolves to each partition's new log start offset. Every reader of the topic loses them.
   */
  async deleteRecords(
    topic: string,
    before: 'latest' | Readonly<Record<number, number>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<Map<number, number>> {
    this.cluster.assertOpen('deleteRecords()')
    const info = await this.cluster.topic(topic, { signal: options.signal })
    const wanted =
      before === 'latest'
        ? info.partitions.map((p) => ({ partitionIndex: p.partition, offset: -1 }))
        : Object.entries(before).map(([p, o]) => ({ partitionIndex: Number(p), offset: o }))
    const byLeader = new Map<number, Array<{ partitionIndex: number; offset: number }>>()
    for (const w of wanted) {
      const leader = info.partitions.find((p) => p.partition === w.partitionIndex)?.leaderId
      if (leader === undefined)
        throw new InvalidArgumentError(`${topic} has no partition ${w.partitionIndex}`)
      let list = byLeader.get(leader)
      if (list === undefined) byLeader.set(leader, (list = []))
      list.push(w)
    }
    const out = new Map<number, number>()
    for (const [leader, partitions] of byLeader) {
      const connection = await this.cluster.connectionTo(leader, options.signal)
      const response = await this.cluster.send(
        connection,
        Api.deleteRecords,
        { topics: [{ name: topic, partitions }], timeoutMs: this.operationTimeoutMs },
        { signal: options.signal },
      )
      for (const t of response.topics)
        for (const p of t.partitions) {
          check(p.errorCode, `delete records of ${t.name}-${p.partitionIndex}`)
          out.set(p.partitionIndex, p.lowWatermark)
        }
    }
    return out
  }

  /**
   * Every broker's log directories (or those of `brokers`, by node id): each with the bytes on disk of the
   * partitions of `topics` it holds (of all topics when omitted) and its volume's total and usable bytes.
   */
  async describeLogDirs(
    options: { topics?: readonly string[]; brokers?: readonly number[]; signal?: AbortSignal } = {},
  ): Promise<LogDirDescription[]> {
    this.cluster.assertOpen('describeLogDirs()')
    const { signal } = options
    let topics: { topic: string; partitions: number[] }[] | null = null
    if (options.topics !== undefined) {
      topics = []
      for (const topic of options.topics) {
        const info = await this.cluster.topic(topic, { signal })
        topics.push({ topic, partitions: info.partitions.map((p) => p.partition) })
      }
    }
    let nodeIds = options.brokers
    if (nodeIds === undefined) nodeIds = (await this.describeCluster({ signal })).brokers.map((b) => b.nodeId)
    const out: LogDirDescription[] = []
    for (const nodeId of nodeIds) {
      const connection = await this.cluster.connectionTo(nodeId, signal)
      const response = await this.cluster.send(connection, Api.describeLogDirs, { topics }, { signal })
      check(response.errorCode, `describe log dirs of broker ${nodeId}`)
      for (const dir of response.results) {
        check(dir.errorCode, `describe log dir ${dir.logDir} of broker ${nodeId}`)
        const partitions: LogDirPartition[] = []
        for (const t of dir.topics)
          for (const p of t.partitions)
            partitions.push({
              topic: t.name,
              partition: p.partitionIndex,
              sizeBytes: p.partitionSize,
              offsetLag: p.offsetLag,
              isFuture: p.isFutureKey,
            })
        partitions.sort((a, b) =>
          a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
        )
        out.push({
          nodeId,
          logDir: dir.logDir,
          totalBytes: dir.totalBytes < 0 ? null : dir.totalBytes,
          usableBytes: dir.usableBytes < 0 ? null : dir.usableBytes,
          partitions,
        })
      }
    }
    return out
  }

  /** Closes connections; later calls throw ClosedError (BROOK_ERR_CLOSED). */
  async close(): Promise<void> {
    this.cluster.close()
  }
}
