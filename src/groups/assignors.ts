// Server-side partition assignors of KIP-848 groups: `uniform` (balanced, sticky) and `range` (per topic,
// contiguous ranges in member order). Pure functions from members and topics to a target assignment.

/** A member as an assignor sees it: its subscription and what it is assigned now. */
export interface AssignorMember {
  readonly memberId: string
  /** Topic names the member subscribes to (already resolved from a regex when one is used). */
  readonly subscribedTopics: ReadonlySet<string>
  /** The member's current target assignment, by topic name; used to keep partitions where they are. */
  readonly current: ReadonlyMap<string, readonly number[]>
}

/** Target assignment: member id -> topic name -> sorted partition indexes. */
export type TargetAssignment = Map<string, Map<string, number[]>>

/** An assignor computes a target for every member from partition counts by topic name. */
export type Assignor = (
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
) => TargetAssignment

/** Names accepted in ConsumerGroupHeartbeat's ServerAssignor; the first is the default. */
export const ASSIGNOR_NAMES = ['uniform', 'range'] as const
export type AssignorName = (typeof ASSIGNOR_NAMES)[number]

function emptyTarget(members: readonly AssignorMember[]): TargetAssignment {
  const target: TargetAssignment = new Map()
  for (const m of [...members].sort(byMemberId)) target.set(m.memberId, new Map())
  return target
}

function byMemberId(a: AssignorMember, b: AssignorMember): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

function add(target: TargetAssignment, memberId: string, topic: string, partition: number): void {
  const topics = target.get(memberId)!
  let partitions = topics.get(topic)
  if (partitions === undefined) topics.set(topic, (partitions = []))
  partitions.push(partition)
}

function sortAll(target: TargetAssignment): TargetAssignment {
  for (const topics of target.values())
    for (const partitions of topics.values()) partitions.sort((a, b) => a - b)
  return target
}

/**
 * Range: for each topic, its subscribers in member-id order get contiguous ranges; the first
 * `partitions % subscribers` get one extra. Deterministic and not sticky, like Kafka's range assignor.
 */
export const rangeAssignor: Assignor = (members, partitionCounts) => {
  const target = emptyTarget(members)
  const sorted = [...members].sort(byMemberId)
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subscribers = sorted.filter((m) => m.subscribedTopics.has(topic))
    if (subscribers.length === 0) continue
    const base = Math.floor(count / subscribers.length)
    const extra = count % subscribers.length
    let next = 0
    subscribers.forEach((m, i) => {
      const quota = base + (i < extra ? 1 : 0)
      for (let k = 0; k < quota; k++) add(target, m.memberId, topic, next++)
    })
  }
  return sortAll(target)
}

/**
 * Uniform: every partition of every subscribed topic goes to one of its subscribers so that member
 * loads differ as little as possible, keeping partitions with their current owner where that stays
 * balanced (so a rebalance moves few partitions).
 */
export const uniformAssignor: Assignor = (members, partitionCounts) => {
  const target = emptyTarget(members)
  const sorted = [...members].sort(byMemberId)
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]))
  // Fair share: each member's quota is the number of partitions it could take if spread evenly among
  // the members that subscribe to the same topics. With identical subscriptions this is exact.
  const subscribersOf = new Map<string, AssignorMember[]>()
  const unassigned: [string, number][] = []
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subscribers = sorted.filter((m) => m.subscribedTopics.has(topic))
    if (subscribers.length === 0) continue
    subscribersOf.set(topic, subscribers)
    for (let p = 0; p < count; p++) unassigned.push([topic, p])
  }
  const quota = new Map<string, number>()
  for (const m of sorted) {
    let share = 0
    for (const [topic, subscribers] of subscribersOf) {
      if (m.subscribedTopics.has(topic)) share += partitionCounts.get(topic)! / subscribers.length
    }
    quota.set(m.memberId, Math.ceil(share))
  }
  // Keep current owners first, up to their quota.
  const taken = new Set<string>()
  for (const m of sorted) {
    for (const [topic, partitions] of m.current) {
      const count = partitionCounts.get(topic)
      if (count === undefined || !m.subscribedTopics.has(topic)) continue
      for (const p of partitions) {
        const key = `${p}:${topic}`
        if (p >= count || taken.has(key) || load.get(m.memberId)! >= quota.get(m.memberId)!) continue
        taken.add(key)
        add(target, m.memberId, topic, p)
        load.set(m.memberId, load.get(m.memberId)! + 1)
      }
    }
  }
  // Then give every remaining partition to its least-loaded subscriber.
  for (const [topic, p] of unassigned) {
    if (taken.has(`${p}:${topic}`)) continue
    let best: AssignorMember | undefined
    for (const m of subscribersOf.get(topic)!) {
      if (best === undefined || load.get(m.memberId)! < load.get(best.memberId)!) best = m
    }
    add(target, best!.memberId, topic, p)
    load.set(best!.memberId, load.get(best!.memberId)! + 1)
  }
  // Sticky quotas can leave loads apart by more than one when subscriptions are identical; even them out.
  rebalanceLoads(target, sorted, load)
  return sortAll(target)
}

function rebalanceLoads(
  target: TargetAssignment,
  members: readonly AssignorMember[],
  load: Map<string, number>,
): void {
  for (;;) {
    let most: AssignorMember | undefined
    let least: AssignorMember | undefined
    for (const m of members) {
      if (most === undefined || load.get(m.memberId)! > load.get(most.memberId)!) most = m
      if (least === undefined || load.get(m.memberId)! < load.get(least.memberId)!) least = m
    }
    if (most === undefined || least === undefined) return
    if (load.get(most.memberId)! - load.get(least.memberId)! <= 1) return
    let moved = false
    for (const [topic, partitions] of target.get(most.memberId)!) {
      if (!least.subscribedTopics.has(topic) || partitions.length === 0) continue
      const p = partitions.pop()!
      add(target, least.memberId, topic, p)
      load.set(most.memberId, load.get(most.memberId)! - 1)
      load.set(least.memberId, load.get(least.memberId)! + 1)
      moved = true
      break
    }
    if (!moved) return
  }
}

/** The assignor for a name, or undefined if the name is not supported. */
export function assignorByName(name: string): Assignor | undefined {
  if (name === 'uniform') return uniformAssignor
  if (name === 'range') return rangeAssignor
  return undefined
}
