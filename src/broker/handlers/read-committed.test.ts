// read_committed through the handlers (#12): transactional batches and markers appended to a partition
// log directly (the coordinator writes markers through PartitionStore.writeTxnMarker), then Fetch with
// isolation_level 1 (up to the LSO, aborted transactions listed, long polls woken by a marker),
// ListOffsets isolation_level 1 (LATEST is the LSO) and DescribeProducers' currentTxnStartOffset.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { buildRecordBatch, iterateBatches } from '../../record-batch/index.js'
import { createTestBroker, type TestBroker } from '../../testing/index.js'
import { describeProducers } from './describe-producers.js'
import { fetch } from './fetch.js'
import { findCoordinator } from './find-coordinator.js'
import { listOffsets } from './list-offsets.js'

const t0 = 1_700_000_000_000

async function setUp(): Promise<TestBroker> {
  const broker = await createTestBroker()
  assert.equal((await broker.topics.createTopic({ name: 'txn', numPartitions: 1, configs: [] })).ok, true)
  return broker
}

async function appendTxn(broker: TestBroker, producerId: number, sequence: number, values: string[]) {
  const log = (await broker.context.partitions.log('txn', 0))!
  const batch = buildRecordBatch(
    values.map((value) => ({ value, timestampMs: t0 })),
    { producerId, producerEpoch: 0, baseSequence: sequence, isTransactional: true, nowMs: t0 },
  )
  const result = log.append({ batch, recordsCount: values.length, maxTimestamp: t0 })
  await log.waitWritten(result.lastOffset + 1)
  return result
}

async function appendPlain(broker: TestBroker, value: string) {
  const log = (await broker.context.partitions.log('txn', 0))!
  const batch = buildRecordBatch([{ value, timestampMs: t0 }], { nowMs: t0 })
  const result = log.append({ batch, recordsCount: 1, maxTimestamp: t0 })
  await log.waitWritten(result.lastOffset + 1)
}

async function fetchFrom(
  broker: TestBroker,
  fetchOffset: number,
  isolationLevel: number,
  maxWaitMs = 0,
  session: { sessionId: number; sessionEpoch: number } = { sessionId: 0, sessionEpoch: -1 },
) {
  const response = await broker.call(fetch, 12, {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel,
    ...session,
    topics:
      session.sessionEpoch > 0
        ? []
        : [
            {
              topic: 'txn',
              topicId: ZERO_UUID,
              partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
            },
          ],
    forgottenTopicsData: [],
    rackId: '',
  })
  const p = response.responses[0]?.partitions[0]
  const batches = p?.records == null ? [] : [...iterateBatches(p.records as Buffer)]
  return {
    ...p!,
    sessionId: response.sessionId,
    answered: p !== undefined,
    bases: batches.map((b) => b.header.baseOffset),
  }
}

async function latest(broker: TestBroker, isolationLevel: number) {
  const response = await broker.call(listOffsets, 7, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: 'txn', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  })
  return response.topics[0].partitions[0].offset
}

