// The transaction APIs through the codec on a whole test broker (#12): FindCoordinator key type 1,
// InitProducerId with a transactional id, AddPartitionsToTxn (v3 and the v4+ batched/verify-only form),
// AddOffsetsToTxn, the Produce check, EndTxn, DescribeTransactions, ListTransactions, WriteTxnMarkers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { SimClock, type TestBroker, createTestBroker } from '../../testing/index.js'
import { addOffsetsToTxn } from './add-offsets-to-txn.js'
import { addPartitionsToTxn } from './add-partitions-to-txn.js'
import { describeProducers } from './describe-producers.js'
import { describeTransactions } from './describe-transactions.js'
import { endTxn } from './end-txn.js'
import { findCoordinator } from './find-coordinator.js'
import { initProducerId } from './init-producer-id.js'
import { listTransactions } from './list-transactions.js'
import { produce } from './produce.js'
import { writeTxnMarkers } from './write-txn-markers.js'

async function withTopics(): Promise<TestBroker> {
  const broker = await createTestBroker()
  assert.equal((await broker.topics.createTopic({ name: 'orders', numPartitions: 2, configs: [] })).ok, true)
  return broker
}

function txnBatch(producerId: number, producerEpoch: number, baseSequence: number, values: string[]) {
  return buildRecordBatch(
    values.map((value, i) => ({ key: null, value, timestampMs: 1_700_000_000_000 + i })),
    { nowMs: 1_700_000_000_000, producerId, producerEpoch, baseSequence, isTransactional: true },
  )
}

async function produceTo(broker: TestBroker, partition: number, records: Buffer, version = 9) {
  const answer = await broker.call(produce, version, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 'orders', partitionData: [{ index: partition, records }] }],
  })
  return answer.responses[0].partitionResponses[0]
}

