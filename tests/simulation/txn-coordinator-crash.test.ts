// Seeded crash simulation of the transaction coordinator through the real handlers (#12): a transactional
// producer runs transactions over three partitions (classic: AddPartitionsToTxn + EndTxn v3; or
// transaction version 2: Produce v12 + EndTxn v5), committing or aborting, and the power is cut at the
// n-th fdatasync of a transaction, so that across seeds the cut lands at every step (partition added,
// records written, decision logged, each marker, completion logged). After a restart the coordinator
// completes what was decided; what was not decided is aborted, by a new producer's InitProducerId or by
// the transaction timeout. In the end every partition holds each transaction's records with a commit
// marker or with an abort marker, the same outcome in every partition, an acknowledged commit's records
// all committed, and a read_committed reader (dropping aborted records as Kafka clients do) sees exactly
// the committed records. Rerun one seed with SEED=<n> node --test dist/tests/simulation/txn-coordinator-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addPartitionsToTxn } from '../../src/broker/handlers/add-partitions-to-txn.js'
import { endTxn } from '../../src/broker/handlers/end-txn.js'
import { fetch } from '../../src/broker/handlers/fetch.js'
import { initProducerId } from '../../src/broker/handlers/init-producer-id.js'
import { produce } from '../../src/broker/handlers/produce.js'
import { ErrorCode } from '../../src/protocol/index.js'
import {
  buildRecordBatch,
  ControlRecordType,
  decodeBatch,
  iterateBatches,
} from '../../src/record-batch/index.js'
import { controlTypeOf } from '../../src/storage/index.js'
import {
  SeededRandom,
  SimClock,
  SimFileSystem,
  type TestBroker,
  createTestBroker,
} from '../../src/testing/index.js'

const seedCount = Number(process.env.SEEDS ?? 80)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)
const TOPIC = 'chain'
const PARTITIONS = 3
const TXN_ID = 'sim-tx'
const TIMEOUT_MS = 20_000

interface Txn {
  /** Records whose Produce (acks=all) was answered NONE. */
  acked: { partition: number; offset: number; value: string }[]
  /** The EndTxn answered NONE before the cut. */
  ended?: 'commit' | 'abort'
}

interface Producer {
  producerId: number
  producerEpoch: number
  sequences: Map<number, number>
}

/** InitProducerId until it answers (CONCURRENT_TRANSACTIONS while an old transaction is being aborted). */
async function initProducer(broker: TestBroker, clock: SimClock): Promise<Producer> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await broker.call(initProducerId, 4, {
      transactionalId: TXN_ID,
      transactionTimeoutMs: TIMEOUT_MS,
      producerId: -1,
      producerEpoch: -1,
    })
    if (answer.errorCode === ErrorCode.NONE)
      return { producerId: answer.producerId, producerEpoch: answer.producerEpoch, sequences: new Map() }
    assert.equal(answer.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'InitProducerId')
    await broker.context.transactions.settled()
    await clock.advanceAsync(100)
  }
  throw new Error('InitProducerId never answered')
}

/** One transaction; throws once the file system has been cut (the caller stops there). */
async function runTransaction(
  broker: TestBroker,
  producer: Producer,
  random: SeededRandom,
  txnNo: number,
  txn: Txn,
  tv2: boolean,
): Promise<void> {
  const partitions = [0, 1, 2].filter(() => random.chance(0.7))
  if (partitions.length === 0) partitions.push(random.int(PARTITIONS))
  if (!tv2) {
    const added = await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: TXN_ID,
      v3AndBelowProducerId: producer.producerId,
      v3AndBelowProducerEpoch: producer.producerEpoch,
      v3AndBelowTopics: [{ name: TOPIC, partitions }],
    })
    const codes = added.resultsByTopicV3AndBelow[0].resultsByPartition.map((p) => p.partitionErrorCode)
    if (codes.some((c) => c !== ErrorCode.NONE)) return
  }
  let n = 0
  for (const partition of partitions) {
    for (let b = random.intBetween(1, 2); b > 0; b--) {
      const values = Array.from({ length: random.intBetween(1, 3) }, () => `t${txnNo}-${n++}`)
      const sequence = producer.sequences.get(partition) ?? 0
      const answer = await broker.call(produce, tv2 ? 12 : 9, {
        acks: -1,
        timeoutMs: 1000,
        transactionalId: TXN_ID,
        topicData: [
          {
            name: TOPIC,
            partitionData: [
              {
                index: partition,
                records: buildRecordBatch(
                  values.map((value) => ({ value })),
                  {
                    nowMs: broker.clock.nowMs(),
                    producerId: producer.producerId,
                    producerEpoch: producer.producerEpoch,
                    baseSequence: sequence,
                    isTransactional: true,
                  },
                ),
              },
            ],
          },
        ],
      })
      const result = answer.responses[0].partitionResponses[0]
      if (result.errorCode !== ErrorCode.NONE) return
      producer.sequences.set(partition, sequence + values.length)
      for (const [i, value] of values.entries())
        txn.acked.push({ partition, offset: result.baseOffset + i, value })
    }
  }
  const commit = random.chance(0.7)
  const end = await broker.call(endTxn, tv2 ? 5 : 3, {
    transactionalId: TXN_ID,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    committed: commit,
  })
  if (end.errorCode !== ErrorCode.NONE) return
  txn.ended = commit ? 'commit' : 'abort'
  if (tv2 && (end.producerId !== producer.producerId || end.producerEpoch !== producer.producerEpoch)) {
    producer.producerId = end.producerId
    producer.producerEpoch = end.producerEpoch
    producer.sequences.clear()
  }
}

