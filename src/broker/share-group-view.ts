// A read-only view of queues (share groups) from the broker's own state, for what the Kafka protocol does
// not carry: records in flight and who holds them, delivery counts, available depth. Served as JSON on the
// HTTP port of `brook start` (`/api/share-groups/<id>`) and read by /metrics; never opens or changes state.
import type { DurableSharePartition, RecordState, SharePartition } from '../share-partitions/index.js'
import type { BrokerContext } from './broker-context.js'

/** Most runs (ranges of records in one state) one partition's view lists; the counts cover them all. */
export const SHARE_VIEW_RUNS_MAX = 1000

/** A run of consecutive records in one state, inclusive ends. */
export interface ShareRunView {
  readonly firstOffset: number
  readonly lastOffset: number
  readonly state: RecordState
  readonly deliveryCount: number
  /** The member holding an ACQUIRED run (when its share-partition is open), else null. */
  readonly memberId: string | null
  /** An AVAILABLE run delayed for redelivery is not handed out before this wall-clock time; else 0. */
  readonly availableAtMs: number
}

/** One share-partition. Counts are records; the window is [startOffset, endOffset). */
export interface SharePartitionView {
  readonly topic: string
  readonly partition: number
  /** First record not yet acknowledged or archived (Kafka's share-partition start offset). */
  readonly startOffset: number
  /** Records from here on were never delivered. */
  readonly endOffset: number
  readonly highWatermark: number
  /** Records at or past the start not yet acknowledged or archived (as DescribeShareGroupOffsets v1). */
  readonly lag: number
  /** Records waiting to be delivered: AVAILABLE in the window plus those never delivered yet. */
  readonly available: number
  /** Records ACQUIRED by a consumer and not yet acknowledged. */
  readonly inFlight: number
  readonly acknowledged: number
  readonly archived: number
  /** Records available again or in flight, by how often they were delivered (keys are counts >= 1). */
  readonly deliveryCounts: Readonly<Record<string, number>>
  readonly runs: readonly ShareRunView[]
  /** Runs left out beyond SHARE_VIEW_RUNS_MAX. */
  readonly runsOmitted: number
}

export interface ShareGroupView {
  readonly groupId: string
  /** 'Stable' (members) or 'Empty'. */
  readonly state: string
  readonly members: number
  /** The group's `errors.deadletterqueue.topic.name`, or null when none is set. */
  readonly deadLetterTopic: string | null
  readonly partitions: readonly SharePartitionView[]
}

const upper: Record<string, RecordState> = {
  available: 'AVAILABLE',
  acquired: 'ACQUIRED',
  acknowledged: 'ACKNOWLEDGED',
  archived: 'ARCHIVED',
}

async function partitionView(
  broker: BrokerContext,
  topic: string,
  partition: number,
  stored: DurableSharePartition,
  open: SharePartition | undefined,
  withRuns: boolean,
): Promise<SharePartitionView> {
  const log = await broker.partitions.log(topic, partition)
  const ranges = stored.ranges
  const highWatermark = log?.highWatermark ?? ranges.endOffset
  const counts = { AVAILABLE: 0, ACQUIRED: 0, ACKNOWLEDGED: 0, ARCHIVED: 0 }
  const deliveryCounts: Record<string, number> = {}
  const runs: ShareRunView[] = []
  let runsOmitted = 0
  for (const range of ranges.ranges()) {
    const state = upper[range.value.state]
    const size = range.lastOffset - range.firstOffset + 1
    counts[state] += size
    if ((state === 'AVAILABLE' || state === 'ACQUIRED') && range.value.deliveryCount > 0) {
      const key = String(range.value.deliveryCount)
      deliveryCounts[key] = (deliveryCounts[key] ?? 0) + size
    }
    if (!withRuns) continue
    if (runs.length >= SHARE_VIEW_RUNS_MAX) {
      runsOmitted++
      continue
    }
    runs.push({
      firstOffset: range.firstOffset,
      lastOffset: range.lastOffset,
      state,
      deliveryCount: range.value.deliveryCount,
      memberId: state === 'ACQUIRED' ? (open?.stateOf(range.firstOffset)?.memberId ?? null) : null,
      availableAtMs: state === 'AVAILABLE' ? (range.value.availableAtMs ?? 0) : 0,
    })
  }
  const neverDelivered = Math.max(0, highWatermark - ranges.endOffset)
  return {
    topic,
    partition,
    startOffset: ranges.startOffset,
    endOffset: ranges.endOffset,
    highWatermark,
    lag: Math.max(0, highWatermark - ranges.startOffset - counts.ACKNOWLEDGED - counts.ARCHIVED),
    available: counts.AVAILABLE + neverDelivered,
    inFlight: counts.ACQUIRED,
    acknowledged: counts.ACKNOWLEDGED,
    archived: counts.ARCHIVED,
    deliveryCounts,
    runs,
    runsOmitted,
  }
}

/**
 * Every share group the broker knows (members or stored state), up to `groupsMax` in id order, with
 * runs listed only when `withRuns`.
 */
export async function shareGroupViews(
  broker: BrokerContext,
  options: { groupsMax: number; withRuns: boolean; groupId?: string },
): Promise<ShareGroupView[]> {
  const { shares, topics } = broker
  const states = shares.sharePartitionStates()
  const ids =
    options.groupId !== undefined
      ? [options.groupId]
      : [...new Set([...shares.groupIds(), ...states.keys()])].sort()
  const views: ShareGroupView[] = []
  for (const groupId of ids.slice(0, options.groupsMax)) {
    const group = shares.group(groupId)
    const entries = states.get(groupId) ?? []
    if (group === undefined && entries.length === 0) continue
    const partitions: SharePartitionView[] = []
    for (const { key, stored, open } of entries) {
      const name = topics.topicById(key.topicId)?.name
      if (name === undefined) continue
      partitions.push(await partitionView(broker, name, key.partition, stored, open, options.withRuns))
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    const deadLetterTopic = shares.groupConfig(groupId, 'errors.deadletterqueue.topic.name')
    views.push({
      groupId,
      state: group?.state ?? 'Empty',
      members: group?.members.size ?? 0,
      deadLetterTopic: deadLetterTopic === '' ? null : deadLetterTopic,
      partitions,
    })
  }
  return views
}

/** One share group's view with its runs, or undefined when the broker knows no such group. */
export async function shareGroupView(
  broker: BrokerContext,
  groupId: string,
): Promise<ShareGroupView | undefined> {
  const [view] = await shareGroupViews(broker, { groupsMax: 1, withRuns: true, groupId })
  return view
}
