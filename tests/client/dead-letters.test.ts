// The SDK's dead-letter redrive (#11, decision 0006) at its batch bound and across a crash: the mark moves
// only past batches whose records are all acknowledged, so a redrive that dies mid-batch loses nothing and,
// run again, repeats at most that one batch.
import { deepStrictEqual, rejects, strictEqual } from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  Admin,
  Consumer,
  deadLetterDepth,
  Producer,
  REDRIVE_BATCH_RECORDS,
  type RunningBroker,
  redriveDeadLetters,
  redriveGroupId,
  startBroker,
} from '../../src/index.js'

let broker: RunningBroker

before(async () => {
  broker = await startBroker({ autoCreateTopics: false })
})

after(async () => {
  await broker.close()
})

async function values(topic: string, end: number): Promise<string[]> {
  const consumer = new Consumer({ bootstrap: broker.bootstrap, topics: [topic], fromBeginning: true })
  const out: string[] = []
  for await (const m of consumer) {
    out.push(m.value?.toString() ?? '')
    if (m.offset + 1 >= end) break
  }
  await consumer.close()
  return out
}

describe('redriveDeadLetters (#11)', () => {
  test('limit: REDRIVE_BATCH_RECORDS per mark; a redrive that fails mid-batch loses nothing and repeats at most one batch', async () => {
    const letters = REDRIVE_BATCH_RECORDS * 2 + 200
    const clientOptions = { bootstrap: broker.bootstrap }
    const admin = new Admin(clientOptions)
    const producer = new Producer({ ...clientOptions, acks: -1 })
    try {
      await admin.createTopics([
        { topic: 'orders', numPartitions: 1 },
        { topic: 'orders.dlq', numPartitions: 1 },
      ])
      await admin.alterConfigs(
        { type: 'group', name: 'billing' },
        { 'errors.deadletterqueue.topic.name': 'orders.dlq' },
      )
      await Promise.all(
        Array.from({ length: letters }, (_, i) =>
          producer.send({
            topic: 'orders.dlq',
            partition: 0,
            value: Buffer.from(`order-${i}`),
            headers: {
              '__dlq.errors.topic': 'orders',
              '__dlq.errors.partition': '0',
              '__dlq.errors.offset': String(i),
              '__dlq.errors.group': 'billing',
            },
          }),
        ),
      )
      strictEqual((await deadLetterDepth(admin, 'billing', { clientOptions })).pending, letters)
      // A producer that dies after 100 records of the second batch.
      let sent = 0
      const dying = Object.create(producer) as Producer
      dying.send = (record) =>
        ++sent > REDRIVE_BATCH_RECORDS + 100 ? Promise.reject(new Error('crashed')) : producer.send(record)
      const progress: number[] = []
      await rejects(
        redriveDeadLetters(admin, 'billing', {
          clientOptions,
          producer: dying,
          onProgress: (p) => p.phase === 'moving' && progress.push(p.done),
        }),
        /crashed/,
      )
      deepStrictEqual(progress, [REDRIVE_BATCH_RECORDS])
      const marks = await admin.groupOffsets(redriveGroupId('billing'), { topics: ['orders.dlq'] })
      strictEqual(marks[0].offset, REDRIVE_BATCH_RECORDS, 'the mark is past the acknowledged batch only')
      strictEqual(
        (await deadLetterDepth(admin, 'billing', { clientOptions })).pending,
        letters - REDRIVE_BATCH_RECORDS,
      )
      // Run again: the rest moves; the 100 records of the failed batch that did arrive come twice.
      const report = await redriveDeadLetters(admin, 'billing', {
        clientOptions,
        onProgress: (p) => p.phase === 'moving' && progress.push(p.done),
      })
      deepStrictEqual(progress, [
        REDRIVE_BATCH_RECORDS,
        REDRIVE_BATCH_RECORDS,
        letters - REDRIVE_BATCH_RECORDS,
      ])
      deepStrictEqual(
        [report.redriven, report.deleted, report.remaining],
        [letters - REDRIVE_BATCH_RECORDS, letters, 0],
      )
      const end = (await admin.listOffsets('orders', 'latest')).get(0) as number
      strictEqual(end, letters + 100)
      const moved = await values('orders', end)
      deepStrictEqual(
        [...new Set(moved)].sort(),
        Array.from({ length: letters }, (_, i) => `order-${i}`).sort(),
        'every letter arrived',
      )
      strictEqual((await deadLetterDepth(admin, 'billing', { clientOptions })).total, 0)
    } finally {
      await producer.close()
      await admin.close()
    }
  })
})
