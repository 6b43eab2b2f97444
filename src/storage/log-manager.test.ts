// LogManager: discovers logs at open, creates and deletes them, and runs retention and flush timers.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import { LogManager, parsePartitionDirName } from './index.js'

test('parsePartitionDirName splits at the last dash', () => {
  assert.deepEqual(parsePartitionDirName('my-topic-12'), { topic: 'my-topic', partition: 12 })
  assert.equal(parsePartitionDirName('no_partition'), undefined)
})

test('creates, reopens, flushes on a timer, applies retention and deletes logs', async () => {
  const clock = new SimClock()
  const fs = new SimFileSystem()
  const manager = await LogManager.open(
    fs,
    clock,
    '/data',
    { segmentBytes: 1000, retentionMs: 60_000, flushMs: 500 },
    {
      retentionCheckIntervalMs: 10_000,
    },
  )
  const log = await manager.getOrCreate('orders-v2', 3)
  assert.equal(await manager.getOrCreate('orders-v2', 3), log)
  const now = clock.nowMs()
  for (let i = 0; i < 10; i++) {
    log.append({
      batch: makeTestBatch({ payloadBytes: 139, maxTimestampMs: now }),
      recordsCount: 1,
      maxTimestamp: now,
    })
  }
  await log.waitWritten(10)
  assert.equal(log.durableEndOffset, 0)
  await clock.advanceAsync(600)
  await log.waitDurable(10)
  assert.equal(log.durableEndOffset, 10)
  assert.equal(log.segmentCount, 2)
  await clock.advanceAsync(70_000)
  assert.equal(log.logStartOffset, 5)
  await manager.close()

  const reopened = await LogManager.open(fs, clock, '/data', { segmentBytes: 1000 })
  const again = reopened.get('orders-v2', 3)
  assert.ok(again)
  assert.equal(again.logEndOffset, 10)
  assert.equal(again.logStartOffset, 5)
  assert.deepEqual(
    [...reopened.entries()].map((e) => `${e.topic}/${e.partition}`),
    ['orders-v2/3'],
  )
  await reopened.delete('orders-v2', 3)
  assert.equal(reopened.get('orders-v2', 3), undefined)
  assert.deepEqual(await fs.list('/data'), [])
  await reopened.close()
})
