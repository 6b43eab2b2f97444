// Shared set-up for the groups tests (a harness: no tests of its own): a coordinator on a simulated clock and file
// system, deterministic member ids, and helpers that drive the classic protocol and watch pending answers.
import { silentLogger } from '../core/index.js'
import { SeededRandom, SimClock, SimFileSystem } from '../testing/index.js'
import type { JoinGroupInput, SyncGroupInput } from './classic-group.js'
import { GroupCoordinator } from './group-coordinator.js'
import type { GroupCoordinatorOptions } from './group-types.js'
import { staticTopicLookup } from './topic-lookup.js'

export const DIR = '/data/__groups'

/** A promise whose state tests can read without awaiting it. */
export interface Watched<T> {
  readonly settled: boolean
  readonly value: T | undefined
  readonly promise: Promise<T>
}

export function watch<T>(promise: Promise<T>): Watched<T> {
  const w = { settled: false, value: undefined as T | undefined, promise }
  promise.then((v) => {
    w.settled = true
    w.value = v
  })
  return w
}

/** Lets pending promise callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export const partitionCounts: Record<string, number> = { orders: 6, payments: 3, audit: 1 }

export async function openCoordinator(
  overrides: Partial<GroupCoordinatorOptions> = {},
  fs: SimFileSystem = new SimFileSystem(),
  clock: SimClock = new SimClock(),
) {
  let next = 0
  const coordinator = await GroupCoordinator.open({
    fs,
    clock,
    dir: DIR,
    logger: silentLogger,
    topics: staticTopicLookup(partitionCounts),
    random: new SeededRandom(7),
    initialRebalanceDelayMs: 0,
    newClassicMemberId: (clientId) => `${clientId}-${++next}`,
    newConsumerMemberId: () => `member-${++next}`,
    ...overrides,
  })
  return { coordinator, fs, clock }
}

/** A consumer-protocol subscription (version 0) naming `topics`. */
export function subscription(topics: readonly string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)]
  parts[1].writeInt32BE(topics.length)
  for (const t of topics) {
    const length = Buffer.alloc(2)
    length.writeInt16BE(Buffer.byteLength(t))
    parts.push(length, Buffer.from(t))
  }
  parts.push(Buffer.alloc(4)) // user data: null is -1, empty is 0; either is fine here
  return Buffer.concat(parts)
}

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    clientId: 'c',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    supportsSkipAssignment: false,
    ...overrides,
  }
}

export function syncInput(overrides: Partial<SyncGroupInput> = {}): SyncGroupInput {
  return {
    groupId: 'g',
    generationId: 1,
    memberId: '',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...overrides,
  }
}