describe('read_committed (#12)', () => {
  it('Fetch stops at the LSO and lists aborted transactions; ListOffsets LATEST is the LSO', async () => {
    const broker = await setUp()
    await appendPlain(broker, 'before') // 0
    await appendTxn(broker, 5, 0, ['a1', 'a2']) // 1-2, producer 5 (will abort)
    await appendTxn(broker, 6, 0, ['c1']) // 3, producer 6 (will commit)
    await appendPlain(broker, 'after') // 4

    let committed = await fetchFrom(broker, 0, 1)
    assert.equal(committed.errorCode, ErrorCode.NONE)
    assert.deepEqual(committed.bases, [0])
    assert.equal(committed.highWatermark, 5)
    assert.equal(committed.lastStableOffset, 1)
    const uncommitted = await fetchFrom(broker, 0, 0)
    assert.deepEqual(uncommitted.bases, [0, 1, 3, 4])
    assert.equal(uncommitted.abortedTransactions, null)
    assert.equal(await latest(broker, 1), 1)
    assert.equal(await latest(broker, 0), 5)
    const producers = await broker.call(describeProducers, 0, {
      topics: [{ name: 'txn', partitionIndexes: [0] }],
    })
    const active = producers.topics[0].partitions[0].activeProducers
    assert.deepEqual(
      active.map((p) => [p.producerId, p.currentTxnStartOffset]),
      [
        [5, 1],
        [6, 3],
      ],
    )

    // A read_committed long poll at the LSO is woken by the markers that move it.
    const polling = fetchFrom(broker, 1, 1, 5000)
    assert.equal(
      await broker.context.partitions.writeTxnMarker('txn', 0, {
        producerId: 5,
        producerEpoch: 0,
        commit: false,
        coordinatorEpoch: 0,
      }),
      ErrorCode.NONE,
    ) // 5
    assert.equal(
      await broker.context.partitions.writeTxnMarker('txn', 0, {
        producerId: 6,
        producerEpoch: 0,
        commit: true,
        coordinatorEpoch: 0,
      }),
      ErrorCode.NONE,
    ) // 6
    const woken = await polling
    assert.ok(woken.bases.length > 0, 'the long poll returned records once the LSO moved')
    assert.deepEqual(woken.abortedTransactions, [{ producerId: 5, firstOffset: 1 }])
    committed = await fetchFrom(broker, 1, 1)
    assert.deepEqual(committed.bases, [1, 3, 4, 5, 6])
    assert.equal(committed.lastStableOffset, 7)
    assert.deepEqual(committed.abortedTransactions, [{ producerId: 5, firstOffset: 1 }])
    // A fetch past the aborted transaction is not told about it.
    assert.deepEqual((await fetchFrom(broker, 6, 1)).abortedTransactions, [])
    assert.equal(await latest(broker, 1), 7)
    await broker.close()
  })

  it('an incremental fetch session at read_committed answers the partition once a marker moves the LSO', async () => {
    const broker = await setUp()
    await appendTxn(broker, 9, 0, ['t1', 't2']) // 0-1
    const opened = await fetchFrom(broker, 0, 1, 0, { sessionId: 0, sessionEpoch: 0 })
    assert.ok(opened.answered)
    assert.deepEqual(opened.bases, [])
    assert.equal(opened.lastStableOffset, 0)
    assert.notEqual(opened.sessionId, 0)
    const session = (epoch: number) => ({ sessionId: opened.sessionId, sessionEpoch: epoch })
    // Nothing changed: the incremental answer leaves the partition out.
    assert.equal((await fetchFrom(broker, 0, 1, 0, session(1))).answered, false)
    assert.equal(
      await broker.context.partitions.writeTxnMarker('txn', 0, {
        producerId: 9,
        producerEpoch: 0,
        commit: true,
        coordinatorEpoch: 0,
      }),
      ErrorCode.NONE,
    )
    const after = await fetchFrom(broker, 0, 1, 0, session(2))
    assert.ok(after.answered)
    assert.deepEqual(after.bases, [0, 2])
    assert.equal(after.lastStableOffset, 3)
    assert.deepEqual(after.abortedTransactions, [])
    await broker.close()
  })
})

describe('DescribeProducers on __consumer_offsets (#12, findings 16:31)', () => {
  it('answers NONE with no producers for the internal topic Metadata lists, so find-hanging does not time out', async () => {
    const broker = await setUp()
    const ask = (partitionIndexes: number[]) =>
      broker.call(describeProducers, 0, { topics: [{ name: '__consumer_offsets', partitionIndexes }] })
    // Before any group: the topic is not listed, and unknown.
    assert.equal((await ask([0])).topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const found = await broker.call(findCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })
    assert.equal(found.coordinators[0].errorCode, ErrorCode.NONE)
    const answer = (await ask([0, 49, 50])).topics[0].partitions
    assert.deepEqual(
      answer.map((p) => [p.partitionIndex, p.errorCode, p.activeProducers.length]),
      [
        [0, ErrorCode.NONE, 0],
        [49, ErrorCode.NONE, 0],
        [50, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
      ],
    )
    await broker.close()
  })
})
