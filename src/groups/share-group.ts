// One KIP-932 share group: members heartbeat (ShareGroupHeartbeat) with their subscriptions and get a
// server-side assignment from the `simple` assignor, where a partition may go to several members. No
// revocation step: sharing a partition is safe, since records are locked one by one (share-partitions/).
import type { Clock, Timer } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'

/** Kafka's names of the share group states (ShareGroupDescribe `GroupState`, ListGroups). */
export const ShareGroupState = { Empty: 'Empty', Stable: 'Stable', Dead: 'Dead' } as const
export type ShareGroupStateName = (typeof ShareGroupState)[keyof typeof ShareGroupState]

/** Member epoch a member sends to leave the group. */
export const SHARE_LEAVE_GROUP_MEMBER_EPOCH = -1

/** The one assignor share groups have in Kafka 4.4. */
export const SHARE_ASSIGNOR_NAME = 'simple'

/** Partition counts by topic name; undefined for a topic that does not exist (yet). */
export interface ShareTopicView {
  partitionCount(name: string): number | undefined
}

/** Settings of share groups; times in milliseconds. Read at each use so group overrides apply. */
export interface ShareGroupSettings {
  /** `group.share.session.timeout.ms` (Kafka: 45000), or the group's `share.session.timeout.ms`. */
  sessionTimeoutMs(groupId: string): number
  /** `group.share.heartbeat.interval.ms` (Kafka: 5000), or the group's `share.heartbeat.interval.ms`. */
  heartbeatIntervalMs(groupId: string): number
  /** `group.share.max.size` (Kafka: 200): most members in one share group. */
  readonly groupSizeMax: number
  /** Most topics one member may subscribe to (Brook's bound on a client-sized list). */
  readonly subscribedTopicsMax: number
}

/** A ShareGroupHeartbeat request as the group sees it. */
export interface ShareHeartbeatInput {
  readonly memberId: string
  readonly memberEpoch: number
  /** Null when unchanged since the last heartbeat. */
  readonly rackId: string | null
  /** Null when unchanged since the last heartbeat; required when joining. */
  readonly subscribedTopicNames: readonly string[] | null
  readonly clientId: string
  readonly clientHost: string
}

export interface ShareHeartbeatResult {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  /** The member's whole assignment by topic name, or null when it has not changed since last sent. */
  assignment: Map<string, number[]> | null
}

/** A member of a share group. */
export interface ShareMember {
  readonly memberId: string
  rackId: string | null
  clientId: string
  clientHost: string
  memberEpoch: number
  subscribedTopicNames: string[]
  /** Target assignment by topic name, partitions sorted. */
  assignment: Map<string, number[]>
  /** Assignment key last sent, to send it again only when it changed. */
  lastSentKey: string | null
  sessionTimer: Timer | undefined
}

/** Called when a member leaves or its session expires, so its share sessions and locks are released. */
/** `left`: the member sent a leave heartbeat; `expired`: its session timed out. */
export type ShareMemberRemoved = (groupId: string, memberId: string, reason: 'left' | 'expired') => void

/**
 * A share group. Methods run synchronously on the event loop; session expiry is a Clock timer per
 * member. The group epoch moves when membership, subscriptions or partition counts change; every
 * member's epoch is the group epoch as soon as the new assignment is computed (no revocation).
 */
