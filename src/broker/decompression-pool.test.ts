// The broker-wide decompression budget (#7): FIFO grants, shrink and release, a bounded wait.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Clock } from '../core/index.js'
import { DecompressionPool } from './decompression-pool.js'

/** A clock whose timers fire only when `advance` passes them. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0
  const timers: { at: number; fn: () => void; live: boolean }[] = []
  return {
    nowMs: () => now,
    monotonicMs: () => now,
    setTimeout(fn, delayMs) {
      const timer = { at: now + delayMs, fn, live: true }
      timers.push(timer)
      return { cancel: () => (timer.live = false) }
    },
    defer: (fn) => setImmediate(fn),
    advance(ms) {
      now += ms
      for (const t of timers) {
        if (t.live && t.at <= now) {
          t.live = false
          t.fn()
        }
      }
    },
  }
}

describe('DecompressionPool (#7)', () => {
  it('grants in FIFO order as room is shrunk or released, and caps a reservation at the pool', async () => {
    const pool = new DecompressionPool(100, manualClock(), 1000)
    const first = await pool.reserve(500)
    assert.ok(first !== null)
    assert.equal(first.bytes, 100, 'a request alone gets the whole pool, never waits forever')
    const order: string[] = []
    const second = pool.reserve(60).then((l) => {
      order.push('second')
      return l
    })
    const third = pool.reserve(10).then((l) => {
      order.push('third')
      return l
    })
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(order, [])
    first.shrink(50)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(order, [], 'the small third request does not overtake the second')
    first.release()
    assert.ok((await second) !== null)
    assert.ok((await third) !== null)
    assert.deepEqual(order, ['second', 'third'])
    assert.equal(pool.inUse, 70)
  })

  it('answers null when no room came within the wait bound, and lets the next through', async () => {
    const clock = manualClock()
    const pool = new DecompressionPool(100, clock, 1000)
    const held = await pool.reserve(90)
    const big = pool.reserve(50)
    const small = pool.reserve(5)
    clock.advance(1000)
    assert.equal(await big, null)
    const smallLease = await small
    assert.ok(smallLease !== null)
    held?.release()
    smallLease.release()
    assert.equal(pool.inUse, 0)
  })
})
