// Membership of a consumer group by the classic protocol, for brokers without ConsumerGroupHeartbeat:
// JoinGroup, the leader computes a range assignment, SyncGroup hands it out, Heartbeat keeps the member
// alive. Rebalances are eager: everything is revoked (and committed) before rejoining.
import { ErrorCode, Reader, Writer } from '../protocol/index.js'
import { Api } from './apis.js'
import type { Cluster } from './cluster.js'
import type { Membership, MembershipHost } from './consumer-membership.js'
import { KafkaError, isRetriable, kafkaError } from './errors.js'
import type { TopicPartition } from './topic-partition.js'
import { wakeableSleep } from './wakeable-sleep.js'

/** ConsumerProtocolSubscription v0: the topics a member wants. */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const writer = new Writer(64)
  writer.int16(0)
  writer.int32(topics.length)
  for (const topic of topics) writer.string(topic)
  writer.nullableBytes(null)
  return writer.toBuffer()
}

export function decodeSubscription(data: Buffer): string[] {
  const reader = new Reader(data)
  reader.int16()
  const count = reader.arrayLength()
  const topics: string[] = []
  for (let i = 0; i < count; i++) topics.push(reader.string())
  return topics
}

/** ConsumerProtocolAssignment v0: partitions by topic. */
export function encodeAssignment(partitions: readonly TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) {
    let list = byTopic.get(tp.topic)
    if (list === undefined) byTopic.set(tp.topic, (list = []))
    list.push(tp.partition)
  }
  const writer = new Writer(64)
  writer.int16(0)
  writer.int32(byTopic.size)
  for (const [topic, list] of byTopic) {
    writer.string(topic)
    writer.int32(list.length)
    for (const p of list) writer.int32(p)
  }
  writer.nullableBytes(null)
  return writer.toBuffer()
}

export function decodeAssignment(data: Buffer): TopicPartition[] {
  if (data.length === 0) return []
  const reader = new Reader(data)
  reader.int16()
  const topics = reader.arrayLength()
  const out: TopicPartition[] = []
  for (let i = 0; i < topics; i++) {
    const topic = reader.string()
    const count = reader.arrayLength()
    for (let j = 0; j < count; j++) out.push({ topic, partition: reader.int32() })
  }
  return out
}

/**
 * The range assignor: per topic, members subscribed to it in member-id order each take a contiguous
 * range of partitions, the first `count % members` one more.
 */
export function assignRange(
  members: ReadonlyArray<{ memberId: string; topics: readonly string[] }>,
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]))
  for (const [topic, count] of partitionCounts) {
    const subscribed = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort()
    if (subscribed.length === 0) continue
    const base = Math.floor(count / subscribed.length)
    const extra = count % subscribed.length
    let next = 0
    subscribed.forEach((memberId, index) => {
      const take = base + (index < extra ? 1 : 0)
      for (let i = 0; i < take; i++) out.get(memberId)?.push({ topic, partition: next++ })
    })
  }
  return out
}

export interface ClassicOptions {
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
}

/** Classic (JoinGroup/SyncGroup/Heartbeat) membership with the range assignor. */
export class ClassicMembership implements Membership {
  memberId = ''
  epoch = -1
  private readonly cluster: Cluster
  private readonly groupId: string
  private readonly topics: readonly string[]
  private readonly options: ClassicOptions
  private readonly host: MembershipHost
  private stopped = false
  private running: Promise<void> | undefined
  private wake: (() => void) | undefined

  constructor(
    cluster: Cluster,
    groupId: string,
    topics: readonly string[],
    options: ClassicOptions,
    host: MembershipHost,
  ) {
    this.cluster = cluster
    this.groupId = groupId
    this.topics = topics
    this.options = options
    this.host = host
  }

  start(): void {
    this.running ??= this.run()
  }

  private async coordinator(signal?: AbortSignal) {
    return this.cluster.connectionTo(await this.cluster.coordinatorId(this.groupId, 0, signal), signal)
  }

