// One KIP-848 consumer group: members heartbeat with their subscriptions, the coordinator computes a
// target assignment with a server-side assignor, and each member reconciles towards it. A partition goes
// to its new owner only after the previous owner reported it no longer owns it.
import { assert, type Clock, quoted, type Timer } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { type AssignorMember, assignorByName, type TargetAssignment } from './assignors.js'
import { compileTopicRegex } from './topic-regex.js'

/** Kafka's names of the consumer group states. */
export const ConsumerGroupState = {
  Empty: 'Empty',
  Assigning: 'Assigning',
  Reconciling: 'Reconciling',
  Stable: 'Stable',
  Dead: 'Dead',
} as const
export type ConsumerGroupStateName = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState]

/** Member epoch sent by a member that leaves for good, and by a static member leaving for a while. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2

/** Topic names and partition counts the group can see. */
export interface ConsumerTopicView {
  partitionCount(name: string): number | undefined
  topicNames(): readonly string[]
}

/** Settings shared by every consumer group; times in milliseconds. */
export interface ConsumerGroupSettings {
  /** group.consumer.session.timeout.ms (Kafka: 45000). */
  readonly sessionTimeoutMs: number
  /** group.consumer.heartbeat.interval.ms (Kafka: 5000). */
  readonly heartbeatIntervalMs: number
  /** Used when no member names a server assignor. */
  readonly defaultAssignor: string
  /** Makes a member id for v0 joins (v1 clients bring their own). */
  readonly newMemberId: () => string
  /** group.consumer.max.size: a join beyond it gets GROUP_MAX_SIZE_REACHED. */
  readonly maxSize: number
}

/** A ConsumerGroupHeartbeat request with owned partitions already translated to topic names. */
export interface ConsumerHeartbeatInput {
  readonly memberId: string
  readonly memberEpoch: number
  readonly instanceId: string | null
  readonly rackId: string | null
  readonly rebalanceTimeoutMs: number
  readonly subscribedTopicNames: readonly string[] | null
  /** Already checked to compile. */
  readonly subscribedTopicRegex: string | null
  readonly serverAssignor: string | null
  /** Partitions the member owns now, by topic name; null when unchanged since its last heartbeat. */
  readonly ownedPartitions: ReadonlyMap<string, readonly number[]> | null
  readonly clientId: string
  readonly clientHost: string
}

export interface ConsumerHeartbeatResult {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  /** The member's whole assignment by topic name, or null when it has not changed. */
  assignment: Map<string, number[]> | null
}

/** A KIP-848 group's own state as saved across restarts (JSON). */
export interface ConsumerGroupSaved {
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  topicsKey: string
  target: [memberId: string, [topic: string, partitions: number[]][]][]
}

/** A KIP-848 member as saved across restarts (JSON). */
export interface ConsumerMemberSaved {
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  memberEpoch: number
  previousMemberEpoch: number
  state: MemberState
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  rebalanceTimeoutMs: number
  assigned: [topic: string, partitions: number[]][]
  pendingRevocation: [topic: string, partitions: number[]][]
}

/** Where a member stands in reconciling to the target assignment. */
type MemberState = 'stable' | 'unrevoked' | 'unreleased'

/** A member of a consumer group. Partition sets are by topic name. */
export interface ConsumerMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  memberEpoch: number
  previousMemberEpoch: number
  state: MemberState
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  rebalanceTimeoutMs: number
  /** Partitions the member may consume now. */
  assigned: Map<string, Set<number>>
  /** Partitions taken away that the member has not yet confirmed giving up. */
  pendingRevocation: Map<string, Set<number>>
  /** Assignment last sent, to know when to send it again. */
  lastSentKey: string
  sessionTimer: Timer | undefined
  revocationTimer: Timer | undefined
}

function keyOf(assignment: ReadonlyMap<string, ReadonlySet<number> | readonly number[]>): string {
  return [...assignment]
    .filter(([, ps]) => ('size' in ps ? ps.size : ps.length) > 0)
    .map(([t, ps]) => `${t}:${[...ps].sort((a, b) => a - b).join(',')}`)
    .sort()
    .join(';')
}

function toArrays(map: ReadonlyMap<string, ReadonlySet<number>>): Map<string, number[]> {
  const result = new Map<string, number[]>()
  for (const [t, ps] of map)
    if (ps.size > 0)
      result.set(
        t,
        [...ps].sort((a, b) => a - b),
      )
  return result
}

