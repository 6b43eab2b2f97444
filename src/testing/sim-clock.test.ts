// SimClock: time moves only on advance, and timers fire in due order, including ones they schedule.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SeededRandom } from './seeded-random.js'
import { SimClock } from './sim-clock.js'

test('advance fires due timers in order with the clock at their due time', () => {
  const clock = new SimClock(1000)
  const fired: string[] = []
  clock.setTimeout(() => fired.push(`b@${clock.nowMs()}`), 20)
  clock.setTimeout(() => fired.push(`a@${clock.nowMs()}`), 10)
  clock.setTimeout(() => fired.push(`c@${clock.nowMs()}`), 20)
  const cancelled = clock.setTimeout(() => fired.push('never'), 5)
  cancelled.cancel()
  clock.setTimeout(() => {
    fired.push(`chain@${clock.nowMs()}`)
    clock.setTimeout(() => fired.push(`chained@${clock.nowMs()}`), 5)
  }, 25)
  clock.advance(29)
  assert.deepEqual(fired, ['a@1010', 'b@1020', 'c@1020', 'chain@1025'])
  assert.equal(clock.nowMs(), 1029)
  assert.equal(clock.monotonicMs(), 29)
  clock.advance(1)
  assert.deepEqual(fired.at(-1), 'chained@1030')
  assert.equal(clock.pendingTimers, 0)
})

test('SeededRandom replays the same sequence from the same seed', () => {
  const a = new SeededRandom(42)
  const b = new SeededRandom(42)
  const seqA = Array.from({ length: 20 }, () => a.int(1000))
  const seqB = Array.from({ length: 20 }, () => b.int(1000))
  assert.deepEqual(seqA, seqB)
  assert.notDeepEqual(
    seqA,
    Array.from({ length: 20 }, () => new SeededRandom(43).int(1000)),
  )
  for (let i = 0; i < 1000; i++) {
    const v = a.intBetween(3, 5)
    assert.ok(v >= 3 && v <= 5)
  }
})