  private async run(): Promise<void> {
    let needJoin = true
    let failures = 0
    while (!this.stopped) {
      let delayMs = this.options.heartbeatIntervalMs
      try {
        if (needJoin) {
          await this.join()
          needJoin = false
        } else {
          const response = await this.cluster.send(await this.coordinator(), Api.heartbeat, {
            groupId: this.groupId,
            generationId: this.epoch,
            memberId: this.memberId,
            groupInstanceId: null,
          })
          if (response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
            // Eager protocol: give everything back (committing first), then join the new generation.
            await this.host.reconcile([])
            needJoin = true
            delayMs = 0
          } else if (response.errorCode !== ErrorCode.NONE) {
            throw kafkaError(response.errorCode, `Heartbeat of '${this.groupId}'`)
          }
        }
        failures = 0
      } catch (error) {
        if (this.stopped) break
        const code = error instanceof KafkaError ? error.errorCode : undefined
        if (
          code === ErrorCode.UNKNOWN_MEMBER_ID ||
          code === ErrorCode.ILLEGAL_GENERATION ||
          code === ErrorCode.FENCED_INSTANCE_ID
        ) {
          if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
          this.epoch = -1
          await this.host.lost()
          needJoin = true
          delayMs = 0
        } else if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
          needJoin = true
          delayMs = 0
        } else if (isRetriable(error)) {
          this.cluster.invalidateCoordinator(this.groupId, 0)
          delayMs = this.cluster.backoffMs(failures++)
        } else {
          this.host.fail(error as Error)
          return
        }
      }
      if (this.stopped) break
      await wakeableSleep(this.cluster.clock, delayMs, (wake) => {
        this.wake = wake
      })
    }
  }

  private async join(): Promise<void> {
    for (;;) {
      const connection = await this.coordinator()
      const joined = await this.cluster.send(
        connection,
        Api.joinGroup,
        {
          groupId: this.groupId,
          sessionTimeoutMs: this.options.sessionTimeoutMs,
          rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: encodeSubscription(this.topics) }],
          reason: null,
        },
        { timeoutMs: this.options.rebalanceTimeoutMs + this.cluster.requestTimeoutMs },
      )
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        // KIP-394: the first join only hands out a member id.
        this.memberId = joined.memberId
        continue
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = ''
        continue
      }
      if (
        joined.errorCode === ErrorCode.NOT_COORDINATOR ||
        joined.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
      )
        this.cluster.invalidateCoordinator(this.groupId, 0)
      if (joined.errorCode !== ErrorCode.NONE)
        throw kafkaError(joined.errorCode, `JoinGroup of '${this.groupId}'`)
      this.memberId = joined.memberId
      this.epoch = joined.generationId
      let assignments: Array<{ memberId: string; assignment: Buffer }> = []
      if (joined.leader === joined.memberId) {
        const members = joined.members.map((m) => ({
          memberId: m.memberId,
          topics: decodeSubscription(m.metadata),
        }))
        const topics = [...new Set(members.flatMap((m) => m.topics))]
        const counts = new Map<string, number>()
        await this.cluster.refreshMetadata(topics)
        for (const topic of topics) {
          const info = this.cluster.cachedTopic(topic)
          if (info !== undefined) counts.set(topic, info.partitions.length)
        }
        assignments = [...assignRange(members, counts)].map(([memberId, list]) => ({
          memberId,
          assignment: encodeAssignment(list),
        }))
      }
      const synced = await this.cluster.send(
        connection,
        Api.syncGroup,
        {
          groupId: this.groupId,
          generationId: this.epoch,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocolName: joined.protocolName,
          assignments,
        },
        { timeoutMs: this.options.rebalanceTimeoutMs + this.cluster.requestTimeoutMs },
      )
      if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue
      if (synced.errorCode !== ErrorCode.NONE)
        throw kafkaError(synced.errorCode, `SyncGroup of '${this.groupId}'`)
      await this.host.reconcile(decodeAssignment(synced.assignment))
      return
    }
  }

  async leave(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.wake?.()
    await this.running?.catch(() => undefined)
    if (this.memberId === '') return
    try {
      const connection = await this.coordinator(AbortSignal.timeout(this.cluster.requestTimeoutMs))
      await this.cluster.send(connection, Api.leaveGroup, {
        groupId: this.groupId,
        memberId: this.memberId,
        members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is closing' }],
      })
    } catch (error) {
      this.cluster.logger.warn('leaving the group failed', {
        groupId: this.groupId,
        error: (error as Error).message,
      })
    }
  }
}