function countPartitions(map: ReadonlyMap<string, ReadonlySet<number>>): number {
  let n = 0
  for (const ps of map.values()) n += ps.size
  return n
}

/** A KIP-848 consumer group. Methods run synchronously; expiries come from timers on the Clock. */
export class ConsumerGroup {
  readonly type = 'consumer'
  readonly protocolType = 'consumer'
  groupEpoch = 0
  assignmentEpoch = 0
  readonly members = new Map<string, ConsumerMember>()
  readonly staticMembers = new Map<string, string>()
  target: TargetAssignment = new Map()
  assignorName: string
  /** Partition key `topic\0partition` -> member id holding it (assigned or pending revocation). */
  readonly #owners = new Map<string, string>()
  /** Partition counts of subscribed topics when the target was last computed, as text. */
  #topicsKey = ''
  /** Topics each subscription regex matches, computed once per regex and set of topic names. */
  readonly #regexMatches = new Map<string, ReadonlySet<string>>()
  #regexTopicNamesKey = ''
  /** Set when a heartbeat changed membership or subscriptions; applied once per heartbeat. */
  #epochBumpDue = false
  emptiedAtMs: number
  dead = false

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly settings: ConsumerGroupSettings,
    private readonly topics: ConsumerTopicView,
    /** Called when state that survives a restart changes: a member (by id) or the group (null). */
    private readonly onChange: (memberId: string | null) => void = () => {},
  ) {
    this.emptiedAtMs = clock.nowMs()
    this.assignorName = settings.defaultAssignor
  }

  get state(): ConsumerGroupStateName {
    if (this.dead) return ConsumerGroupState.Dead
    if (this.members.size === 0) return ConsumerGroupState.Empty
    if (this.groupEpoch > this.assignmentEpoch) return ConsumerGroupState.Assigning
    for (const m of this.members.values()) {
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'stable')
        return ConsumerGroupState.Reconciling
    }
    return ConsumerGroupState.Stable
  }

  /** Handles one ConsumerGroupHeartbeat (already validated for shape by the caller). */
  heartbeat(input: ConsumerHeartbeatInput): ConsumerHeartbeatResult {
    const groupBefore = this.#groupFingerprint()
    const memberBefore = this.#memberFingerprint(input.memberId)
    const result = this.#heartbeat(input)
    if (this.#groupFingerprint() !== groupBefore) this.onChange(null)
    if (this.#memberFingerprint(input.memberId) !== memberBefore) this.onChange(input.memberId)
    if (result.memberId !== null && result.memberId !== input.memberId) this.onChange(result.memberId)
    return result
  }

  #groupFingerprint(): string {
    return `${this.groupEpoch}/${this.assignmentEpoch}/${this.assignorName}/${this.#topicsKey}`
  }

  #memberFingerprint(memberId: string): string {
    const saved = this.exportMember(memberId)
    return saved === undefined ? '' : JSON.stringify(saved)
  }

  #heartbeat(input: ConsumerHeartbeatInput): ConsumerHeartbeatResult {
    if (
      input.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH ||
      input.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH
    ) {
      return this.#leave(input)
    }
    let member: ConsumerMember
    if (input.memberEpoch === 0) {
      const joined = this.#join(input)
      if ('errorCode' in joined) return joined
      member = joined
    } else {
      const found = this.members.get(input.memberId)
      if (found === undefined)
        return this.#error(
          ErrorCode.UNKNOWN_MEMBER_ID,
          `member ${quoted(input.memberId)} is not in the group`,
        )
      const fenced = this.#checkEpoch(found, input)
      if (fenced !== undefined) return fenced
      member = found
    }
    this.#updateSubscription(member, input)
    this.#touch(member)
    this.#maybeComputeTarget()
    this.#reconcile(member, input.ownedPartitions)
    const assignedKey = keyOf(member.assigned)
    const ownedDiffers = input.ownedPartitions !== null && keyOf(input.ownedPartitions) !== assignedKey
    const send = input.memberEpoch === 0 || assignedKey !== member.lastSentKey || ownedDiffers
    member.lastSentKey = assignedKey
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      assignment: send ? toArrays(member.assigned) : null,
    }
  }

  #error(errorCode: number, errorMessage: string | null = null): ConsumerHeartbeatResult {
    return {
      errorCode,
      errorMessage,
      memberId: null,
      memberEpoch: -1,
      heartbeatIntervalMs: 0,
      assignment: null,
    }
  }

  #join(input: ConsumerHeartbeatInput): ConsumerMember | ConsumerHeartbeatResult {
    if (input.instanceId !== null) {
      const ownerId = this.staticMembers.get(input.instanceId)
      const owner = ownerId === undefined ? undefined : this.members.get(ownerId)
      if (owner !== undefined && owner.memberId !== input.memberId) {
        if (owner.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
          return this.#error(
            ErrorCode.UNRELEASED_INSTANCE_ID,
            `instance ${quoted(input.instanceId)} is in use by another member`,
          )
        }
        // KIP-848 static membership: the returning instance takes over its predecessor's assignment.
        return this.#replaceStatic(owner, input)
      }
    }
    const existing = input.memberId === '' ? undefined : this.members.get(input.memberId)
    if (existing === undefined && this.members.size >= this.settings.maxSize) {
      return this.#error(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The consumer group has reached its maximum capacity of ${this.settings.maxSize} members.`,
      )
    }
    // A known member sending epoch 0 starts over (e.g. after it was fenced and lost its state).
    if (existing !== undefined) this.#removeMember(existing)
    const member: ConsumerMember = {
      memberId: input.memberId === '' ? this.settings.newMemberId() : input.memberId,
      instanceId: input.instanceId,
      rackId: input.rackId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      memberEpoch: 0,
      previousMemberEpoch: -1,
      state: 'stable',
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      serverAssignor: null,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      assigned: new Map(),
      pendingRevocation: new Map(),
      lastSentKey: '',
      sessionTimer: undefined,
      revocationTimer: undefined,
    }
    this.members.set(member.memberId, member)
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId)
    this.#epochBumpDue = true
    return member
  }

  #replaceStatic(old: ConsumerMember, input: ConsumerHeartbeatInput): ConsumerMember {
    old.sessionTimer?.cancel()
    old.revocationTimer?.cancel()
    this.members.delete(old.memberId)
    const memberId = input.memberId === '' ? this.settings.newMemberId() : input.memberId
    const member: ConsumerMember = {
      ...old,
      memberId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      memberEpoch: old.previousMemberEpoch,
      lastSentKey: '',
      sessionTimer: undefined,
      revocationTimer: undefined,
    }
    this.members.set(memberId, member)
    this.staticMembers.set(member.instanceId!, memberId)
    const target = this.target.get(old.memberId)
    this.target.delete(old.memberId)
    if (target !== undefined) this.target.set(memberId, target)
    for (const [key, owner] of this.#owners) if (owner === old.memberId) this.#owners.set(key, memberId)
    this.onChange(old.memberId)
    return member
  }

  #checkEpoch(member: ConsumerMember, input: ConsumerHeartbeatInput): ConsumerHeartbeatResult | undefined {
    if (input.memberEpoch === member.memberEpoch) return undefined
    // A member that missed our last answer may still use its previous epoch, as long as it owns nothing
    // it should not (KIP-848 "fencing").
    if (input.memberEpoch === member.previousMemberEpoch && input.ownedPartitions !== null) {
      let subset = true
      for (const [topic, ps] of input.ownedPartitions) {
        for (const p of ps) if (!member.assigned.get(topic)?.has(p)) subset = false
      }
      if (subset) return undefined
    }
    return this.#error(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `member epoch ${input.memberEpoch} does not match the expected epoch ${member.memberEpoch}`,
    )
  }

  #updateSubscription(member: ConsumerMember, input: ConsumerHeartbeatInput): void {
    let changed = false
    if (input.subscribedTopicNames !== null) {
      const names = [...new Set(input.subscribedTopicNames)].sort()
      if (names.join('\0') !== member.subscribedTopicNames.join('\0')) {
        member.subscribedTopicNames = names
        changed = true
      }
    }
    if (input.subscribedTopicRegex !== null && input.subscribedTopicRegex !== member.subscribedTopicRegex) {
      // An empty regex clears the regex subscription.
      member.subscribedTopicRegex = input.subscribedTopicRegex === '' ? null : input.subscribedTopicRegex
      changed = true
    }
    if (input.serverAssignor !== null && input.serverAssignor !== member.serverAssignor) {
      member.serverAssignor = input.serverAssignor
      changed = true
    }
    if (input.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = input.rebalanceTimeoutMs
    if (input.rackId !== null) member.rackId = input.rackId
    if (changed) this.#epochBumpDue = true
  }

  /** Topic names a member subscribes to that exist now, regex matches included. */
  subscribedTopics(member: ConsumerMember): Set<string> {
    const topics = new Set<string>()
    for (const t of member.subscribedTopicNames)
      if (this.topics.partitionCount(t) !== undefined) topics.add(t)
    if (member.subscribedTopicRegex !== null) {
      for (const t of this.#topicsMatching(member.subscribedTopicRegex)) topics.add(t)
    }
    return topics
  }

  /**
   * Topics whose whole name matches `source` (RE2 semantics). Cached until the set of topic names
   * changes, so a heartbeat costs one pass over the names rather than one match per topic and member.
   */
  #topicsMatching(source: string): ReadonlySet<string> {
    const names = this.topics.topicNames()
    const namesKey = names.join('\0')
    if (namesKey !== this.#regexTopicNamesKey || this.#regexMatches.size > this.members.size + 16) {
      this.#regexMatches.clear()
      this.#regexTopicNamesKey = namesKey
    }
    let matching = this.#regexMatches.get(source)
    if (matching === undefined) {
      const compiled = compileTopicRegex(source)
      matching = new Set(compiled.ok ? names.filter((t) => compiled.regex.matches(t)) : [])
      this.#regexMatches.set(source, matching)
    }
    return matching
  }

  /** Every topic some member subscribes to. */
  allSubscribedTopics(): Set<string> {
    const topics = new Set<string>()
    for (const m of this.members.values()) for (const t of this.subscribedTopics(m)) topics.add(t)
    return topics
  }

  #maybeComputeTarget(): void {
    const subscriptions = new Map<string, Set<string>>()
    const counts = new Map<string, number>()
    for (const m of this.members.values()) {
      const topics = this.subscribedTopics(m)
      subscriptions.set(m.memberId, topics)
      for (const t of topics) counts.set(t, this.topics.partitionCount(t)!)
    }
    // Topics created, deleted or grown change the target like a subscription change does.
    const topicsKey = [...counts]
      .map(([t, n]) => `${t}:${n}`)
      .sort()
      .join(',')
    if (topicsKey !== this.#topicsKey) {
      this.#topicsKey = topicsKey
      if (this.members.size > 0) this.#epochBumpDue = true
    }
    // One heartbeat that joins, subscribes and brings new topics moves the group epoch once.
    if (this.#epochBumpDue) {
      this.#epochBumpDue = false
      this.groupEpoch++
    }
    if (this.groupEpoch <= this.assignmentEpoch) return
    this.assignorName = this.#chooseAssignor()
    const assignor = assignorByName(this.assignorName) ?? assignorByName(this.settings.defaultAssignor)!
    const members: AssignorMember[] = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      subscribedTopics: subscriptions.get(m.memberId)!,
      current: this.target.get(m.memberId) ?? new Map(),
    }))
    this.target = assignor(members, counts)
    this.assignmentEpoch = this.groupEpoch
  }

  /** The assignor most members ask for (Kafka picks the most common), else the default. */
  #chooseAssignor(): string {
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1)
    }
    let best = this.settings.defaultAssignor
    let bestVotes = 0
    for (const [name, n] of votes) if (n > bestVotes) [best, bestVotes] = [name, n]
    return best
  }

  /** Moves the member towards its target, never handing it a partition another member still holds. */
  #reconcile(member: ConsumerMember, owned: ReadonlyMap<string, readonly number[]> | null): void {
    if (member.state === 'unrevoked') {
      if (owned === null) return
      for (const [topic, ps] of member.pendingRevocation) {
        const still = new Set(owned.get(topic) ?? [])
        for (const p of ps) if (still.has(p)) return
      }
      member.revocationTimer?.cancel()
      member.revocationTimer = undefined
      this.#release(member, member.pendingRevocation)
      member.pendingRevocation = new Map()
      member.state = 'stable'
    }
    if (member.memberEpoch === this.assignmentEpoch && member.state === 'stable') return
    const target = this.target.get(member.memberId) ?? new Map<string, number[]>()
    const kept = new Map<string, Set<number>>()
    const revoking = new Map<string, Set<number>>()
    for (const [topic, ps] of member.assigned) {
      const wanted = new Set(target.get(topic) ?? [])
      for (const p of ps) {
        const into = wanted.has(p) ? kept : revoking
        let set = into.get(topic)
        if (set === undefined) into.set(topic, (set = new Set()))
        set.add(p)
      }
    }
    if (countPartitions(revoking) > 0) {
      // The member must give these up before the epoch moves on; until then it keeps only `kept`.
      member.assigned = kept
      member.pendingRevocation = revoking
      member.state = 'unrevoked'
      member.revocationTimer?.cancel()
      member.revocationTimer = this.clock.setTimeout(
        () => this.#fence(member.memberId),
        member.rebalanceTimeoutMs,
      )
      return
    }
    let unreleased = false
    for (const [topic, ps] of target) {
      for (const p of ps) {
        if (kept.get(topic)?.has(p)) continue
        const owner = this.#owners.get(`${topic}\0${p}`)
        if (owner !== undefined && owner !== member.memberId) {
          unreleased = true
          continue
        }
        let set = kept.get(topic)
        if (set === undefined) kept.set(topic, (set = new Set()))
        set.add(p)
        this.#owners.set(`${topic}\0${p}`, member.memberId)
      }
    }
    member.assigned = kept
    member.state = unreleased ? 'unreleased' : 'stable'
    if (member.memberEpoch !== this.assignmentEpoch) {
      member.previousMemberEpoch = member.memberEpoch
      member.memberEpoch = this.assignmentEpoch
    }
  }

  #release(member: ConsumerMember, partitions: ReadonlyMap<string, ReadonlySet<number>>): void {
    for (const [topic, ps] of partitions) {
      for (const p of ps) {
        const key = `${topic}\0${p}`
        if (this.#owners.get(key) === member.memberId) this.#owners.delete(key)
      }
    }
  }

  #leave(input: ConsumerHeartbeatInput): ConsumerHeartbeatResult {
    const member = this.members.get(input.memberId)
    if (member === undefined)
      return this.#error(ErrorCode.UNKNOWN_MEMBER_ID, `member ${quoted(input.memberId)} is not in the group`)
    if (input.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH && member.instanceId !== null) {
      // Keeps its assignment for a successor with the same instance id; still expires with the session.
      member.previousMemberEpoch = member.memberEpoch
      member.memberEpoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH
    } else {
      this.#removeMember(member)
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: input.memberId,
      memberEpoch: input.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    }
  }

  /**
   * LeaveGroup (the classic protocol's request) against this group: an admin removing members
   * (Admin.removeMembersFromConsumerGroup). Static members are named by instance id (a member id given with
   * it must match: FENCED_INSTANCE_ID otherwise), others by member id; each is removed, as when its
   * session expires, and rejoins at epoch 0 if it is still alive. One error code per member, in order.
   */
  removeMembers(members: readonly { memberId: string; groupInstanceId: string | null }[]): number[] {
    return members.map(({ memberId, groupInstanceId }) => {
      let member: ConsumerMember | undefined
      if (groupInstanceId !== null) {
        const id = this.staticMembers.get(groupInstanceId)
        member = id === undefined ? undefined : this.members.get(id)
        if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
        if (memberId !== '' && memberId !== member.memberId) return ErrorCode.FENCED_INSTANCE_ID
      } else {
        member = this.members.get(memberId)
        if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      }
      this.#removeMember(member)
      return ErrorCode.NONE
    })
  }

  #touch(member: ConsumerMember): void {
    member.sessionTimer?.cancel()
    member.sessionTimer = this.clock.setTimeout(
      () => this.#fence(member.memberId),
      this.settings.sessionTimeoutMs,
    )
  }

  /** Removes a member that stopped heartbeating or did not revoke in time. */
  #fence(memberId: string): void {
    const member = this.members.get(memberId)
    if (member !== undefined) this.#removeMember(member)
  }

  #removeMember(member: ConsumerMember): void {
    member.sessionTimer?.cancel()
    member.revocationTimer?.cancel()
    this.#release(member, member.assigned)
    this.#release(member, member.pendingRevocation)
    this.members.delete(member.memberId)
    this.target.delete(member.memberId)
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === member.memberId) {
      this.staticMembers.delete(member.instanceId)
    }
    this.groupEpoch++
    if (this.members.size === 0) this.emptiedAtMs = this.clock.nowMs()
    this.onChange(member.memberId)
    this.onChange(null)
  }

  /**
   * Checks an OffsetCommit or OffsetFetch against member epochs: NONE, UNKNOWN_MEMBER_ID,
   * STALE_MEMBER_EPOCH (an older epoch) or FENCED_MEMBER_EPOCH (a newer one).
   */
  validateOffsetRequest(memberId: string | null, memberEpoch: number, isCommit: boolean): number {
    // Commits from outside the group (admin tools) are allowed only while it has no members.
    if (memberEpoch < 0 && (memberId === null || memberId === '')) {
      return isCommit && this.members.size > 0 ? ErrorCode.UNKNOWN_MEMBER_ID : ErrorCode.NONE
    }
    const member = this.members.get(memberId ?? '')
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberEpoch > member.memberEpoch) return ErrorCode.FENCED_MEMBER_EPOCH
    if (memberEpoch < member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH
    return ErrorCode.NONE
  }

  /** The group-level state that survives a restart (epochs, assignor, target assignment). */
  exportState(): ConsumerGroupSaved {
    return {
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      assignorName: this.assignorName,
      topicsKey: this.#topicsKey,
      target: [...this.target].map(([memberId, byTopic]) => [memberId, [...byTopic]]),
    }
  }

  /** One member as it survives a restart, or undefined when it is not a member. */
  exportMember(memberId: string): ConsumerMemberSaved | undefined {
    const m = this.members.get(memberId)
    if (m === undefined) return undefined
    return {
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: m.state,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      assigned: [...toArrays(m.assigned)],
      pendingRevocation: [...toArrays(m.pendingRevocation)],
    }
  }

  /**
   * Resumes the group as exported before a restart: members keep their epochs and assignments, so they
   * heartbeat on without a rebalance; session (and revocation) timers start now. Throws on a malformed
   * state; the caller then starts the group afresh.
   */
  restore(
    saved: Readonly<Record<string, unknown>>,
    members: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  ): void {
    const state = saved as unknown as ConsumerGroupSaved
    assert(
      Number.isSafeInteger(state.groupEpoch) &&
        Number.isSafeInteger(state.assignmentEpoch) &&
        Array.isArray(state.target),
      'saved consumer group',
    )
    const toSets = (entries: [string, number[]][]) => new Map(entries.map(([t, ps]) => [t, new Set(ps)]))
    for (const [memberId, value] of members) {
      const m = value as unknown as ConsumerMemberSaved
      assert(
        Number.isSafeInteger(m.memberEpoch) &&
          Array.isArray(m.assigned) &&
          Array.isArray(m.pendingRevocation),
        'saved consumer member',
      )
      const member: ConsumerMember = {
        memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        previousMemberEpoch: m.previousMemberEpoch,
        state: m.state,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        serverAssignor: m.serverAssignor,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        assigned: toSets(m.assigned),
        pendingRevocation: toSets(m.pendingRevocation),
        // The next heartbeat answers with the whole assignment again.
        lastSentKey: '',
        sessionTimer: undefined,
        revocationTimer: undefined,
      }
      this.members.set(memberId, member)
      if (member.instanceId !== null) this.staticMembers.set(member.instanceId, memberId)
      for (const held of [member.assigned, member.pendingRevocation]) {
        for (const [topic, ps] of held) for (const p of ps) this.#owners.set(`${topic}\0${p}`, memberId)
      }
    }
    this.groupEpoch = state.groupEpoch
    this.assignmentEpoch = state.assignmentEpoch
    this.assignorName = state.assignorName
    this.#topicsKey = state.topicsKey
    this.target = new Map(state.target.map(([memberId, byTopic]) => [memberId, new Map(byTopic)]))
    for (const member of this.members.values()) {
      this.#touch(member)
      if (member.state === 'unrevoked') {
        member.revocationTimer = this.clock.setTimeout(
          () => this.#fence(member.memberId),
          member.rebalanceTimeoutMs,
        )
      }
    }
  }

  /** Stops every timer; the group becomes Dead. */
  shutdown(): void {
    for (const m of this.members.values()) {
      m.sessionTimer?.cancel()
      m.revocationTimer?.cancel()
    }
    this.dead = true
  }
}