export class ShareGroup {
  readonly type = 'share'
  groupEpoch = 0
  assignmentEpoch = 0
  readonly members = new Map<string, ShareMember>()
  dead = false
  /** Partition counts of subscribed topics when the assignment was last computed, as text. */
  #topicsKey = ''
  /** Set when membership, subscriptions or partition counts changed; one epoch bump per heartbeat. */
  #epochBumpDue = false
  /** Target assignment of the assignment epoch: member id -> topic name -> sorted partitions. */
  #target = new Map<string, Map<string, number[]>>()

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly settings: ShareGroupSettings,
    private readonly topics: ShareTopicView,
    private readonly onMemberRemoved: ShareMemberRemoved,
  ) {}

  get state(): ShareGroupStateName {
    if (this.dead) return ShareGroupState.Dead
    return this.members.size === 0 ? ShareGroupState.Empty : ShareGroupState.Stable
  }

  /** Handles one ShareGroupHeartbeat (strings already bounded by the caller). */
  heartbeat(input: ShareHeartbeatInput): ShareHeartbeatResult {
    if (input.memberId.length === 0)
      return this.#error(ErrorCode.INVALID_REQUEST, 'MemberId can not be empty')
    if (input.memberEpoch === SHARE_LEAVE_GROUP_MEMBER_EPOCH) return this.#leave(input.memberId)
    if (input.memberEpoch < 0)
      return this.#error(ErrorCode.INVALID_REQUEST, `MemberEpoch ${input.memberEpoch}`)
    const topicsInvalid = this.#checkTopics(input)
    if (topicsInvalid !== null) return topicsInvalid
    let member = this.members.get(input.memberId)
    if (input.memberEpoch === 0) {
      if (member === undefined) {
        if (this.members.size >= this.settings.groupSizeMax)
          return this.#error(
            ErrorCode.GROUP_MAX_SIZE_REACHED,
            `share group ${this.groupId} has ${this.members.size} members`,
          )
        member = {
          memberId: input.memberId,
          rackId: null,
          clientId: input.clientId,
          clientHost: input.clientHost,
          memberEpoch: 0,
          subscribedTopicNames: [],
          assignment: new Map(),
          lastSentKey: null,
          sessionTimer: undefined,
        }
        this.members.set(member.memberId, member)
        this.#epochBumpDue = true
      }
      // A member that rejoins with epoch 0 (after a fencing, say) gets its whole assignment again.
      member.lastSentKey = null
    } else {
      if (member === undefined)
        return this.#error(ErrorCode.UNKNOWN_MEMBER_ID, `member ${input.memberId} is not in the group`)
      if (input.memberEpoch !== member.memberEpoch)
        return this.#error(
          ErrorCode.FENCED_MEMBER_EPOCH,
          `member epoch ${input.memberEpoch} is not the current ${member.memberEpoch}`,
        )
    }
    if (input.rackId !== null) member.rackId = input.rackId
    member.clientId = input.clientId
    member.clientHost = input.clientHost
    if (input.subscribedTopicNames !== null) {
      const names = [...new Set(input.subscribedTopicNames)].sort()
      if (names.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) {
        member.subscribedTopicNames = names
        this.#epochBumpDue = true
      }
    }
    this.#touch(member)
    this.#maybeAssign()
    // A member moves to the new epoch when this answer gives it the new assignment (as KIP-848), so a
    // heartbeat that crossed another member's join is not fenced.
    member.assignment = this.#target.get(member.memberId) ?? new Map()
    member.memberEpoch = this.assignmentEpoch
    const key = assignmentKey(member.assignment)
    const send = key !== member.lastSentKey
    member.lastSentKey = key
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs(this.groupId),
      assignment: send ? new Map([...member.assignment].map(([t, ps]) => [t, [...ps]])) : null,
    }
  }

  /** Topic names any member subscribes to. */
  subscribedTopics(): Set<string> {
    const names = new Set<string>()
    for (const member of this.members.values())
      for (const name of member.subscribedTopicNames) names.add(name)
    return names
  }

  /** Whether `memberId` is a member now (ShareFetch checks this before opening a share session). */
  hasMember(memberId: string): boolean {
    return this.members.has(memberId)
  }

  /**
   * Recomputes the assignment if partition counts of subscribed topics changed (a topic created,
   * deleted or grown). Called on each heartbeat; the broker may also call it on metadata changes.
   */
  refreshTopics(): void {
    this.#maybeAssign()
  }

  /** Removes every member (DeleteGroups on an empty group only; broker shutdown). */
  shutdown(): void {
    for (const member of this.members.values()) member.sessionTimer?.cancel()
    this.members.clear()
    this.dead = true
  }

  #checkTopics(input: ShareHeartbeatInput): ShareHeartbeatResult | null {
    const names = input.subscribedTopicNames
    if (
      input.memberEpoch === 0 &&
      !this.members.has(input.memberId) &&
      (names === null || names.length === 0)
    )
      return this.#error(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames must be set in the first request')
    if (names !== null && names.length > this.settings.subscribedTopicsMax)
      return this.#error(
        ErrorCode.INVALID_REQUEST,
        `${names.length} subscribed topics exceed ${this.settings.subscribedTopicsMax}`,
      )
    return null
  }

  #leave(memberId: string): ShareHeartbeatResult {
    const member = this.members.get(memberId)
    if (member === undefined)
      return this.#error(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not in the group`)
    this.#remove(member, 'left')
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: SHARE_LEAVE_GROUP_MEMBER_EPOCH,
      heartbeatIntervalMs: 0,
      assignment: null,
    }
  }

  #remove(member: ShareMember, reason: 'left' | 'expired'): void {
    member.sessionTimer?.cancel()
    this.members.delete(member.memberId)
    this.#epochBumpDue = true
    this.#maybeAssign()
    this.onMemberRemoved(this.groupId, member.memberId, reason)
  }

  #touch(member: ShareMember): void {
    member.sessionTimer?.cancel()
    member.sessionTimer = this.clock.setTimeout(() => {
      if (this.members.get(member.memberId) === member) this.#remove(member, 'expired')
    }, this.settings.sessionTimeoutMs(this.groupId))
  }

  #maybeAssign(): void {
    const counts = new Map<string, number>()
    for (const name of [...this.subscribedTopics()].sort()) {
      const count = this.topics.partitionCount(name)
      if (count !== undefined && count > 0) counts.set(name, count)
    }
    const topicsKey = [...counts].map(([t, n]) => `${t}:${n}`).join(';')
    if (topicsKey !== this.#topicsKey) {
      this.#topicsKey = topicsKey
      this.#epochBumpDue = true
    }
    if (!this.#epochBumpDue) return
    this.#epochBumpDue = false
    this.groupEpoch++
    this.#target = simpleShareAssignor(
      [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        subscribedTopics: m.subscribedTopicNames,
      })),
      counts,
    )
    this.assignmentEpoch = this.groupEpoch
  }

  #error(errorCode: number, errorMessage: string): ShareHeartbeatResult {
    return {
      errorCode,
      errorMessage,
      memberId: null,
      memberEpoch: -1,
      heartbeatIntervalMs: 0,
      assignment: null,
    }
  }
}

