// Transactions in the SDK (#12): the transactional Producer (begin/commit/abort, sendOffsetsToTransaction,
// fencing) and the exactly-once pipeline, against Apache Kafka 4.4 (BROOK_SDK_KAFKA_BOOTSTRAP, see
// run-against-kafka.sh) and against the in-process Brook (npm test). Both serve transactions: a broker
// that stopped advertising them fails here, nothing is skipped.
import { deepEqual, equal, ok, rejects } from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import {
  Admin,
  Consumer,
  KafkaError,
  type Message,
  Producer,
  pipeline,
  readTopicRanges,
  serializers,
} from '../../src/index.js'
import { type Target, startTarget, uniqueName } from './target.js'

let target: Target
let admin: Admin
before(async () => {
  target = await startTarget()
  admin = new Admin({ bootstrap: target.bootstrap })
})

after(async () => {
  await admin.close()
  await target.close()
})

/** Reads `topic` from the beginning (no group) until `count` messages arrived or `timeoutMs` passed. */
async function readAll<V>(
  topic: string,
  count: number,
  options: { isolation: 'read_committed' | 'read_uncommitted'; timeoutMs?: number; settleMs?: number },
  valueDeserializer = serializers.json<V>(),
): Promise<Message<Buffer | null, V>[]> {
  const consumer = new Consumer({
    bootstrap: target.bootstrap,
    topics: [topic],
    fromBeginning: true,
    isolationLevel: options.isolation,
    valueDeserializer,
  })
  const out: Message<Buffer | null, V>[] = []
  const timer = setTimeout(() => void consumer.close(), options.timeoutMs ?? 20_000)
  let settle: NodeJS.Timeout | undefined
  try {
    for await (const message of consumer) {
      out.push(message)
      // Past the expected count, wait a little for anything that should not be there.
      if (out.length >= count && settle === undefined)
        settle = setTimeout(() => void consumer.close(), options.settleMs ?? 1000)
    }
  } finally {
    clearTimeout(timer)
    clearTimeout(settle)
    await consumer.close()
  }
  return out
}

/**
 * The group's committed offsets once `expected` holds, polling: Kafka writes a commit's markers (to the
 * offsets topic too) after EndTxn answers, so offsets a transaction committed show up a moment later.
 */
