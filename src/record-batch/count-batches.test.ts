// core's countBatches (the records and bytes metrics count) against batches built here: header fields only.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { countBatches } from '../core/index.js'
import { buildRecordBatch } from './index.js'

test('countBatches reads records from batch headers and skips those before the fetch offset', () => {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) }))
  const first = buildRecordBatch(records(5), { baseOffset: 10 })
  const second = buildRecordBatch(records(3), { baseOffset: 15 })
  const both = Buffer.concat([first, second])
  assert.deepEqual(countBatches([first, second]), { records: 8, bytes: both.length })
  assert.deepEqual(countBatches([both]), { records: 8, bytes: both.length })
  assert.deepEqual(countBatches([both], 13), { records: 5, bytes: both.length })
  assert.deepEqual(countBatches([both], 16), { records: 2, bytes: both.length })
})