function assignmentKey(assignment: ReadonlyMap<string, readonly number[]>): string {
  return [...assignment]
    .map(([t, ps]) => `${t}:${ps.join(',')}`)
    .sort()
    .join(';')
}

/**
 * The `simple` share assignor, per topic over the members subscribed to it (in member id order): with
 * no more members than partitions each partition goes to one member, spread evenly; with more members
 * each member gets one partition and each partition is shared by the members that got it. Each topic
 * starts where the previous one stopped, so single-partition topics do not all land on one member.
 */
export function simpleShareAssignor(
  members: readonly { memberId: string; subscribedTopics: readonly string[] }[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const target = new Map<string, Map<string, number[]>>()
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
  for (const member of sorted) target.set(member.memberId, new Map())
  let rotation = 0
  for (const [topic, partitionCount] of [...partitionCounts].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const subscribers = sorted.filter((m) => m.subscribedTopics.includes(topic))
    const memberCount = subscribers.length
    if (memberCount === 0) continue
    const give = (member: { memberId: string }, partition: number): void => {
      const topics = target.get(member.memberId)!
      const partitions = topics.get(topic) ?? []
      partitions.push(partition)
      topics.set(topic, partitions)
    }
    if (memberCount <= partitionCount) {
      for (let partition = 0; partition < partitionCount; partition++)
        give(subscribers[(partition + rotation) % memberCount], partition)
    } else {
      for (let index = 0; index < memberCount; index++)
        give(subscribers[(index + rotation) % memberCount], index % partitionCount)
    }
    rotation += partitionCount
    for (const topics of target.values()) topics.get(topic)?.sort((a, b) => a - b)
  }
  return target
}
