// One classic consumer group: the JoinGroup/SyncGroup/Heartbeat/LeaveGroup state machine with its
// members, generations, session and rebalance timers. Knows nothing of the wire format: requests come in
// as plain objects and answers go out as plain objects carrying Kafka error codes.
import { assert, type Clock, type Timer } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'

/** Kafka's names of the classic group states, as ListGroups and DescribeGroups show them. */
export const ClassicGroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const
export type ClassicGroupStateName = (typeof ClassicGroupState)[keyof typeof ClassicGroupState]

/** Timing settings shared by every classic group; all in milliseconds. */
export interface ClassicGroupSettings {
  /** Delay before the first rebalance of an empty group completes, letting more members arrive
   * (group.initial.rebalance.delay.ms); extended per newcomer up to the rebalance timeout. */
  readonly initialRebalanceDelayMs: number
  /** Makes a new member id; Kafka uses the client id plus a UUID. */
  readonly newMemberId: (clientId: string) => string
  /** group.max.size: members plus ids handed out and not yet joined; more get GROUP_MAX_SIZE_REACHED. */
  readonly maxSize: number
}

/** A JoinGroup request, decoded and version-normalized. */
export interface JoinGroupInput {
  readonly groupId: string
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly sessionTimeoutMs: number
  /** Time the coordinator waits for members to rejoin; v0 uses the session timeout. */
  readonly rebalanceTimeoutMs: number
  readonly protocolType: string
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[]
  readonly clientId: string
  readonly clientHost: string
  /** v4+: a new member first gets MEMBER_ID_REQUIRED and an id, then joins again with it. */
  readonly requireKnownMemberId: boolean
  /** v9+: a static leader that rejoins may be told to skip the assignment (KIP-814). */
  readonly supportsSkipAssignment: boolean
}

/** A JoinGroup answer. `members` is filled for the leader only. */
export interface JoinGroupResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  skipAssignment: boolean
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
}

export interface SyncGroupInput {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly protocolType: string | null
  readonly protocolName: string | null
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[]
}

export interface SyncGroupResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

/** A classic group's own state as saved across restarts (JSON). */
export interface ClassicGroupSaved {
  generationId: number
  protocolName: string | null
  leaderId: string | null
  state: ClassicGroupStateName
}

/** A classic member as saved across restarts (JSON; buffers as base64). */
export interface ClassicMemberSaved {
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: [name: string, metadata: string][]
  assignment: string
}

/** A member of a classic group. */
export interface ClassicMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: { name: string; metadata: Buffer }[]
  assignment: Buffer
  joinWaiter: ((result: JoinGroupResult) => void) | undefined
  syncWaiter: ((result: SyncGroupResult) => void) | undefined
  sessionTimer: Timer | undefined
}

const EMPTY = Buffer.alloc(0)

function joinError(errorCode: number, memberId = ''): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    skipAssignment: false,
    members: [],
  }
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY }
}

function sameProtocols(
  a: readonly { name: string; metadata: Buffer }[],
  b: readonly { name: string; metadata: Buffer }[],
) {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata))
}

/**
 * A classic group. Every method runs to completion synchronously; JoinGroup and SyncGroup answers that
 * must wait for other members are promises resolved by later calls or timers on the Clock.
 */