describe('transaction APIs (#12)', () => {
  it('a classic transaction from FindCoordinator to EndTxn, with the produce check and the admin views', async () => {
    const broker = await withTopics()
    const found = await broker.call(findCoordinator, 4, { keyType: 1, coordinatorKeys: ['tx'] })
    assert.deepEqual([found.coordinators[0].errorCode, found.coordinators[0].port], [0, 19092])
    const init = await broker.call(initProducerId, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    assert.equal(init.errorCode, ErrorCode.NONE)
    const { producerId, producerEpoch } = init
    // A transactional batch before its partition is added: refused, nothing appended.
    const early = await produceTo(broker, 0, txnBatch(producerId, producerEpoch, 0, ['x']))
    assert.equal(early.errorCode, ErrorCode.INVALID_TXN_STATE)
    // Unknown topics: nothing of the request is added.
    const unknown = await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [
        { name: 'orders', partitions: [0, 7] },
        { name: 'missing', partitions: [0] },
      ],
    })
    assert.deepEqual(
      unknown.resultsByTopicV3AndBelow.map((t) => [
        t.name,
        t.resultsByPartition.map((p) => p.partitionErrorCode),
      ]),
      [
        ['orders', [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
        ['missing', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
      ],
    )
    const empty = await broker.call(describeTransactions, 0, { transactionalIds: ['tx'] })
    assert.deepEqual(
      [empty.transactionStates[0].transactionState, empty.transactionStates[0].topics],
      ['Empty', []],
    )
    const added = await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0, 1] }],
    })
    assert.deepEqual(
      added.resultsByTopicV3AndBelow[0].resultsByPartition.map((p) => p.partitionErrorCode),
      [0, 0],
    )
    const offsets = await broker.call(addOffsetsToTxn, 3, {
      transactionalId: 'tx',
      producerId,
      producerEpoch,
      groupId: 'g',
    })
    assert.equal(offsets.errorCode, ErrorCode.NONE)
    const written = await produceTo(broker, 0, txnBatch(producerId, producerEpoch, 0, ['a', 'b']))
    assert.equal(written.errorCode, ErrorCode.NONE)
    // Brokers verify with v4+ (verify-only) and may batch transactions.
    const verify = await broker.call(addPartitionsToTxn, 4, {
      transactions: [
        {
          transactionalId: 'tx',
          producerId,
          producerEpoch,
          verifyOnly: true,
          topics: [{ name: 'orders', partitions: [1] }],
        },
        {
          transactionalId: 'other',
          producerId: 99,
          producerEpoch: 0,
          verifyOnly: true,
          topics: [{ name: 'orders', partitions: [1] }],
        },
      ],
    })
    assert.deepEqual(
      verify.resultsByTransaction.map((t) => t.topicResults[0].resultsByPartition[0].partitionErrorCode),
      [ErrorCode.NONE, ErrorCode.INVALID_PRODUCER_ID_MAPPING],
    )
    const described = await broker.call(describeTransactions, 0, { transactionalIds: ['tx', 'nope'] })
    assert.deepEqual(
      described.transactionStates.map((s) => [
        s.transactionalId,
        s.errorCode,
        s.transactionState,
        s.producerId,
      ]),
      [
        ['tx', 0, 'Ongoing', producerId],
        ['nope', ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '', -1],
      ],
    )
    assert.deepEqual(described.transactionStates[0].topics, [{ topic: 'orders', partitions: [0, 1] }])
    const listed = await broker.call(listTransactions, 1, {
      stateFilters: ['Ongoing', 'Nonsense'],
      producerIdFilters: [],
      durationFilter: -1,
    })
    assert.deepEqual(listed.transactionStates, [
      { transactionalId: 'tx', producerId, transactionState: 'Ongoing' },
    ])
    assert.deepEqual(listed.unknownStateFilters, ['Nonsense'])
    const badPattern = await broker.call(listTransactions, 2, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1,
      transactionalIdPattern: '(',
    })
    assert.equal(badPattern.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION)
    const byPattern = await broker.call(listTransactions, 2, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1,
      transactionalIdPattern: 't.',
    })
    assert.deepEqual(
      byPattern.transactionStates.map((s) => s.transactionalId),
      ['tx'],
    )
    const end = await broker.call(endTxn, 3, {
      transactionalId: 'tx',
      producerId,
      producerEpoch,
      committed: true,
    })
    assert.equal(end.errorCode, ErrorCode.NONE)
    const done = await broker.call(describeTransactions, 0, { transactionalIds: ['tx'] })
    assert.equal(done.transactionStates[0].transactionState, 'CompleteCommit')
    // After the commit the partition is no longer in a transaction.
    const after = await produceTo(broker, 0, txnBatch(producerId, producerEpoch, 2, ['c']))
    assert.equal(after.errorCode, ErrorCode.INVALID_TXN_STATE)
    await broker.close()
  })

  it('bad input: EndTxn without a transaction, fenced epochs, an empty transactional id, two-phase commit', async () => {
    const broker = await withTopics()
    const init = await broker.call(initProducerId, 5, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    const noTxn = await broker.call(endTxn, 4, {
      transactionalId: 'tx',
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      committed: true,
    })
    assert.equal(noTxn.errorCode, ErrorCode.INVALID_TXN_STATE)
    const fenced = await broker.call(addOffsetsToTxn, 0, {
      transactionalId: 'tx',
      producerId: init.producerId,
      producerEpoch: init.producerEpoch + 1,
      groupId: 'g',
    })
    assert.equal(fenced.errorCode, ErrorCode.PRODUCER_FENCED)
    const emptyId = await broker.call(initProducerId, 4, {
      transactionalId: '',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    assert.equal(emptyId.errorCode, ErrorCode.INVALID_REQUEST)
    const twoPhase = await broker.call(initProducerId, 6, {
      transactionalId: 'tx2',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
      enable2Pc: true,
      keepPreparedTxn: false,
    })
    assert.equal(twoPhase.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    const noTopic = await broker.call(writeTxnMarkers, 1, {
      markers: [
        {
          producerId: init.producerId,
          producerEpoch: init.producerEpoch,
          transactionResult: false,
          coordinatorEpoch: 0,
          topics: [{ name: 'missing', partitionIndexes: [0] }],
        },
      ],
    })
    assert.equal(noTopic.markers[0].topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await broker.close()
  })

  it('transaction version 2: Produce v12 adds the partition, EndTxn v5 bumps the epoch and answers it', async () => {
    const broker = await withTopics()
    const init = await broker.call(initProducerId, 5, {
      transactionalId: 'tv2',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    const { producerId } = init
    // Produce v11 (classic) is refused before AddPartitionsToTxn; v12 adds the partition itself.
    const classic = await produceTo(broker, 0, txnBatch(producerId, 0, 0, ['a']), 11)
    assert.equal(classic.errorCode, ErrorCode.INVALID_TXN_STATE)
    const implicit = await produceTo(broker, 0, txnBatch(producerId, 0, 0, ['a']), 12)
    assert.equal(implicit.errorCode, ErrorCode.NONE)
    const described = await broker.call(describeTransactions, 0, { transactionalIds: ['tv2'] })
    assert.deepEqual(described.transactionStates[0].topics, [{ topic: 'orders', partitions: [0] }])
    const end = await broker.call(endTxn, 5, {
      transactionalId: 'tv2',
      producerId,
      producerEpoch: 0,
      committed: true,
    })
    assert.deepEqual([end.errorCode, end.producerId, end.producerEpoch], [ErrorCode.NONE, producerId, 1])
    // The next transaction runs at the bumped epoch from sequence 0; the old epoch is fenced.
    const next = await produceTo(broker, 0, txnBatch(producerId, 1, 0, ['b']), 12)
    assert.equal(next.errorCode, ErrorCode.NONE)
    const zombie = await produceTo(broker, 0, txnBatch(producerId, 0, 1, ['z']), 12)
    assert.equal(zombie.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    const retried = await broker.call(endTxn, 5, {
      transactionalId: 'tv2',
      producerId,
      producerEpoch: 0,
      committed: true,
    })
    assert.equal(
      retried.errorCode,
      ErrorCode.PRODUCER_FENCED,
      'a late retry of the first EndTxn while the second transaction is open commits nothing',
    )
    assert.equal(
      (await broker.call(describeTransactions, 0, { transactionalIds: ['tv2'] })).transactionStates[0]
        .transactionState,
      'Ongoing',
    )
    await broker.close()
  })

  it('WriteTxnMarkers aborts a hanging transaction as kafka-transactions.sh abort does', async () => {
    const broker = await withTopics()
    const init = await broker.call(initProducerId, 4, {
      transactionalId: 'hang',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    const { producerId, producerEpoch } = init
    await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'hang',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: 'orders', partitions: [1] }],
    })
    assert.equal((await produceTo(broker, 1, txnBatch(producerId, producerEpoch, 0, ['h']))).errorCode, 0)
    const producers = async () =>
      (await broker.call(describeProducers, 0, { topics: [{ name: 'orders', partitionIndexes: [1] }] }))
        .topics[0].partitions[0].activeProducers
    const [open] = await producers()
    assert.deepEqual([open.producerId, open.currentTxnStartOffset], [producerId, 0])
    // The tool sends the producer's id, epoch and coordinator epoch from DescribeProducers to the leader.
    const aborted = await broker.call(writeTxnMarkers, 1, {
      markers: [
        {
          producerId: open.producerId,
          producerEpoch: open.producerEpoch,
          transactionResult: false,
          coordinatorEpoch: open.coordinatorEpoch,
          topics: [{ name: 'orders', partitionIndexes: [1] }],
        },
      ],
    })
    assert.equal(aborted.markers[0].topics[0].partitions[0].errorCode, ErrorCode.NONE)
    assert.equal(
      (await producers())[0].currentTxnStartOffset,
      -1,
      'the partition has no open transaction left',
    )
    await broker.close()
  })

  it('#12: a plain idempotent batch of a producer with an open transaction on the partition gets INVALID_TXN_STATE, as on Kafka 4.4', async () => {
    const broker = await withTopics()
    const { producerId, producerEpoch } = await broker.call(initProducerId, 4, {
      transactionalId: 'mixed',
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'mixed',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0] }],
    })
    assert.equal((await produceTo(broker, 0, txnBatch(producerId, producerEpoch, 0, ['t']))).errorCode, 0)
    const plain = (sequence: number, values: string[]) =>
      buildRecordBatch(
        values.map((value) => ({ key: null, value, timestampMs: 1_700_000_000_000 })),
        { nowMs: 1_700_000_000_000, producerId, producerEpoch, baseSequence: sequence },
      )
    const refused = await produceTo(broker, 0, plain(1, ['p']))
    assert.equal(refused.errorCode, ErrorCode.INVALID_TXN_STATE)
    assert.equal(refused.baseOffset, -1)
    // Nothing was appended: the partition ends after the transactional record.
    assert.equal((await broker.context.partitions.log('orders', 0))?.logEndOffset, 1)
    // A partition outside the transaction takes the same producer's plain batch (Kafka checks per partition).
    assert.equal((await produceTo(broker, 1, plain(0, ['q']))).errorCode, ErrorCode.NONE)
    const end = await broker.call(endTxn, 3, {
      transactionalId: 'mixed',
      producerId,
      producerEpoch,
      committed: true,
    })
    assert.equal(end.errorCode, ErrorCode.NONE)
    // Once the marker closed the transaction, the refused sequence is the next one expected.
    assert.equal((await produceTo(broker, 0, plain(1, ['p']))).errorCode, ErrorCode.NONE)
    await broker.close()
  })

  it('#12: a completed transaction keeps its start time in DescribeTransactions and the duration filter, as on Kafka 4.4', async () => {
    const clock = new SimClock()
    const broker = await createTestBroker({ clock })
    await broker.topics.createTopic({ name: 'orders', numPartitions: 2, configs: [] })
    const init = () =>
      broker.call(initProducerId, 4, {
        transactionalId: 'timed',
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      })
    const { producerId, producerEpoch } = await init()
    const startedMs = broker.clock.nowMs()
    await broker.call(addPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'timed',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: 'orders', partitions: [0] }],
    })
    const described = async () =>
      (await broker.call(describeTransactions, 0, { transactionalIds: ['timed'] })).transactionStates[0]
    const olderThan = async (durationFilter: number) =>
      (
        await broker.call(listTransactions, 1, { stateFilters: [], producerIdFilters: [], durationFilter })
      ).transactionStates.map((t) => t.transactionalId)
    assert.deepEqual(
      [(await described()).transactionState, (await described()).transactionStartTimeMs],
      ['Ongoing', startedMs],
    )
    await broker.call(endTxn, 3, { transactionalId: 'timed', producerId, producerEpoch, committed: true })
    await clock.advanceAsync(5000)
    const done = await described()
    assert.deepEqual([done.transactionState, done.transactionStartTimeMs], ['CompleteCommit', startedMs])
    assert.deepEqual(await olderThan(1000), ['timed'])
    // A new InitProducerId empties the transaction: no start time, so no duration either.
    assert.equal((await init()).errorCode, ErrorCode.NONE)
    const empty = await described()
    assert.deepEqual([empty.transactionState, empty.transactionStartTimeMs], ['Empty', -1])
    assert.deepEqual(await olderThan(1000), [])
    await broker.close()
  })
})
