// SliceScheduler: one waiting worker resumed per turn of the event loop, in FIFO order (#7).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Clock } from './clock.js'
import { SliceScheduler } from './slice-scheduler.js'

/** A clock whose deferred work runs only when the test says a turn of the loop has come. */
class TurnClock implements Clock {
  readonly deferred: (() => void)[] = []
  nowMs(): number {
    return 0
  }
  monotonicMs(): number {
    return 0
  }
  setTimeout(): { cancel(): void } {
    throw new Error('not used')
  }
  defer(fn: () => void): void {
    this.deferred.push(fn)
  }
  /** Runs what was deferred before this turn, then lets the microtasks it started finish. */
  async turn(): Promise<void> {
    const due = this.deferred.splice(0)
    for (const fn of due) fn()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

describe('SliceScheduler (#7)', () => {
  it('resumes one of N paused workers per turn of the loop, round robin, where a defer each resumed all N', async () => {
    const clock = new TurnClock()
    const scheduler = new SliceScheduler(clock)
    const log: string[] = []
    const worker = async (name: string, slices: number) => {
      for (let i = 0; i < slices; i++) {
        log.push(`${name}${i}`)
        await scheduler.turn()
      }
      log.push(`${name}done`)
    }
    const all = Promise.all([worker('a', 3), worker('b', 2), worker('c', 1)])
    // The first slices ran at once; each pause waits for a turn.
    assert.deepEqual(log, ['a0', 'b0', 'c0'])
    assert.equal(scheduler.waiting, 3)
    const perTurn: string[][] = []
    while (log.length < 9) {
      const before = log.length
      await clock.turn()
      perTurn.push(log.slice(before))
    }
    await all
    assert.deepEqual(perTurn, [['a1'], ['b1'], ['cdone'], ['a2'], ['bdone'], ['adone']])
    assert.equal(scheduler.resumed, 6)
    assert.equal(scheduler.waiting, 0)
    assert.equal(clock.deferred.length, 0, 'nothing is scheduled once no worker waits')
  })

  it('asks the clock for one deferred call at a time, however many workers wait', async () => {
    const clock = new TurnClock()
    const scheduler = new SliceScheduler(clock)
    const turns = Array.from({ length: 32 }, () => scheduler.turn())
    assert.equal(clock.deferred.length, 1)
    for (let i = 0; i < 32; i++) await clock.turn()
    await Promise.all(turns)
    assert.equal(scheduler.resumed, 32)
  })
})