async function settledOffsets<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (JSON.stringify(value) === JSON.stringify(expected) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('transactional producer (#12)', () => {
  test('read_committed shows committed transactions only; read_uncommitted shows every record', async () => {
    const topic = uniqueName('txn')
    await admin.createTopics([{ topic, numPartitions: 2 }])
    const producer = new Producer({
      bootstrap: target.bootstrap,
      transactionalId: uniqueName('tx'),
      valueSerializer: serializers.json<string>(),
    })
    await producer.beginTransaction()
    await Promise.all(['a1', 'a2', 'a3'].map((value, i) => producer.send({ topic, value, partition: i % 2 })))
    await producer.commitTransaction()
    await producer.beginTransaction()
    await Promise.all(['b1', 'b2'].map((value, i) => producer.send({ topic, value, partition: i % 2 })))
    await producer.abortTransaction()
    await producer.beginTransaction()
    await producer.send({ topic, value: 'c1', partition: 1 })
    await producer.commitTransaction()
    await producer.close()

    const committed = await readAll<string>(topic, 4, { isolation: 'read_committed' })
    deepEqual(committed.map((m) => m.value).sort(), ['a1', 'a2', 'a3', 'c1'])
    const everything = await readAll<string>(topic, 6, { isolation: 'read_uncommitted' })
    deepEqual(everything.map((m) => m.value).sort(), ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'])
  })

  test('a read_committed consumer stops at an open transaction and goes on once it commits', async () => {
    const topic = uniqueName('txn-open')
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const plain = new Producer({ bootstrap: target.bootstrap, valueSerializer: serializers.json<string>() })
    const txn = new Producer({
      bootstrap: target.bootstrap,
      transactionalId: uniqueName('tx'),
      valueSerializer: serializers.json<string>(),
    })
    await txn.beginTransaction()
    await txn.send({ topic, value: 'in-txn' })
    // Written after the open transaction's first record: not readable before it ends.
    await plain.send({ topic, value: 'after' })
    const before = await readAll<string>(topic, 1, { isolation: 'read_committed', timeoutMs: 3000 })
    deepEqual(before, [], 'nothing at or past the last stable offset')
    await txn.commitTransaction()
    const afterCommit = await readAll<string>(topic, 2, { isolation: 'read_committed' })
    deepEqual(
      afterCommit.map((m) => m.value),
      ['in-txn', 'after'],
    )
    await Promise.all([txn.close(), plain.close()])
  })

  test('#12: close() aborts a transaction left open, so read_committed consumers are not held until its timeout', async () => {
    const topic = uniqueName('txn-close')
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const txn = new Producer({
      bootstrap: target.bootstrap,
      transactionalId: uniqueName('tx'),
      transactionTimeoutMs: 60_000,
      valueSerializer: serializers.json<string>(),
    })
    await txn.beginTransaction()
    await txn.send({ topic, value: 'left-open' })
    // Sent but never committed: close() flushes it, then aborts the transaction.
    const unsent = txn.send({ topic, value: 'flushed-by-close' })
    await txn.close()
    await unsent
    const plain = new Producer({ bootstrap: target.bootstrap, valueSerializer: serializers.json<string>() })
    await plain.send({ topic, value: 'after' })
    await plain.close()
    // Without the abort the open transaction would hold read_committed readers for 60 s.
    const committed = await readAll<string>(topic, 1, { isolation: 'read_committed', timeoutMs: 10_000 })
    deepEqual(
      committed.map((m) => m.value),
      ['after'],
    )
    const everything = await readAll<string>(topic, 3, { isolation: 'read_uncommitted' })
    deepEqual(
      everything.map((m) => m.value),
      ['left-open', 'flushed-by-close', 'after'],
    )
    equal(txn.inTransaction, false)
  })

  test('readTopicRanges ends a range whose last offset is a commit marker, with no record to come for it (#12)', async () => {
    const topic = uniqueName('txn-range')
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const txn = new Producer({
      bootstrap: target.bootstrap,
      transactionalId: uniqueName('tx'),
      valueSerializer: serializers.json<string>(),
    })
    await txn.beginTransaction()
    for (const value of ['r0', 'r1', 'r2']) await txn.send({ topic, partition: 0, value })
    await txn.commitTransaction()
    await txn.close()
    // Kafka writes the commit marker after EndTxn answers: wait for it to land.
    let end = (await admin.listOffsets(topic, 'latest')).get(0)
    for (let i = 0; i < 100 && end !== 4; i++) {
      await new Promise((r) => setTimeout(r, 100))
      end = (await admin.listOffsets(topic, 'latest')).get(0)
    }
    equal(end, 4, 'three records and the commit marker')
    const seen: string[] = []
    const outcome = await readTopicRanges(
      { bootstrap: target.bootstrap },
      topic,
      new Map([[0, { from: 0, end: 4 }]]),
      (m) => {
        seen.push(String(m.value))
        return true
      },
      { timeMaxMs: 15_000 },
    )
    // Before: the read waited for offset 3, which no record has, until its time limit.
    equal(outcome, 'read')
    deepEqual(seen, ['"r0"', '"r1"', '"r2"'])
  })

  test('a newer producer with the same transactionalId fences the older one (PRODUCER_FENCED)', async () => {
    const topic = uniqueName('txn-fence')
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const transactionalId = uniqueName('tx')
    const old = new Producer({ bootstrap: target.bootstrap, transactionalId })
    await old.beginTransaction()
    await old.send({ topic, value: Buffer.from('zombie') })
    const fresh = new Producer({ bootstrap: target.bootstrap, transactionalId })
    // Aborts the zombie's open transaction and bumps the epoch.
    await fresh.initTransactions()
    const fenced = await old.commitTransaction().then(
      () => undefined,
      (error: unknown) => error,
    )
    ok(fenced instanceof KafkaError, `expected a KafkaError, got ${String(fenced)}`)
    ok(
      ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'].includes(fenced.kafkaName),
      `fenced with ${fenced.kafkaName}`,
    )
    // Fenced for good: every later operation throws the same.
    await rejects(old.beginTransaction(), KafkaError)
    await fresh.beginTransaction()
    await fresh.send({ topic, value: Buffer.from('fresh') })
    await fresh.commitTransaction()
    await Promise.all([old.close(), fresh.close()])
    const seen = await readAll<string>(topic, 1, { isolation: 'read_committed' }, serializers.string as never)
    deepEqual(
      seen.map((m) => m.value),
      ['fresh'],
    )
  })

  test('offsets sent to a transaction are committed with it, and dropped when it aborts', async () => {
    const topic = uniqueName('txn-offsets')
    const groupId = uniqueName('txn-group')
    await admin.createTopics([{ topic, numPartitions: 2 }])
    const producer = new Producer({ bootstrap: target.bootstrap, transactionalId: uniqueName('tx') })
    const committedOffsets = async () =>
      (await admin.groupOffsets(groupId, { topics: [topic] }))
        .map((p) => [p.partition, p.offset])
        .sort(([a], [b]) => (a as number) - (b as number))
    await producer.beginTransaction()
    await producer.sendOffsetsToTransaction(
      [
        { topic, partition: 0, offset: 5 },
        { topic, partition: 1, offset: 7 },
      ],
      groupId,
    )
    await producer.commitTransaction()
    const expected = [
      [0, 5],
      [1, 7],
    ]
    deepEqual(await settledOffsets(committedOffsets, expected), expected)
    await producer.beginTransaction()
    await producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 9 }], groupId)
    await producer.abortTransaction()
    // Give an (unwanted) commit of the aborted offset time to show.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    deepEqual(await committedOffsets(), expected)
    await producer.close()
  })
})

