// Share-partition state machine as tables of events on a simulated clock (#8): acquisition, the four
// acknowledge outcomes, lock expiry, the delivery count limit, the in-flight limit, bad acknowledgements,
// and what a restart brings back.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { SimClock, SimShareStateSink } from '../testing/index.js'
import { AcknowledgeType, SharePartition, type SharePartitionSettings } from './index.js'

const { GAP, ACCEPT, RELEASE, REJECT, RENEW } = AcknowledgeType
const key = { groupId: 'g', topicId: 't', partition: 0 }

type Event =
  | { acquire: string; max: number; logEnd: number; expect: [number, number, number][] }
  | { ack: string; batches: [number, number, number[]][]; error?: number; renew?: false }
  | { advanceMs: number }
  | { release: string }
  | { logStart: number }
  | { restart: true }
  | { expectState: [number, string, number, string | null] }
  | { expectStart: number; expectEnd?: number }

interface Case {
  name: string
  settings?: Partial<{ lockMs: number; limit: number; locksMax: number }>
  startOffset?: number
  events: Event[]
}

function settingsOf(overrides: Case['settings'] = {}): SharePartitionSettings {
  return {
    recordLockDurationMs: () => overrides.lockMs ?? 30_000,
    deliveryCountLimit: () => overrides.limit ?? 5,
    recordLocksMax: () => overrides.locksMax ?? 2000,
  }
}

function run(testCase: Case): void {
  const clock = new SimClock()
  const sink = new SimShareStateSink()
  sink.autoSync = true
  const settings = settingsOf(testCase.settings)
  let partition = SharePartition.create({
    key,
    clock,
    settings,
    sink,
    startOffset: testCase.startOffset ?? 0,
  }).partition
  testCase.events.forEach((event, step) => {
    const where = `${testCase.name}, step ${step}: ${JSON.stringify(event)}`
    if ('acquire' in event) {
      const { acquired } = partition.acquire(event.acquire, event.max, event.logEnd)
      const got = acquired.map((a) => [a.firstOffset, a.lastOffset, a.deliveryCount])
      assert.deepEqual(got, event.expect, where)
    } else if ('ack' in event) {
      const batches = event.batches.map(([firstOffset, lastOffset, acknowledgeTypes]) => ({
        firstOffset,
        lastOffset,
        acknowledgeTypes,
      }))
      const result = partition.acknowledge(event.ack, batches, event.renew ?? true)
      assert.equal(result.errorCode, event.error ?? ErrorCode.NONE, `${where}: ${result.errorMessage}`)
    } else if ('advanceMs' in event) {
      clock.advance(event.advanceMs)
    } else if ('release' in event) {
      void partition.releaseMember(event.release)
    } else if ('logStart' in event) {
      void partition.advanceLogStart(event.logStart)
    } else if ('restart' in event) {
      partition.close()
      const stored = sink.replay().partitions.values().next().value
      assert.ok(stored !== undefined, where)
      partition = SharePartition.restore({ key, clock, settings, sink, durable: stored.state })
    } else if ('expectState' in event) {
      const [offset, state, deliveryCount, memberId] = event.expectState
      assert.deepEqual(partition.stateOf(offset), { state, deliveryCount, memberId }, where)
    } else {
      assert.equal(partition.startOffset, event.expectStart, where)
      if (event.expectEnd !== undefined) assert.equal(partition.endOffset, event.expectEnd, where)
    }
    partition.checkInvariants()
  })
  partition.close()
}

