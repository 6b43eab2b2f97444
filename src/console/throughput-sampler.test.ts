import { deepStrictEqual, strictEqual } from 'node:assert/strict'
import { test } from 'node:test'
import type { Clock } from '../core/index.js'
import { type SampleReading, ThroughputSampler } from './throughput-sampler.js'

/** A clock whose timers run only when the test advances it. */
function manualClock() {
  let now = 1_000_000
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = []
  const clock: Clock = {
    nowMs: () => now,
    monotonicMs: () => now,
    setTimeout(fn, delayMs) {
      const timer = { at: now + delayMs, fn, cancelled: false }
      timers.push(timer)
      return { cancel: () => (timer.cancelled = true) }
    },
    defer: (fn) => queueMicrotask(fn),
  }
  const advance = async (ms: number) => {
    now += ms
    for (const t of timers.splice(0)) {
      if (t.cancelled) continue
      if (t.at <= now) t.fn()
      else timers.push(t)
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { clock, advance, pending: () => timers.filter((t) => !t.cancelled).length }
}

function reading(end: number, out: number | undefined): SampleReading {
  return {
    endOffsets: new Map([['t', end]]),
    startOffsets: new Map([['t', 0]]),
    recordsOut: out === undefined ? undefined : new Map([['t', out]]),
    committedTotal: undefined,
    connections: 2,
  }
}

test('rates come from end offsets and records-out counters between samples (#11)', async () => {
  const { clock, advance } = manualClock()
  const readings = [reading(100, 0), reading(300, 50), reading(300, 150)]
  const sampler = new ThroughputSampler({ clock, read: async () => readings.shift() ?? reading(300, 150) })
  await sampler.touch()
  deepStrictEqual(sampler.series(), [])
  await advance(2000)
  await advance(2000)
  deepStrictEqual(
    sampler.series().map((p) => [p.recordsInPerSec, p.recordsOutPerSec, p.connections]),
    [
      [100, 25, 2],
      [0, 50, 2],
    ],
  )
  deepStrictEqual(sampler.topicRates().get('t'), { inPerSec: 0, outPerSec: 50 })
  sampler.close()
})

test('sampling stops once nobody asked for idleStopMs, keeps samplesMax, and starts again on touch (#11)', async () => {
  const { clock, advance, pending } = manualClock()
  let reads = 0
  const sampler = new ThroughputSampler({
    clock,
    read: async () => reading(++reads, undefined),
    intervalMs: 1000,
    idleStopMs: 5000,
    samplesMax: 3,
  })
  await sampler.touch()
  for (let i = 0; i < 10; i++) await advance(1000)
  strictEqual(pending(), 0)
  const stoppedAt = reads
  strictEqual(stoppedAt, 6)
  strictEqual(sampler.series().length, 2)
  await advance(5000)
  strictEqual(reads, stoppedAt)
  await sampler.touch()
  strictEqual(reads, stoppedAt + 1)
  sampler.close()
})

test('a failed sample is reported and sampling goes on (#11)', async () => {
  const { clock, advance } = manualClock()
  let fail = true
  const sampler = new ThroughputSampler({
    clock,
    read: async () => {
      if (fail) throw new Error('cluster down')
      return reading(1, undefined)
    },
  })
  await sampler.touch()
  strictEqual(sampler.lastError, 'cluster down')
  fail = false
  await advance(2000)
  strictEqual(sampler.lastError, undefined)
  strictEqual(sampler.latest()?.endOffsets.get('t'), 1)
  sampler.close()
})
