// ProducerStateTable: the idempotent-produce checks, the five-batch window and snapshots.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lastSequenceOf, ProducerStateTable } from './producer-state.js'

test('sequence checks: ok, duplicate, out of order, epochs, unknown producers', () => {
  const table = new ProducerStateTable()
  assert.deepEqual(table.check(-1, -1, -1, -1), { kind: 'ok' })
  assert.deepEqual(table.check(7, 0, 0, 4), { kind: 'ok' })
  assert.deepEqual(table.check(7, 0, 3, 4), { kind: 'unknownProducer' })
  for (let i = 0; i < 7; i++) table.update(7, 0, i * 5, i * 5 + 4, 100 + i * 5, 104 + i * 5, 1000)
  assert.deepEqual(table.check(7, 0, 30, 34), { kind: 'duplicate', baseOffset: 130, lastOffset: 134 })
  assert.deepEqual(table.check(7, 0, 10, 14), { kind: 'duplicate', baseOffset: 110, lastOffset: 114 })
  // Only the last five batches are remembered.
  assert.deepEqual(table.check(7, 0, 5, 9), { kind: 'outOfOrder', expectedSequence: 35 })
  assert.deepEqual(table.check(7, 0, 35, 35), { kind: 'ok' })
  assert.deepEqual(table.check(7, 0, 36, 36), { kind: 'outOfOrder', expectedSequence: 35 })
  assert.deepEqual(table.check(7, 1, 0, 0), { kind: 'ok' })
  assert.deepEqual(table.check(7, 1, 35, 35), { kind: 'outOfOrder', expectedSequence: 0 })
  table.update(7, 1, 0, 0, 200, 200, 2000)
  assert.deepEqual(table.check(7, 0, 1, 1), { kind: 'invalidEpoch', currentEpoch: 1 })
  assert.equal(table.get(7)?.batches.length, 1)
})

test('sequences wrap at Int32 max', () => {
  assert.equal(lastSequenceOf(2147483646, 3), 1)
  const table = new ProducerStateTable()
  table.update(1, 0, 2147483640, 2147483647, 0, 7, 0)
  assert.deepEqual(table.check(1, 0, 0, 3), { kind: 'ok' })
})

test('snapshots round-trip and expiry forgets idle producers', () => {
  const table = new ProducerStateTable()
  table.update(1, 2, 0, 9, 0, 9, 500)
  table.update(2, 0, 0, 0, 10, 10, 1500)
  const loaded = ProducerStateTable.fromSnapshot(table.toSnapshot(11))
  assert.ok(loaded)
  assert.equal(loaded.endOffset, 11)
  assert.deepEqual(loaded.table.check(1, 2, 0, 9), { kind: 'duplicate', baseOffset: 0, lastOffset: 9 })
  assert.equal(ProducerStateTable.fromSnapshot(Buffer.from('nope')), undefined)
  loaded.table.expire(1000)
  assert.equal(loaded.table.size, 1)
})