const cases: Case[] = [
  {
    name: 'acquires new records up to max and the log end, each delivered once',
    events: [
      { acquire: 'a', max: 3, logEnd: 10, expect: [[0, 2, 1]] },
      { acquire: 'b', max: 100, logEnd: 10, expect: [[3, 9, 1]] },
      { acquire: 'c', max: 100, logEnd: 10, expect: [] },
      { expectState: [4, 'ACQUIRED', 1, 'b'] },
      { expectStart: 0, expectEnd: 10 },
    ],
  },
  {
    name: 'accept moves the start offset over the leading done records',
    events: [
      { acquire: 'a', max: 5, logEnd: 5, expect: [[0, 4, 1]] },
      { ack: 'a', batches: [[1, 2, [ACCEPT]]] },
      { expectStart: 0 },
      { ack: 'a', batches: [[0, 0, [ACCEPT]]] },
      { expectStart: 3, expectEnd: 5 },
      { ack: 'a', batches: [[3, 4, [ACCEPT, REJECT]]] },
      { expectStart: 5, expectEnd: 5 },
    ],
  },
  {
    name: 'release makes records available again with the delivery count kept',
    events: [
      { acquire: 'a', max: 4, logEnd: 4, expect: [[0, 3, 1]] },
      { ack: 'a', batches: [[0, 3, [ACCEPT, RELEASE, RELEASE, ACCEPT]]] },
      { expectStart: 1 },
      { expectState: [1, 'AVAILABLE', 1, null] },
      { acquire: 'b', max: 10, logEnd: 4, expect: [[1, 2, 2]] },
      { ack: 'b', batches: [[1, 2, [ACCEPT]]] },
      { expectStart: 4 },
    ],
  },
  {
    name: 'reject and gap archive: never delivered again',
    events: [
      { acquire: 'a', max: 3, logEnd: 3, expect: [[0, 2, 1]] },
      { ack: 'a', batches: [[0, 2, [REJECT, GAP, REJECT]]] },
      { expectStart: 3, expectEnd: 3 },
      { acquire: 'a', max: 3, logEnd: 3, expect: [] },
    ],
  },
  {
    name: 'an expired lock makes records available; the late acknowledgement is INVALID_RECORD_STATE',
    settings: { lockMs: 1000 },
    events: [
      { acquire: 'a', max: 2, logEnd: 2, expect: [[0, 1, 1]] },
      { advanceMs: 999 },
      { expectState: [0, 'ACQUIRED', 1, 'a'] },
      { advanceMs: 1 },
      { expectState: [0, 'AVAILABLE', 1, null] },
      { ack: 'a', batches: [[0, 1, [ACCEPT]]], error: ErrorCode.INVALID_RECORD_STATE },
      { acquire: 'b', max: 5, logEnd: 2, expect: [[0, 1, 2]] },
      { ack: 'b', batches: [[0, 1, [ACCEPT]]] },
      { expectStart: 2 },
    ],
  },
  {
    name: 'locks of later acquisitions expire at their own deadlines',
    settings: { lockMs: 1000 },
    events: [
      { acquire: 'a', max: 1, logEnd: 3, expect: [[0, 0, 1]] },
      { advanceMs: 500 },
      { acquire: 'b', max: 1, logEnd: 3, expect: [[1, 1, 1]] },
      { advanceMs: 500 },
      { expectState: [0, 'AVAILABLE', 1, null] },
      { expectState: [1, 'ACQUIRED', 1, 'b'] },
      { advanceMs: 500 },
      { expectState: [1, 'AVAILABLE', 1, null] },
    ],
  },
  {
    name: 'renew extends the lock (v2); before v2 it is INVALID_REQUEST',
    settings: { lockMs: 1000 },
    events: [
      { acquire: 'a', max: 1, logEnd: 1, expect: [[0, 0, 1]] },
      { ack: 'a', batches: [[0, 0, [RENEW]]], renew: false, error: ErrorCode.INVALID_REQUEST },
      { advanceMs: 800 },
      { ack: 'a', batches: [[0, 0, [RENEW]]] },
      { advanceMs: 800 },
      { expectState: [0, 'ACQUIRED', 1, 'a'] },
      { advanceMs: 200 },
      { expectState: [0, 'AVAILABLE', 1, null] },
    ],
  },
  {
    name: 'records reaching the delivery count limit are archived instead of released',
    settings: { lockMs: 100, limit: 2 },
    events: [
      { acquire: 'a', max: 2, logEnd: 2, expect: [[0, 1, 1]] },
      { ack: 'a', batches: [[0, 1, [RELEASE]]] },
      { acquire: 'a', max: 2, logEnd: 2, expect: [[0, 1, 2]] },
      { ack: 'a', batches: [[0, 0, [RELEASE]]] },
      { expectState: [1, 'ACQUIRED', 2, 'a'] },
      { expectStart: 1 },
      { advanceMs: 100 },
      { expectStart: 2, expectEnd: 2 },
      { acquire: 'b', max: 2, logEnd: 2, expect: [] },
    ],
  },
  {
    name: 'the in-flight window stops at group.share.partition.max.record.locks from the start',
    settings: { locksMax: 3 },
    events: [
      { acquire: 'a', max: 10, logEnd: 10, expect: [[0, 2, 1]] },
      { acquire: 'b', max: 10, logEnd: 10, expect: [] },
      { ack: 'a', batches: [[1, 2, [ACCEPT]]] },
      { acquire: 'b', max: 10, logEnd: 10, expect: [] },
      { ack: 'a', batches: [[0, 0, [ACCEPT]]] },
      { acquire: 'b', max: 10, logEnd: 10, expect: [[3, 5, 1]] },
    ],
  },
  {
    name: 'available gaps are acquired first, lowest offset first, then new records',
    events: [
      { acquire: 'a', max: 6, logEnd: 8, expect: [[0, 5, 1]] },
      { ack: 'a', batches: [[0, 5, [ACCEPT, RELEASE, ACCEPT, RELEASE, RELEASE, ACCEPT]]] },
      {
        acquire: 'b',
        max: 5,
        logEnd: 8,
        expect: [
          [1, 1, 2],
          [3, 4, 2],
          [6, 7, 1],
        ],
      },
    ],
  },
  {
    name: 'acknowledging another member’s records is INVALID_RECORD_STATE and changes nothing',
    events: [
      { acquire: 'a', max: 2, logEnd: 4, expect: [[0, 1, 1]] },
      { acquire: 'b', max: 2, logEnd: 4, expect: [[2, 3, 1]] },
      {
        ack: 'b',
        batches: [
          [2, 3, [ACCEPT]],
          [1, 1, [ACCEPT]],
        ],
        error: ErrorCode.INVALID_REQUEST,
      },
      { ack: 'b', batches: [[1, 2, [ACCEPT]]], error: ErrorCode.INVALID_RECORD_STATE },
      { expectState: [2, 'ACQUIRED', 1, 'b'] },
      { ack: 'a', batches: [[0, 1, [ACCEPT]]] },
      { ack: 'a', batches: [[0, 1, [ACCEPT]]], error: ErrorCode.INVALID_RECORD_STATE },
    ],
  },
  {
    name: 'malformed acknowledgements are INVALID_REQUEST and change nothing',
    events: [
      { acquire: 'a', max: 4, logEnd: 4, expect: [[0, 3, 1]] },
      { ack: 'a', batches: [[2, 1, [ACCEPT]]], error: ErrorCode.INVALID_REQUEST },
      { ack: 'a', batches: [[0, 3, [ACCEPT, ACCEPT]]], error: ErrorCode.INVALID_REQUEST },
      { ack: 'a', batches: [[0, 0, [9]]], error: ErrorCode.INVALID_REQUEST },
      {
        ack: 'a',
        batches: [
          [0, 1, [ACCEPT]],
          [1, 2, [ACCEPT]],
        ],
        error: ErrorCode.INVALID_REQUEST,
      },
      {
        ack: 'a',
        batches: [
          [0, 0, [ACCEPT]],
          [3, 4, [ACCEPT]],
        ],
        error: ErrorCode.INVALID_REQUEST,
      },
      { expectState: [0, 'ACQUIRED', 1, 'a'] },
      { expectStart: 0, expectEnd: 4 },
    ],
  },
  {
    name: 'a member leaving releases what it holds; others keep theirs',
    events: [
      { acquire: 'a', max: 2, logEnd: 4, expect: [[0, 1, 1]] },
      { acquire: 'b', max: 2, logEnd: 4, expect: [[2, 3, 1]] },
      { release: 'a' },
      { expectState: [0, 'AVAILABLE', 1, null] },
      { expectState: [2, 'ACQUIRED', 1, 'b'] },
    ],
  },
  {
    name: 'the log start moving past the window archives what it passes, acquired or not',
    events: [
      { acquire: 'a', max: 4, logEnd: 10, expect: [[0, 3, 1]] },
      { logStart: 2 },
      { expectStart: 2, expectEnd: 4 },
      { ack: 'a', batches: [[0, 3, [ACCEPT]]], error: ErrorCode.INVALID_RECORD_STATE },
      { ack: 'a', batches: [[2, 3, [ACCEPT]]] },
      { logStart: 7 },
      { expectStart: 7, expectEnd: 7 },
      { acquire: 'a', max: 100, logEnd: 10, expect: [[7, 9, 1]] },
    ],
  },
  {
    name: 'a share-partition created at the latest offset delivers only later records',
    startOffset: 5,
    events: [
      { acquire: 'a', max: 100, logEnd: 5, expect: [] },
      { acquire: 'a', max: 100, logEnd: 7, expect: [[5, 6, 1]] },
    ],
  },
  {
    name: 'after a restart: accepted and rejected stay done, acquired come back with their count',
    settings: { limit: 3 },
    events: [
      { acquire: 'a', max: 6, logEnd: 6, expect: [[0, 5, 1]] },
      { ack: 'a', batches: [[0, 2, [ACCEPT, REJECT, RELEASE]]] },
      { acquire: 'b', max: 1, logEnd: 6, expect: [[2, 2, 2]] },
      { restart: true },
      { expectStart: 2, expectEnd: 6 },
      { expectState: [2, 'AVAILABLE', 2, null] },
      { expectState: [3, 'AVAILABLE', 1, null] },
      {
        acquire: 'c',
        max: 10,
        logEnd: 6,
        expect: [
          [2, 2, 3],
          [3, 5, 2],
        ],
      },
      { restart: true },
      { expectStart: 3, expectEnd: 6 },
    ],
  },
]