interface Seen {
  offset: number
  value: string
  producerId: number
  fate?: 'commit' | 'abort'
}

/** The whole partition read_uncommitted; each transactional record gets the fate of its producer's next marker. */
async function scan(broker: TestBroker, partition: number, label: string): Promise<Seen[]> {
  const seen: Seen[] = []
  const open = new Map<number, Seen[]>()
  let next = 0
  for (;;) {
    const response = await broker.call(fetch, 11, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [{ topic: TOPIC, partitions: [{ partition, fetchOffset: next, partitionMaxBytes: 1 << 20 }] }],
    })
    const answer = response.responses[0].partitions[0]
    assert.equal(answer.errorCode, ErrorCode.NONE, `${label}: fetch`)
    let progressed = false
    for (const { bytes } of iterateBatches(answer.records as Buffer)) {
      const batch = decodeBatch(bytes)
      const last = batch.header.baseOffset + batch.header.lastOffsetDelta
      if (last < next) continue
      progressed = true
      next = last + 1
      const producerId = batch.header.producerId
      if (batch.isControl) {
        const fate = controlTypeOf(bytes) === ControlRecordType.commit ? 'commit' : 'abort'
        for (const record of open.get(producerId) ?? []) record.fate = fate
        open.delete(producerId)
        continue
      }
      assert.ok(batch.isTransactional, `${label}: only transactional batches are written`)
      let pending = open.get(producerId)
      if (pending === undefined) open.set(producerId, (pending = []))
      for (const record of batch.records) {
        const entry: Seen = { offset: record.offset, value: String(record.value), producerId }
        seen.push(entry)
        pending.push(entry)
      }
    }
    if (!progressed) break
  }
  assert.equal(open.size, 0, `${label}: partition ${partition} has a transaction without a marker`)
  return seen
}

/** read_committed as a Kafka client reads it: up to the LSO, aborted producers' records dropped until their marker. */
async function readCommitted(broker: TestBroker, partition: number): Promise<string[]> {
  const delivered: string[] = []
  let next = 0
  for (;;) {
    const response = await broker.call(fetch, 11, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      topics: [{ topic: TOPIC, partitions: [{ partition, fetchOffset: next, partitionMaxBytes: 1 << 20 }] }],
    })
    const answer = response.responses[0].partitions[0]
    const aborted = [...(answer.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset)
    const aborting = new Set<number>()
    let progressed = false
    for (const { bytes } of iterateBatches(answer.records as Buffer)) {
      const batch = decodeBatch(bytes)
      const last = batch.header.baseOffset + batch.header.lastOffsetDelta
      if (last < next) continue
      progressed = true
      next = last + 1
      while (aborted.length > 0 && aborted[0].firstOffset <= batch.header.baseOffset)
        aborting.add(aborted.shift()!.producerId)
      if (batch.isControl) {
        if (controlTypeOf(bytes) === ControlRecordType.abort) aborting.delete(batch.header.producerId)
        continue
      }
      if (aborting.has(batch.header.producerId)) continue
      for (const record of batch.records) delivered.push(String(record.value))
    }
    if (!progressed) return delivered
  }
}

