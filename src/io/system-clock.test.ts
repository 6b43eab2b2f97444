// SystemClock: real time moves forward and timers fire or are cancelled.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SystemClock } from './system-clock.js'

test('SystemClock fires timers after their delay and cancels them', async () => {
  const clock = new SystemClock()
  const startMs = clock.monotonicMs()
  assert.ok(Math.abs(clock.nowMs() - Date.now()) < 1000)
  const fired = await new Promise<number>((resolve) =>
    clock.setTimeout(() => resolve(clock.monotonicMs()), 20),
  )
  assert.ok(fired - startMs >= 15)
  let cancelledFired = false
  clock.setTimeout(() => (cancelledFired = true), 5).cancel()
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(cancelledFired, false)
})