describe('share-partition state machine (#8)', () => {
  for (const testCase of cases) it(testCase.name, () => run(testCase))

  it('keeps one range per run of equal state, not one entry per record (#8)', () => {
    const clock = new SimClock()
    const sink = new SimShareStateSink()
    sink.autoSync = true
    const { partition } = SharePartition.create({ key, clock, settings: settingsOf(), sink, startOffset: 0 })
    partition.acquire('a', 1000, 100_000)
    partition.acquire('b', 1000, 100_000)
    assert.equal(partition.rangeCount, 2)
    partition.acknowledge('a', [{ firstOffset: 0, lastOffset: 999, acknowledgeTypes: [ACCEPT] }])
    assert.equal(partition.rangeCount, 1)
    assert.equal(partition.startOffset, 1000)
    partition.close()
  })

  it('answers only what is synced: acquisitions and acknowledgements resolve after the sync (#8)', async () => {
    const clock = new SimClock()
    const sink = new SimShareStateSink()
    const created = SharePartition.create({ key, clock, settings: settingsOf(), sink, startOffset: 0 })
    const partition = created.partition
    const acquire = partition.acquire('a', 3, 3)
    const ack = partition.acknowledge('a', [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT] }])
    let settled = false
    void Promise.all([created.durable, acquire.durable, ack.durable]).then(() => {
      settled = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(settled, false)
    sink.sync()
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(settled, true)
    partition.close()
  })
})

