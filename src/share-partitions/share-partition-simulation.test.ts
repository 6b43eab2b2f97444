// Seeded simulation of one share-partition (#8): members acquire, acknowledge (rightly and wrongly),
// let locks expire and leave while the log grows, the sink syncs at random and the broker crashes at
// random. At every step no offset is held by two members, nothing acknowledged-and-answered comes back,
// delivery counts only grow; at the end every record was accepted, rejected or archived at the limit.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { SeededRandom, SimClock, SimShareStateSink } from '../testing/index.js'
import { AcknowledgeType, SharePartition, type SharePartitionSettings } from './index.js'

const key = { groupId: 'g', topicId: 't', partition: 0 }
const LOCK_MS = 1000
const LIMIT = 4
const SEEDS = Number(process.env.SEEDS ?? 300)
const STEPS = 400

interface Held {
  member: string
  deadlineMs: number
}

function simulate(seed: number): void {
  const random = new SeededRandom(seed)
  const clock = new SimClock()
  const sink = new SimShareStateSink()
  const settings: SharePartitionSettings = {
    recordLockDurationMs: () => LOCK_MS,
    deliveryCountLimit: () => LIMIT,
    recordLocksMax: () => 50,
  }
  const members = ['m0', 'm1', 'm2', 'm3']
  let partition = SharePartition.create({ key, clock, settings, sink, startOffset: 0 }).partition
  let logEnd = 0
  let crashed = false
  const held = new Map<number, Held>()
  /** Highest delivery count seen per offset, and highest whose acquisition was synced. */
  const seenCount = new Map<number, number>()
  const answeredCount = new Map<number, number>()
  /** Offsets whose ACCEPT/REJECT/GAP was answered (synced), and those sent but not known synced. */
  const answeredDone = new Map<number, number>()
  const maybeDone = new Set<number>()
  /** Work waiting for a sync: [record count that must be synced, what to mark]. */
  let pending: { seq: number; apply: () => void }[] = []

  const validlyHeld = (offset: number, member: string): boolean => {
    const h = held.get(offset)
    return h !== undefined && h.member === member && clock.nowMs() < h.deadlineMs
  }
  const expireModel = (): void => {
    for (const [offset, h] of held) if (clock.nowMs() >= h.deadlineMs) held.delete(offset)
  }
  const afterSync = (apply: () => void): void => {
    pending.push({ seq: sink.appendedCount, apply })
  }

  const acquire = (member: string, max: number): void => {
    const { acquired } = partition.acquire(member, max, logEnd)
    const deadlineMs = clock.nowMs() + LOCK_MS
    let total = 0
    for (const range of acquired) {
      for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
        total++
        const other = held.get(offset)
        assert.ok(
          other === undefined || clock.nowMs() >= other.deadlineMs,
          `offset ${offset} held by ${other?.member}`,
        )
        assert.ok(
          !answeredDone.has(offset),
          `offset ${offset} delivered again after an answered acknowledgement`,
        )
        const count = range.deliveryCount
        assert.ok(count <= LIMIT, `offset ${offset} delivered ${count} times, limit ${LIMIT}`)
        assert.ok(count > (answeredCount.get(offset) ?? 0), `offset ${offset}: count ${count} went backwards`)
        if (!crashed) assert.equal(count, (seenCount.get(offset) ?? 0) + 1, `offset ${offset} count`)
        seenCount.set(offset, Math.max(count, seenCount.get(offset) ?? 0))
        held.set(offset, { member, deadlineMs })
        afterSync(() => answeredCount.set(offset, Math.max(count, answeredCount.get(offset) ?? 0)))
      }
    }
    assert.ok(total <= max, `acquired ${total} > ${max}`)
  }

  const acknowledge = (member: string): void => {
    const mine = [...held.entries()].filter(([, h]) => h.member === member).map(([offset]) => offset)
    const candidates = mine.length > 0 && random.chance(0.85) ? mine : [...held.keys(), partition.startOffset]
    if (candidates.length === 0) return
    candidates.sort((a, b) => a - b)
    const first = random.pick(candidates)
    const last = first + random.int(3)
    const types: number[] = []
    for (let offset = first; offset <= last; offset++)
      types.push(
        random.pick([
          AcknowledgeType.ACCEPT,
          AcknowledgeType.ACCEPT,
          AcknowledgeType.RELEASE,
          AcknowledgeType.REJECT,
          AcknowledgeType.RENEW,
        ]),
      )
    const uniform = random.chance(0.5)
    const acknowledgeTypes = uniform ? [types[0]] : types
    let valid = true
    for (let offset = first; offset <= last; offset++) if (!validlyHeld(offset, member)) valid = false
    const result = partition.acknowledge(member, [{ firstOffset: first, lastOffset: last, acknowledgeTypes }])
    if (!valid) {
      assert.notEqual(
        result.errorCode,
        ErrorCode.NONE,
        `bad acknowledgement [${first}, ${last}] by ${member} accepted`,
      )
      return
    }
    assert.equal(
      result.errorCode,
      ErrorCode.NONE,
      `acknowledgement [${first}, ${last}]: ${result.errorMessage}`,
    )
    for (let offset = first; offset <= last; offset++) {
      const type = uniform ? types[0] : types[offset - first]
      if (type === AcknowledgeType.RENEW) {
        held.set(offset, { member, deadlineMs: clock.nowMs() + LOCK_MS })
        continue
      }
      held.delete(offset)
      if (type === AcknowledgeType.RELEASE) continue
      maybeDone.add(offset)
      afterSync(() => answeredDone.set(offset, (answeredDone.get(offset) ?? 0) + 1))
    }
  }

  const crash = (): void => {
    partition.close()
    sink.crash(random)
    pending = []
    held.clear()
    crashed = true
    const stored = sink.replay().partitions.values().next().value
    // Nothing stored: the creation itself was not synced, so nothing after it was either; the broker
    // creates the share-partition again (the reset policy here is earliest).
    partition =
      stored === undefined
        ? SharePartition.create({ key, clock, settings, sink, startOffset: 0 }).partition
        : SharePartition.restore({ key, clock, settings, sink, durable: stored.state })
  }

  for (let step = 0; step < STEPS; step++) {
    const roll = random.int(100)
    const member = random.pick(members)
    if (roll < 20) logEnd += random.intBetween(1, 8)
    else if (roll < 45) acquire(member, random.intBetween(1, 6))
    else if (roll < 75) acknowledge(member)
    else if (roll < 83) clock.advance(random.intBetween(1, LOCK_MS))
    else if (roll < 85) {
      void partition.releaseMember(member)
      for (const [offset, h] of held) if (h.member === member) held.delete(offset)
    } else if (roll < 97) {
      sink.sync()
      for (const work of pending) work.apply()
      pending = []
    } else crash()
    expireModel()
    partition.checkInvariants()
  }

  // Drain: no more faults; one worker takes and accepts everything still deliverable.
  sink.sync()
  for (const work of pending) work.apply()
  pending = []
  clock.advance(LOCK_MS)
  held.clear()
  for (let round = 0; round < 1000 && partition.startOffset < logEnd; round++) {
    const { acquired } = partition.acquire('drain', 100, logEnd)
    if (acquired.length === 0) clock.advance(LOCK_MS)
    for (const range of acquired) {
      for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
        assert.ok(
          !answeredDone.has(offset),
          `offset ${offset} delivered again after an answered acknowledgement`,
        )
        maybeDone.add(offset)
        seenCount.set(offset, Math.max(range.deliveryCount, seenCount.get(offset) ?? 0))
      }
      const result = partition.acknowledge('drain', [
        {
          firstOffset: range.firstOffset,
          lastOffset: range.lastOffset,
          acknowledgeTypes: [AcknowledgeType.ACCEPT],
        },
      ])
      assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
    }
  }
  assert.equal(partition.startOffset, logEnd, 'records left undone after the drain')
  for (let offset = 0; offset < logEnd; offset++) {
    const done = maybeDone.has(offset) || (seenCount.get(offset) ?? 0) >= LIMIT
    assert.ok(done, `offset ${offset} was never acknowledged nor delivered ${LIMIT} times: lost`)
    assert.ok((answeredDone.get(offset) ?? 0) <= 1, `offset ${offset} acknowledged twice`)
  }
  partition.close()
}

describe('share-partition simulation (#8)', () => {
  it(`keeps exclusive locks and loses nothing over ${SEEDS} seeds with crashes`, () => {
    const first = Number(process.env.SEED ?? 1)
    const count = process.env.SEED === undefined ? SEEDS : 1
    for (let seed = first; seed < first + count; seed++) {
      try {
        simulate(seed)
      } catch (error) {
        throw new Error(`failed with seed ${seed} (rerun with SEED=${seed}): ${(error as Error).message}`, {
          cause: error,
        })
      }
    }
  })
})
