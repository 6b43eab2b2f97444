// Membership of a consumer group by the KIP-848 protocol: the member heartbeats ConsumerGroupHeartbeat,
// the coordinator computes the assignment, and the member reports what it owns once it has revoked what it
// lost (committing first). Leaving is a heartbeat with epoch -1.
import { ErrorCode } from '../protocol/index.js'
import { Api } from './apis.js'
import type { Cluster } from './cluster.js'
import { isRetriable, KafkaError, kafkaError } from './errors.js'
import type { TopicPartition } from './topic-partition.js'
import { wakeableSleep } from './wakeable-sleep.js'

/** What the consumer does when the assignment changes; the membership waits for each to finish. */
export interface MembershipHost {
  /** Revoke what is not in `target` (committing first), then take the rest. */
  reconcile(target: TopicPartition[]): Promise<void>
  /** The assignment was lost (fenced, session expired): drop it without committing. */
  lost(): Promise<void>
  /** A failure that ends the consumer (unknown group protocol, authorization). */
  fail(error: Error): void
}

/** The fields OffsetCommit needs from the membership. */
export interface Membership {
  readonly memberId: string
  /** Member epoch (KIP-848) or generation id (classic), for OffsetCommit. */
  readonly epoch: number
  start(): void
  /** Leaves the group; resolves when the coordinator answered or the attempt failed. */
  leave(): Promise<void>
}

const fencedCodes: ReadonlySet<number> = new Set([
  ErrorCode.FENCED_MEMBER_EPOCH,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.STALE_MEMBER_EPOCH,
])

/** KIP-848 membership. */
export class ConsumerProtocolMembership implements Membership {
  memberId: string
  epoch = 0
  private readonly cluster: Cluster
  private readonly groupId: string
  private readonly topics: readonly string[]
  private readonly rebalanceTimeoutMs: number
  private readonly host: MembershipHost
  private heartbeatIntervalMs = 5000
  private owned: TopicPartition[] = []
  private ownedTopicIds: Array<{ topicId: string; partitions: number[] }> = []
  private stopped = false
  private running: Promise<void> | undefined
  private wake: (() => void) | undefined

  constructor(
    cluster: Cluster,
    groupId: string,
    topics: readonly string[],
    rebalanceTimeoutMs: number,
    host: MembershipHost,
  ) {
    this.cluster = cluster
    this.groupId = groupId
    this.topics = topics
    this.rebalanceTimeoutMs = rebalanceTimeoutMs
    this.host = host
    // KIP-1082: the member id is chosen by the client, once, and kept across rejoins.
    this.memberId = globalThis.crypto.randomUUID()
  }

  start(): void {
    this.running ??= this.run()
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      let delayMs = this.heartbeatIntervalMs
      try {
        const reconciled = await this.heartbeat(this.epoch)
        failures = 0
        if (reconciled) delayMs = 0
      } catch (error) {
        if (this.stopped) break
        if (error instanceof KafkaError && fencedCodes.has(error.errorCode)) {
          this.cluster.logger.info('consumer fenced; rejoining', {
            groupId: this.groupId,
            error: error.kafkaName,
          })
          this.epoch = 0
          this.owned = []
          this.ownedTopicIds = []
          await this.host.lost()
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

  /** One heartbeat; true when the assignment changed (the next heartbeat reports it at once). */
  private async heartbeat(epoch: number, signal?: AbortSignal): Promise<boolean> {
    const coordinator = await this.cluster.coordinatorId(this.groupId, 0, signal)
    const connection = await this.cluster.connectionTo(coordinator, signal)
    const joining = epoch === 0
    const response = await this.cluster.send(
      connection,
      Api.consumerGroupHeartbeat,
      {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: epoch,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: joining ? this.rebalanceTimeoutMs : -1,
        subscribedTopicNames: joining ? [...this.topics] : null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: joining ? [] : this.ownedTopicIds,
      },
      { signal },
    )
    if (epoch < 0) return false
    if (response.errorCode !== ErrorCode.NONE) {
      if (
        response.errorCode === ErrorCode.NOT_COORDINATOR ||
        response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
      )
        this.cluster.invalidateCoordinator(this.groupId, 0)
      throw kafkaError(
        response.errorCode,
        `ConsumerGroupHeartbeat of '${this.groupId}'`,
        response.errorMessage,
      )
    }
    if (response.memberId) this.memberId = response.memberId
    this.epoch = response.memberEpoch
    if (response.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = response.heartbeatIntervalMs
    if (response.assignment === null) return false
    const target: TopicPartition[] = []
    for (const entry of response.assignment.topicPartitions) {
      let name = this.cluster.topicNameById(entry.topicId)
      if (name === undefined) {
        await this.cluster.refreshMetadata([...this.topics])
        name = this.cluster.topicNameById(entry.topicId)
      }
      if (name === undefined) continue // a topic deleted meanwhile; the next assignment will not have it
      for (const partition of entry.partitions) target.push({ topic: name, partition })
    }
    await this.host.reconcile(target)
    this.owned = target
    this.ownedTopicIds = response.assignment.topicPartitions.map((t) => ({
      topicId: t.topicId,
      partitions: [...t.partitions],
    }))
    return true
  }

  /** Partitions this member reported as owned. */
  get ownedPartitions(): readonly TopicPartition[] {
    return this.owned
  }

  async leave(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.wake?.()
    await this.running?.catch(() => undefined)
    if (this.epoch <= 0) return
    try {
      await this.heartbeat(-1, AbortSignal.timeout(this.cluster.requestTimeoutMs))
    } catch (error) {
      this.cluster.logger.warn('leaving the group failed', {
        groupId: this.groupId,
        error: (error as Error).message,
      })
    }
    this.epoch = -1
  }
}
