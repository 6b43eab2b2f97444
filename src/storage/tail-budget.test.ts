// TailBudget with real partition logs on the simulated file system: the sum of tails stays within the
// broker-wide limit once batches are written, the largest tail gives way first, and reads stay correct.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readInt64 } from '../record-batch/index.js'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import { PartitionLog } from './partition-log.js'
import { TailBudget } from './tail-budget.js'

const t0 = 1_700_000_000_000

function batch(fill: number) {
  return {
    batch: makeTestBatch({ recordsCount: 1, payloadBytes: 1000, fill }),
    recordsCount: 1,
    maxTimestamp: t0,
  }
}

test('the tails of several logs stay within the shared budget, and evicted batches read from disk', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const budget = new TailBudget(20_000)
  const logs = await Promise.all(
    [0, 1, 2].map((p) =>
      PartitionLog.open(fs, clock, `/data/t-${p}`, { maxTailBytes: 1 << 20 }, undefined, budget),
    ),
  )
  for (let i = 0; i < 30; i++) {
    logs[0].append(batch(i))
    if (i % 3 === 0) logs[1].append(batch(i))
  }
  await Promise.all(logs.map((log) => log.waitWritten(log.logEndOffset)))
  assert.ok(budget.usedBytes <= 20_000, `used ${budget.usedBytes}`)
  assert.equal(budget.usedBytes, logs[0].tailBytes + logs[1].tailBytes + logs[2].tailBytes)
  // The busy log gave up memory first, down to about the size of the next largest tail.
  const batchBytes = batch(0).batch.length
  assert.ok(logs[0].tailBytes < 30 * batchBytes)
  assert.ok(logs[1].tailBytes >= 8 * batchBytes && logs[0].tailBytes <= logs[1].tailBytes + batchBytes)
  const all = await logs[0].read(0, 1 << 20)
  assert.deepEqual(
    all.batches.map((b) => readInt64(b, 0)),
    Array.from({ length: 30 }, (_, i) => i),
  )
  await logs[0].close()
  assert.equal(budget.usedBytes, logs[1].tailBytes)
})

test('unwritten batches are never evicted, so the budget may be exceeded until they are written', async () => {
  const fs = new SimFileSystem()
  const budget = new TailBudget(1000)
  const log = await PartitionLog.open(fs, new SimClock(t0), '/data/u-0', {}, undefined, budget)
  for (let i = 0; i < 5; i++) log.append(batch(i))
  assert.equal(budget.usedBytes, log.tailBytes)
  assert.ok(log.tailBytes > 1000)
  await log.waitWritten(log.logEndOffset)
  assert.ok(budget.usedBytes <= 1000)
})