export class ClassicGroup {
  readonly type = 'classic'
  state: ClassicGroupStateName = ClassicGroupState.Empty
  generationId = 0
  /** '' for a group that only stores offsets and never had members. */
  protocolType = ''
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, ClassicMember>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
  readonly pendingMembers = new Map<string, Timer>()
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>()
  /** Epoch ms when the group last became empty; offsets expire relative to it. */
  emptiedAtMs: number
  #joinTimer: Timer | undefined
  #inInitialDelay = false
  #newMemberAdded = false

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly settings: ClassicGroupSettings,
    /** Called when the protocol type changes, so the owner can persist it. */
    private readonly onProtocolTypeChange: (group: ClassicGroup) => void = () => {},
    /** Called when state that survives a restart changes: a member (by id) or the group (null). */
    private readonly onChange: (memberId: string | null) => void = () => {},
  ) {
    this.emptiedAtMs = clock.nowMs()
  }

  /** Handles JoinGroup; resolves when the join round completes (or at once for errors). */
  join(input: JoinGroupInput): Promise<JoinGroupResult> {
    if (this.state === ClassicGroupState.Dead)
      return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE))
    if (!this.#supportsProtocols(input)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, input.memberId))
    }
    if (input.memberId === '') return this.#joinNewMember(input)
    return this.#joinKnownMember(input)
  }

  #supportsProtocols(input: JoinGroupInput): boolean {
    if (input.protocolType === '' || input.protocols.length === 0) return false
    if (this.members.size === 0) return true
    if (input.protocolType !== this.protocolType) return false
    return input.protocols.some((p) => this.#supportCount(p.name) === this.members.size)
  }

  #supportCount(protocolName: string): number {
    let count = 0
    for (const m of this.members.values()) if (m.protocols.some((p) => p.name === protocolName)) count++
    return count
  }

  #joinNewMember(input: JoinGroupInput): Promise<JoinGroupResult> {
    const memberId = this.settings.newMemberId(input.clientId)
    if (input.groupInstanceId !== null) {
      const existingId = this.staticMembers.get(input.groupInstanceId)
      if (existingId !== undefined) return this.#replaceStaticMember(existingId, memberId, input)
    }
    if (this.members.size + this.pendingMembers.size >= this.settings.maxSize) {
      return Promise.resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED))
    }
    if (input.groupInstanceId !== null) {
      // Static members skip the MEMBER_ID_REQUIRED round trip (KIP-345).
      return this.#addMemberAndRebalance(memberId, input)
    }
    if (input.requireKnownMemberId) {
      // KIP-394: the id is handed out first so that a client that times out can rejoin as the same member.
      this.pendingMembers.get(memberId)?.cancel()
      this.pendingMembers.set(
        memberId,
        this.clock.setTimeout(() => this.#expirePending(memberId), input.sessionTimeoutMs),
      )
      return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId))
    }
    return this.#addMemberAndRebalance(memberId, input)
  }

  #joinKnownMember(input: JoinGroupInput): Promise<JoinGroupResult> {
    const member = this.members.get(input.memberId)
    if (member === undefined) {
      if (this.pendingMembers.has(input.memberId)) return this.#addMemberAndRebalance(input.memberId, input)
      if (input.groupInstanceId !== null && this.staticMembers.has(input.groupInstanceId)) {
        return Promise.resolve(joinError(ErrorCode.FENCED_INSTANCE_ID, input.memberId))
      }
      return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId))
    }
    const fenced = this.#instanceFencing(input.memberId, input.groupInstanceId)
    if (fenced !== ErrorCode.NONE) return Promise.resolve(joinError(fenced, input.memberId))
    switch (this.state) {
      case ClassicGroupState.PreparingRebalance:
        return this.#awaitJoin(member, input)
      case ClassicGroupState.CompletingRebalance:
        if (sameProtocols(member.protocols, input.protocols)) {
          // The member missed our answer (a retry): send it again.
          this.#touch(member)
          return Promise.resolve(this.#joinResultFor(member))
        }
        this.#prepareRebalance()
        return this.#awaitJoin(member, input)
      case ClassicGroupState.Stable:
        if (member.memberId === this.leaderId || !sameProtocols(member.protocols, input.protocols)) {
          // The leader rejoining means it wants a new assignment (e.g. its metadata changed).
          this.#prepareRebalance()
          return this.#awaitJoin(member, input)
        }
        this.#touch(member)
        return Promise.resolve(this.#joinResultFor(member))
      default:
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId))
    }
  }

  /** FENCED_INSTANCE_ID when `groupInstanceId` belongs to another member id, else NONE. */
  #instanceFencing(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId === null) return ErrorCode.NONE
    const owner = this.staticMembers.get(groupInstanceId)
    if (owner !== undefined && owner !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    if (owner === undefined && this.members.has(memberId)) return ErrorCode.FENCED_INSTANCE_ID
    return ErrorCode.NONE
  }

  #updateMember(member: ClassicMember, input: JoinGroupInput): void {
    member.protocols = input.protocols.map((p) => ({ name: p.name, metadata: p.metadata }))
    member.sessionTimeoutMs = input.sessionTimeoutMs
    member.rebalanceTimeoutMs = input.rebalanceTimeoutMs
    member.clientId = input.clientId
    member.clientHost = input.clientHost
  }

  #awaitJoin(member: ClassicMember, input: JoinGroupInput): Promise<JoinGroupResult> {
    this.#updateMember(member, input)
    // A second JoinGroup replaces the first; the client has given up on the earlier answer.
    member.joinWaiter?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId))
    const result = new Promise<JoinGroupResult>((resolve) => {
      member.joinWaiter = resolve
    })
    // A member waiting for the join round is not expected to heartbeat.
    member.sessionTimer?.cancel()
    member.sessionTimer = undefined
    this.#maybeCompleteJoin()
    return result
  }

  #addMemberAndRebalance(memberId: string, input: JoinGroupInput): Promise<JoinGroupResult> {
    this.pendingMembers.get(memberId)?.cancel()
    this.pendingMembers.delete(memberId)
    if (this.members.size === 0 && this.protocolType !== input.protocolType) {
      this.protocolType = input.protocolType
      this.onProtocolTypeChange(this)
    }
    const member: ClassicMember = {
      memberId,
      groupInstanceId: input.groupInstanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      protocolType: input.protocolType,
      protocols: [],
      assignment: EMPTY,
      joinWaiter: undefined,
      syncWaiter: undefined,
      sessionTimer: undefined,
    }
    this.members.set(memberId, member)
    if (input.groupInstanceId !== null) this.staticMembers.set(input.groupInstanceId, memberId)
    this.leaderId ??= memberId
    this.onChange(memberId)
    this.#newMemberAdded = true
    if (this.state !== ClassicGroupState.PreparingRebalance) this.#prepareRebalance()
    return this.#awaitJoin(member, input)
  }

  /** A static member came back with a new member id: it takes the old one's place (KIP-345). */
  #replaceStaticMember(oldId: string, newId: string, input: JoinGroupInput): Promise<JoinGroupResult> {
    const member = this.members.get(oldId)
    assert(member !== undefined, 'static member map points at a member')
    member.joinWaiter?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldId))
    member.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID))
    member.joinWaiter = undefined
    member.syncWaiter = undefined
    this.members.delete(oldId)
    member.memberId = newId
    this.members.set(newId, member)
    this.staticMembers.set(input.groupInstanceId!, newId)
    if (this.leaderId === oldId) this.leaderId = newId
    this.onChange(oldId)
    this.onChange(newId)
    this.onChange(null)
    const protocolsChanged = !sameProtocols(member.protocols, input.protocols)
    switch (this.state) {
      case ClassicGroupState.Stable: {
        const isLeader = this.leaderId === newId
        if (!protocolsChanged && (!isLeader || input.supportsSkipAssignment)) {
          this.#updateMember(member, input)
          this.#touch(member)
          const result = this.#joinResultFor(member)
          // KIP-814: the leader gets the members but must not compute a new assignment.
          result.skipAssignment = isLeader
          return Promise.resolve(result)
        }
        this.#prepareRebalance()
        return this.#awaitJoin(member, input)
      }
      case ClassicGroupState.CompletingRebalance:
        this.#prepareRebalance()
        return this.#awaitJoin(member, input)
      default:
        return this.#awaitJoin(member, input)
    }
  }

  #joinResultFor(member: ClassicMember): JoinGroupResult {
    const isLeader = member.memberId === this.leaderId
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      skipAssignment: false,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
          }))
        : [],
    }
  }

  #rebalanceTimeoutMs(): number {
    let timeoutMs = 0
    for (const m of this.members.values()) timeoutMs = Math.max(timeoutMs, m.rebalanceTimeoutMs)
    return timeoutMs
  }

  #prepareRebalance(): void {
    if (this.state === ClassicGroupState.CompletingRebalance) {
      // Kafka answers members waiting in SyncGroup so they rejoin the new round.
      for (const m of this.members.values()) {
        m.assignment = EMPTY
        m.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
        m.syncWaiter = undefined
      }
    }
    const wasEmpty = this.state === ClassicGroupState.Empty
    this.state = ClassicGroupState.PreparingRebalance
    this.onChange(null)
    this.#joinTimer?.cancel()
    const rebalanceTimeoutMs = this.#rebalanceTimeoutMs()
    if (wasEmpty && this.settings.initialRebalanceDelayMs > 0) {
      this.#inInitialDelay = true
      this.#newMemberAdded = false
      const delayMs = Math.min(this.settings.initialRebalanceDelayMs, rebalanceTimeoutMs)
      this.#scheduleInitialDelay(delayMs, Math.max(rebalanceTimeoutMs - delayMs, 0))
    } else {
      this.#inInitialDelay = false
      this.#joinTimer = this.clock.setTimeout(() => this.#completeJoin(), rebalanceTimeoutMs)
    }
  }

  #scheduleInitialDelay(delayMs: number, remainingMs: number): void {
    this.#joinTimer = this.clock.setTimeout(() => {
      if (this.#newMemberAdded && remainingMs > 0) {
        this.#newMemberAdded = false
        const nextDelayMs = Math.min(this.settings.initialRebalanceDelayMs, remainingMs)
        this.#scheduleInitialDelay(nextDelayMs, Math.max(remainingMs - nextDelayMs, 0))
        return
      }
      this.#inInitialDelay = false
      this.#completeJoin()
    }, delayMs)
  }

  #maybeCompleteJoin(): void {
    if (this.state !== ClassicGroupState.PreparingRebalance || this.#inInitialDelay) return
    if (this.pendingMembers.size > 0) return
    for (const m of this.members.values()) if (m.joinWaiter === undefined) return
    this.#completeJoin()
  }

  /** Ends the join round: members that did not rejoin are dropped and the next generation starts. */
  #completeJoin(): void {
    if (this.state !== ClassicGroupState.PreparingRebalance) return
    this.#joinTimer?.cancel()
    this.#joinTimer = undefined
    this.#inInitialDelay = false
    for (const m of [...this.members.values()]) if (m.joinWaiter === undefined) this.#removeMember(m)
    this.generationId++
    this.onChange(null)
    for (const id of this.members.keys()) this.onChange(id)
    if (this.members.size === 0) {
      this.state = ClassicGroupState.Empty
      this.protocolName = null
      this.leaderId = null
      this.emptiedAtMs = this.clock.nowMs()
      return
    }
    this.protocolName = this.#selectProtocol()
    this.state = ClassicGroupState.CompletingRebalance
    if (this.leaderId === null || !this.members.has(this.leaderId))
      this.leaderId = this.members.keys().next().value!
    for (const m of this.members.values()) {
      const waiter = m.joinWaiter!
      m.joinWaiter = undefined
      this.#touch(m)
      waiter(this.#joinResultFor(m))
    }
  }

  /** The protocol every member supports that most members list first (ties: the leader's order). */
  #selectProtocol(): string {
    const all = [...this.members.values()]
    const leader = this.members.get(this.leaderId ?? '') ?? all[0]
    const candidates = leader.protocols
      .map((p) => p.name)
      .filter((name) => this.#supportCount(name) === all.length)
    assert(candidates.length > 0, 'joins are refused unless a protocol is common to all members')
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]))
    for (const m of all) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name
      votes.set(choice, votes.get(choice)! + 1)
    }
    let best = candidates[0]
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c
    return best
  }

  /** Restarts the member's session timer (or leaves it stopped while the member awaits a join round). */
  #touch(member: ClassicMember): void {
    member.sessionTimer?.cancel()
    member.sessionTimer = undefined
    if (member.joinWaiter !== undefined) return
    member.sessionTimer = this.clock.setTimeout(
      () => this.#expireMember(member.memberId),
      member.sessionTimeoutMs,
    )
  }

  #expireMember(memberId: string): void {
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.#removeMember(member)
    this.#afterMembersLeft()
  }

  #expirePending(memberId: string): void {
    if (!this.pendingMembers.delete(memberId)) return
    this.#maybeCompleteJoin()
  }

  #removeMember(member: ClassicMember): void {
    member.sessionTimer?.cancel()
    member.sessionTimer = undefined
    member.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
    member.syncWaiter?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    member.joinWaiter = undefined
    member.syncWaiter = undefined
    this.members.delete(member.memberId)
    if (
      member.groupInstanceId !== null &&
      this.staticMembers.get(member.groupInstanceId) === member.memberId
    ) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? null
    this.onChange(member.memberId)
    this.onChange(null)
  }

  #afterMembersLeft(): void {
    if (this.state === ClassicGroupState.Stable || this.state === ClassicGroupState.CompletingRebalance) {
      this.#prepareRebalance()
    }
    this.#maybeCompleteJoin()
  }

  /** Checks membership and generation for SyncGroup, Heartbeat and OffsetCommit; NONE when valid. */
  validateMember(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (groupInstanceId !== null) {
      const owner = this.staticMembers.get(groupInstanceId)
      if (owner !== undefined && owner !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    if (!this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION
    return ErrorCode.NONE
  }

  /** Handles SyncGroup; followers wait until the leader's assignments arrive. */
  sync(input: SyncGroupInput): Promise<SyncGroupResult> {
    if (this.state === ClassicGroupState.Dead)
      return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE))
    const error = this.validateMember(input.memberId, input.groupInstanceId, input.generationId)
    if (error !== ErrorCode.NONE) return Promise.resolve(syncError(error))
    if (
      (input.protocolType !== null && input.protocolType !== this.protocolType) ||
      (input.protocolName !== null && input.protocolName !== this.protocolName)
    ) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
    }
    const member = this.members.get(input.memberId)!
    switch (this.state) {
      case ClassicGroupState.Empty:
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
      case ClassicGroupState.PreparingRebalance:
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
      case ClassicGroupState.CompletingRebalance: {
        this.#touch(member)
        member.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
        const result = new Promise<SyncGroupResult>((resolve) => {
          member.syncWaiter = resolve
        })
        if (member.memberId === this.leaderId) {
          const byMember = new Map(input.assignments.map((a) => [a.memberId, a.assignment]))
          for (const m of this.members.values()) {
            m.assignment = byMember.get(m.memberId) ?? EMPTY
            this.onChange(m.memberId)
          }
          this.state = ClassicGroupState.Stable
          this.onChange(null)
          for (const m of this.members.values()) {
            const waiter = m.syncWaiter
            m.syncWaiter = undefined
            waiter?.(this.#syncResultFor(m))
          }
        }
        return result
      }
      default:
        this.#touch(member)
        return Promise.resolve(this.#syncResultFor(member))
    }
  }

  #syncResultFor(member: ClassicMember): SyncGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      assignment: member.assignment,
    }
  }

  /** Handles Heartbeat; returns a Kafka error code. */
  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === ClassicGroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (this.state === ClassicGroupState.Empty) return ErrorCode.UNKNOWN_MEMBER_ID
    const error = this.validateMember(memberId, groupInstanceId, generationId)
    if (error !== ErrorCode.NONE) return error
    this.#touch(this.members.get(memberId)!)
    return this.state === ClassicGroupState.PreparingRebalance
      ? ErrorCode.REBALANCE_IN_PROGRESS
      : ErrorCode.NONE
  }

  /** Handles LeaveGroup for a batch of members; returns one error code per entry, in order. */
  leave(members: readonly { memberId: string; groupInstanceId: string | null }[]): number[] {
    const errors: number[] = []
    let removed = false
    for (const { memberId, groupInstanceId } of members) {
      if (groupInstanceId !== null) {
        const owner = this.staticMembers.get(groupInstanceId)
        if (owner === undefined) {
          errors.push(ErrorCode.UNKNOWN_MEMBER_ID)
        } else if (memberId !== '' && memberId !== owner) {
          errors.push(ErrorCode.FENCED_INSTANCE_ID)
        } else {
          this.#removeMember(this.members.get(owner)!)
          removed = true
          errors.push(ErrorCode.NONE)
        }
        continue
      }
      const pending = this.pendingMembers.get(memberId)
      if (pending !== undefined) {
        pending.cancel()
        this.pendingMembers.delete(memberId)
        removed = true
        errors.push(ErrorCode.NONE)
        continue
      }
      const member = this.members.get(memberId)
      if (member === undefined) {
        errors.push(ErrorCode.UNKNOWN_MEMBER_ID)
        continue
      }
      this.#removeMember(member)
      removed = true
      errors.push(ErrorCode.NONE)
    }
    if (removed) this.#afterMembersLeft()
    return errors
  }

  /** Topics the members subscribe to, read from "consumer" protocol metadata; undefined if unknown. */
  subscribedTopics(): Set<string> | undefined {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return undefined
    const topics = new Set<string>()
    for (const m of this.members.values()) {
      const metadata = m.protocols.find((p) => p.name === this.protocolName)?.metadata
      if (metadata === undefined) continue
      const parsed = parseSubscriptionTopics(metadata)
      if (parsed === undefined) return undefined
      for (const t of parsed) topics.add(t)
    }
    return topics
  }

  /** The group-level state that survives a restart. */
  exportState(): ClassicGroupSaved {
    return {
      generationId: this.generationId,
      protocolName: this.protocolName,
      leaderId: this.leaderId,
      state: this.state === ClassicGroupState.Dead ? ClassicGroupState.Empty : this.state,
    }
  }

  /** One member as it survives a restart, or undefined when it is not a member. */
  exportMember(memberId: string): ClassicMemberSaved | undefined {
    const m = this.members.get(memberId)
    if (m === undefined) return undefined
    return {
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      protocolType: m.protocolType,
      protocols: m.protocols.map((p) => [p.name, p.metadata.toString('base64')]),
      assignment: m.assignment.toString('base64'),
    }
  }

  /**
   * Resumes the group as exported before a restart: members keep their ids, generation and assignment,
   * and their session timers start now. A rebalance in progress goes on (members that do not rejoin
   * within the rebalance timeout are dropped). Throws on a malformed state; the caller starts afresh.
   */
  restore(
    saved: Readonly<Record<string, unknown>>,
    members: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  ): void {
    const state = saved as unknown as ClassicGroupSaved
    const states: readonly string[] = [
      ClassicGroupState.Empty,
      ClassicGroupState.PreparingRebalance,
      ClassicGroupState.CompletingRebalance,
      ClassicGroupState.Stable,
    ]
    assert(Number.isSafeInteger(state.generationId) && states.includes(state.state), 'saved classic group')
    for (const [memberId, value] of members) {
      const m = value as unknown as ClassicMemberSaved
      assert(Array.isArray(m.protocols) && typeof m.assignment === 'string', 'saved classic member')
      this.members.set(memberId, {
        memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocolType: m.protocolType,
        protocols: m.protocols.map(([name, metadata]) => ({
          name,
          metadata: Buffer.from(metadata, 'base64'),
        })),
        assignment: Buffer.from(m.assignment, 'base64'),
        joinWaiter: undefined,
        syncWaiter: undefined,
        sessionTimer: undefined,
      })
      if (m.groupInstanceId !== null) this.staticMembers.set(m.groupInstanceId, memberId)
    }
    this.generationId = state.generationId
    this.protocolName = state.protocolName
    this.leaderId = state.leaderId !== null && this.members.has(state.leaderId) ? state.leaderId : null
    if (this.members.size === 0) {
      this.state = ClassicGroupState.Empty
      return
    }
    this.leaderId ??= this.members.keys().next().value!
    if (state.state === ClassicGroupState.PreparingRebalance || state.state === ClassicGroupState.Empty) {
      // Members rejoin (their heartbeats answer REBALANCE_IN_PROGRESS); the round ends at the timeout.
      this.state = ClassicGroupState.PreparingRebalance
      this.#joinTimer = this.clock.setTimeout(() => this.#completeJoin(), this.#rebalanceTimeoutMs())
      return
    }
    this.state = state.state as ClassicGroupStateName
    for (const m of this.members.values()) this.#touch(m)
  }

  /** Stops every timer and answers waiting members with NOT_COORDINATOR; the group becomes Dead. */
  shutdown(errorCode: number = ErrorCode.NOT_COORDINATOR): void {
    this.#joinTimer?.cancel()
    for (const t of this.pendingMembers.values()) t.cancel()
    this.pendingMembers.clear()
    for (const m of this.members.values()) {
      m.sessionTimer?.cancel()
      m.joinWaiter?.(joinError(errorCode, m.memberId))
      m.syncWaiter?.(syncError(errorCode))
      m.joinWaiter = undefined
      m.syncWaiter = undefined
    }
    this.state = ClassicGroupState.Dead
  }
}

/**
 * Topic names in a ConsumerProtocolSubscription (int16 version, then an int32-counted array of int16
 * length-prefixed strings); undefined when the bytes do not parse.
 */
export function parseSubscriptionTopics(metadata: Buffer): string[] | undefined {
  try {
    let position = 2
    const count = metadata.readInt32BE(position)
    position += 4
    if (count < 0 || count > 100_000) return undefined
    const topics: string[] = []
    for (let i = 0; i < count; i++) {
      const length = metadata.readInt16BE(position)
      position += 2
      if (length < 0 || position + length > metadata.length) return undefined
      topics.push(metadata.toString('utf8', position, position + length))
      position += length
    }
    return topics
  } catch {
    return undefined
  }
}