describe('exactly-once pipeline (#12)', () => {
  test("the seed's chained topics without duplicates, across a failed run that aborts its open transaction", async () => {
    const input = uniqueName('eos-in')
    const output = uniqueName('eos-out')
    const groupId = uniqueName('eos-group')
    await admin.createTopics([
      { topic: input, numPartitions: 3 },
      { topic: output, numPartitions: 2 },
    ])
    const total = 300
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<number>(),
    })
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.send({ topic: input, value: i, partition: i % 3 })),
    )
    await producer.close()

    const options = (failAt: number | undefined) => {
      let seen = 0
      return {
        consumer: {
          bootstrap: target.bootstrap,
          groupId,
          topics: [input],
          fromBeginning: true,
          valueDeserializer: serializers.json<number>(),
        },
        producer: { valueSerializer: serializers.json<{ doubled: number }>() },
        exactlyOnce: { transactionMessagesMax: 40 },
        transform: (message: Message<Buffer | null, number>) => {
          if (failAt !== undefined && ++seen === failAt)
            throw new Error('the transform fails mid-transaction')
          return { topic: output, value: { doubled: message.value * 2 } }
        },
      }
    }
    // The first run fails part-way: its open transaction (results and offsets) is aborted.
    const first = pipeline(options(137))
    await rejects(first.done, /fails mid-transaction/)
    ok(first.processedCount < total, `the first run stopped early (${first.processedCount})`)
    // The second run takes over from the committed offsets and finishes.
    const second = pipeline(options(undefined))
    const outputs = await readAll<{ doubled: number }>(output, total, {
      isolation: 'read_committed',
      timeoutMs: 60_000,
      settleMs: 3000,
    })
    await second.close()
    await second.done
    const doubled = outputs.map((m) => m.value.doubled).sort((a, b) => a - b)
    deepEqual(
      doubled,
      Array.from({ length: total }, (_, i) => i * 2),
      'every input exactly once in the output',
    )
    equal(first.processedCount + second.processedCount, total)
    const committedSum = async () =>
      (await admin.groupOffsets(groupId, { topics: [input] })).reduce(
        (sum, p) => sum + Math.max(p.offset, 0),
        0,
      )
    equal(await settledOffsets(committedSum, total), total, 'the group committed every input offset')
  })

  test('a pipeline killed with SIGKILL mid-way and restarted leaves each input exactly once downstream', async (t) => {
    const input = uniqueName('eos-kill-in')
    const output = uniqueName('eos-kill-out')
    const groupId = uniqueName('eos-kill-group')
    // The same id for the restarted worker: its InitProducerId aborts the killed one's open transaction.
    const transactionalId = uniqueName('eos-kill-tx')
    await admin.createTopics([
      { topic: input, numPartitions: 3 },
      { topic: output, numPartitions: 2 },
    ])
    const total = 1000
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<number>(),
    })
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.send({ topic: input, value: i, partition: i % 3 })),
    )
    await producer.close()
    const script = fileURLToPath(new URL('./eos-worker.js', import.meta.url))
    const start = () =>
      spawn(process.execPath, [script, target.bootstrap, groupId, input, output, transactionalId], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    const first = start()
    const processedAtKill = await new Promise<number>((resolve, reject) => {
      first.stdout.on('data', (chunk: Buffer) => {
        const counts = [...chunk.toString().matchAll(/processed (\d+)/g)].map((m) => Number(m[1]))
        const latest = counts.at(-1) ?? 0
        if (latest >= 100) {
          first.kill('SIGKILL')
          resolve(latest)
        }
      })
      first.once('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`the worker exited early (${code})`))
      })
    })
    await new Promise((resolve) =>
      first.exitCode !== null || first.signalCode !== null ? resolve(undefined) : first.once('exit', resolve),
    )
    ok(processedAtKill < total, `killed mid-way (${processedAtKill} of ${total} committed)`)
    t.diagnostic(`killed after ${processedAtKill} of ${total} inputs were committed`)
    const second = start()
    try {
      const outputs = await readAll<{ doubled: number }>(output, total, {
        isolation: 'read_committed',
        timeoutMs: 90_000,
        settleMs: 3000,
      })
      deepEqual(
        outputs.map((m) => m.value.doubled).sort((a, b) => a - b),
        Array.from({ length: total }, (_, i) => i * 2),
        'every input exactly once in the output',
      )
    } finally {
      second.kill('SIGKILL')
    }
  })
})