async function runSeed(seed: number): Promise<{ committed: number; aborted: number; cuts: number }> {
  const random = new SeededRandom(seed)
  const clock = new SimClock()
  let fs = new SimFileSystem({ seed })
  const open = (on: SimFileSystem) =>
    createTestBroker({
      fs: on,
      clock,
      config: { numPartitions: PARTITIONS, transactionMaxTimeoutMs: 60_000 },
    })
  let broker = await open(fs)
  assert.ok((await broker.topics.createTopic({ name: TOPIC, numPartitions: PARTITIONS })).ok)
  const txns = new Map<number, Txn>()
  let txnNo = 0
  let cuts = 0
  const crashes = random.intBetween(1, 4)
  for (let round = 0; round <= crashes; round++) {
    const label = `seed ${seed} round ${round}`
    // An undecided transaction of the last incarnation ends by its timeout or by the new producer's init.
    if (random.chance(0.4)) {
      await broker.context.transactions.settled()
      await clock.advanceAsync(TIMEOUT_MS + 11_000)
    }
    const producer = await initProducer(broker, clock)
    await broker.context.transactions.settled()
    if (round === crashes) break
    const tv2 = random.chance(0.5)
    let syncsLeft = random.int(40)
    let crashed: SimFileSystem | undefined
    const dying = fs
    dying.beforeSync = () => {
      if (crashed !== undefined || syncsLeft-- > 0) return
      crashed = dying.crash({ tearProbability: 0.5 })
    }
    try {
      for (let t = random.intBetween(1, 4); t > 0 && crashed === undefined; t--) {
        const txn: Txn = { acked: [] }
        txns.set(++txnNo, txn)
        await runTransaction(broker, producer, random, txnNo, txn, tv2)
      }
    } catch (error) {
      if (crashed === undefined) throw new Error(`${label}: ${(error as Error).message}`, { cause: error })
    }
    if (crashed !== undefined) cuts++
    fs = crashed ?? dying.crash({ tearProbability: 0.5 })
    broker = await open(fs)
  }
  // Every transaction has ended now: check each partition and each transaction's outcome.
  const fates = new Map<number, Set<string>>()
  const committedValues: string[][] = []
  for (let p = 0; p < PARTITIONS; p++) {
    const seen = await scan(broker, p, `seed ${seed}`)
    const byOffset = new Map(seen.map((s) => [s.offset, s]))
    for (const [no, txn] of txns) {
      for (const record of txn.acked.filter((r) => r.partition === p)) {
        const found = byOffset.get(record.offset)
        assert.equal(found?.value, record.value, `seed ${seed}: acknowledged ${record.value} lost`)
        if (txn.ended !== undefined)
          assert.equal(found?.fate, txn.ended, `seed ${seed}: txn ${no} ended ${txn.ended}`)
      }
    }
    for (const s of seen) {
      const no = Number(/^t(\d+)-/.exec(s.value)?.[1])
      let set = fates.get(no)
      if (set === undefined) fates.set(no, (set = new Set()))
      set.add(s.fate ?? 'none')
    }
    committedValues.push(seen.filter((s) => s.fate === 'commit').map((s) => s.value))
    assert.deepEqual(
      await readCommitted(broker, p),
      committedValues[p],
      `seed ${seed}: read_committed on partition ${p} is exactly the committed records`,
    )
  }
  let committed = 0
  let aborted = 0
  for (const [no, set] of fates) {
    assert.equal(set.size, 1, `seed ${seed}: transaction ${no} has outcomes ${[...set]} across partitions`)
    if (set.has('commit')) committed++
    else aborted++
  }
  await broker.close()
  return { committed, aborted, cuts }
}

test(`transaction coordinator crashes: every transaction commits or aborts everywhere (${onlySeed === undefined ? `${seedCount} seeds` : `seed ${onlySeed}`}) (#12)`, async () => {
  const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
  let committed = 0
  let aborted = 0
  let cuts = 0
  for (const seed of seeds) {
    try {
      const outcome = await runSeed(seed)
      committed += outcome.committed
      aborted += outcome.aborted
      cuts += outcome.cuts
    } catch (error) {
      throw new Error(`failed with seed ${seed} (rerun with SEED=${seed}): ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  assert.ok(
    committed > 0 && aborted > 0,
    `both outcomes were exercised (${committed} committed, ${aborted} aborted)`,
  )
  // Most power cuts land inside a transaction's work (the rest after it, while idle).
  assert.ok(onlySeed !== undefined || cuts >= seeds.length, `power cuts inside transactions: ${cuts}`)
  console.log(`# ${committed} transactions committed, ${aborted} aborted, ${cuts} cuts inside a transaction`)
})