describe('share-partition reads (#8)', () => {
  it('nextFetchOffset points at the first available offset, and acquisition stops at the read end', () => {
    const clock = new SimClock()
    const sink = new SimShareStateSink()
    sink.autoSync = true
    const settings = settingsOf({ locksMax: 6 })
    const { partition } = SharePartition.create({ key, clock, settings, sink, startOffset: 0 })
    assert.equal(partition.nextFetchOffset(), 0)
    const first = partition.acquire('a', 10, 20, 4)
    assert.deepEqual(first.acquired, [{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }])
    assert.equal(partition.nextFetchOffset(), 4)
    partition.acknowledge('a', [{ firstOffset: 1, lastOffset: 2, acknowledgeTypes: [RELEASE] }])
    assert.equal(partition.nextFetchOffset(), 1)
    const second = partition.acquire('b', 10, 20, 2)
    assert.deepEqual(second.acquired, [{ firstOffset: 1, lastOffset: 1, deliveryCount: 2 }])
    partition.acquire('b', 10, 20)
    assert.equal(partition.nextFetchOffset(), null, 'window full, nothing available')
    partition.close()
  })
})

describe('share-partition dead letters (#8, KIP-1191)', () => {
  it('REJECT, RELEASE at the limit and lock expiry at the limit are told once their archiving is synced', async () => {
    const clock = new SimClock()
    const sink = new SimShareStateSink()
    const told: [string, number, number, number][] = []
    const settings: SharePartitionSettings = {
      ...settingsOf({ limit: 2, lockMs: 1000 }),
      deadLetters: (_key, letters) => {
        for (const l of letters) told.push([l.reason, l.firstOffset, l.lastOffset, l.deliveryCount])
      },
    }
    const created = SharePartition.create({ key, clock, settings, sink, startOffset: 0 })
    sink.sync()
    await created.durable
    const partition = created.partition
    partition.acquire('a', 10, 6)
    const rejected = partition.acknowledge('a', [
      {
        firstOffset: 0,
        lastOffset: 5,
        acknowledgeTypes: [REJECT, ACCEPT, RELEASE, RELEASE, ACCEPT, RELEASE],
      },
    ])
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [], 'told before the archiving was synced')
    sink.sync()
    await rejected.durable
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [['rejected', 0, 0, 1]], 'a RELEASE below the limit is no dead letter')
    told.length = 0
    // Second delivery of 2, 3 and 5: 2 and 3 released (limit reached), 5 left to its lock.
    assert.deepEqual(
      partition.acquire('a', 10, 6).acquired.map((r) => [r.firstOffset, r.lastOffset, r.deliveryCount]),
      [
        [2, 3, 2],
        [5, 5, 2],
      ],
    )
    partition.acknowledge('a', [{ firstOffset: 2, lastOffset: 3, acknowledgeTypes: [RELEASE] }])
    clock.advance(1000)
    sink.sync()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [
      ['delivery-count-limit', 2, 3, 2],
      ['delivery-count-limit', 5, 5, 2],
    ])
    assert.equal(partition.startOffset, 6, 'the queue moved on')
    // A record acquired at the limit when the broker stopped is archived, and told, on restore.
    told.length = 0
    partition.acquire('a', 10, 8)
    partition.acknowledge('a', [{ firstOffset: 6, lastOffset: 6, acknowledgeTypes: [RELEASE] }])
    partition.acquire('a', 1, 8)
    partition.close()
    sink.sync()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [])
    const stored = sink.replay().partitions.values().next().value
    assert.ok(stored !== undefined)
    const restored = SharePartition.restore({ key, clock, settings, sink, durable: stored.state })
    // Archived on restore, and stored with its letter before it is told (exactly once, #8).
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [], 'told before the archiving on restore was synced')
    sink.sync()
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(told, [['delivery-count-limit', 6, 6, 2]])
    const owed = sink.replay().partitions.values().next().value?.state.deadLetters
    assert.deepEqual(
      owed?.map((l) => [l.reason, l.firstOffset, l.lastOffset]),
      [
        ['rejected', 0, 0],
        ['delivery-count-limit', 2, 3],
        ['delivery-count-limit', 5, 5],
        ['delivery-count-limit', 6, 6],
      ],
      'every letter is owed in the stored state until the writer stores it done',
    )
    assert.deepEqual(restored.stateOf(7), { state: 'AVAILABLE', deliveryCount: 1, memberId: null })
    assert.equal(restored.startOffset, 7)
    restored.close()
  })

  it('delayed redelivery (#8): a released or expired record waits a delay that doubles per delivery, capped, while the others flow; the due time survives a restart', () => {
    const clock = new SimClock()
    const sink = new SimShareStateSink()
    sink.autoSync = true
    // 1000 ms after the first delivery, 2000 after the second, never more than 3000.
    const settings: SharePartitionSettings = {
      ...settingsOf({ limit: 10, lockMs: 30_000 }),
      redeliveryDelayMs: (count) => Math.min(3000, 1000 * 2 ** (count - 1)),
    }
    const partition = SharePartition.create({ key, clock, settings, sink, startOffset: 0 }).partition
    const take = (p: SharePartition, max: number, logEnd: number) =>
      p.acquire('a', max, logEnd).acquired.map((r) => [r.firstOffset, r.lastOffset, r.deliveryCount])
    assert.deepEqual(take(partition, 2, 10), [[0, 1, 1]])
    partition.acknowledge('a', [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [RELEASE, ACCEPT] }])
    // Offset 0 waits; the records after it are not held up.
    assert.equal(partition.nextFetchOffset(), 2)
    assert.deepEqual(take(partition, 3, 10), [[2, 4, 1]])
    clock.advance(999)
    assert.deepEqual(take(partition, 1, 10), [[5, 5, 1]], 'offset 0 is not due before 1000 ms')
    clock.advance(1)
    assert.equal(partition.nextFetchOffset(), 0)
    assert.deepEqual(take(partition, 1, 10), [[0, 0, 2]])
    // The second release waits 2000 ms; a lock expiry is delayed the same way.
    partition.acknowledge('a', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [RELEASE] }])
    clock.advance(1999)
    assert.deepEqual(take(partition, 1, 10), [[6, 6, 1]])
    clock.advance(1)
    assert.deepEqual(take(partition, 1, 10), [[0, 0, 3]])
    clock.advance(30_000) // every lock expires: 2..4 and 5 are due again by now, 6 and 0 are not
    assert.deepEqual(partition.stateOf(0), { state: 'AVAILABLE', deliveryCount: 3, memberId: null })
    assert.deepEqual(take(partition, 10, 10), [
      [2, 5, 2],
      [7, 9, 1],
    ])
    // A restart keeps the due times of 6 (+1000 ms after its expiry) and 0 (+3000, the ceiling); what was
    // acquired when the broker stopped is available at once.
    clock.advance(500)
    partition.close()
    const stored = sink.replay().partitions.values().next().value
    assert.ok(stored !== undefined)
    const restored = SharePartition.restore({ key, clock, settings, sink, durable: stored.state })
    assert.deepEqual(take(restored, 10, 10), [
      [2, 5, 3],
      [7, 9, 2],
    ])
    clock.advance(498)
    assert.deepEqual(take(restored, 10, 10), [], 'a restart makes no delayed record available early')
    clock.advance(1)
    assert.deepEqual(take(restored, 10, 10), [[6, 6, 2]])
    clock.advance(2000)
    assert.deepEqual(take(restored, 10, 10), [])
    clock.advance(1)
    assert.deepEqual(take(restored, 10, 10), [[0, 0, 4]])
    restored.checkInvariants()
    restored.close()
  })
})
