// Transaction edge cases a client library never provokes, sent as raw requests to one broker (Brook or
// Apache Kafka 4.4) by run-txn.sh's check "raw-edges" (#12). Prints one JSON line of what the broker did;
// asserts what Kafka 4.4 answers. Usage: node dist/tests/compat/txn/raw-edges.js HOST:PORT RUN_ID
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode } from '../../../src/protocol/index.js'
import { buildRecordBatch, parseControlRecord } from '../../../src/record-batch/index.js'
import { createTopic, decodeAll, fetchPartition, producePartition } from '../../integration/kafka-requests.js'
import { RawKafkaClient } from '../../integration/raw-kafka-client.js'

const [bootstrap, runId] = process.argv.slice(2)
if (bootstrap === undefined || runId === undefined) {
  console.error('usage: raw-edges.js HOST:PORT RUN_ID')
  process.exit(2)
}
const [host, port] = bootstrap.split(':')

function batch(producerId: number, producerEpoch: number, baseSequence: number, transactional: boolean) {
  return buildRecordBatch([{ key: null, value: `v${baseSequence}` }], {
    producerId,
    producerEpoch,
    baseSequence,
    isTransactional: transactional,
  })
}

async function main(): Promise<void> {
  const client = await RawKafkaClient.connect(Number(port), host)
  try {
    const topic = `raw-edges-${runId}`
    const transactionalId = `raw-edges-${runId}`
    await createTopic(client, topic, 2)
    // Kafka creates its transaction state topic on the first FindCoordinator: retry until it answers.
    let init: any
    for (let i = 0; i < 100; i++) {
      await client.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: [transactionalId] })
      init = await client.request(ApiKey.InitProducerId, 4, {
        transactionalId,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      })
      if (init.errorCode === ErrorCode.NONE) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.equal(init.errorCode, ErrorCode.NONE)
    const { producerId, producerEpoch } = init
    const empty = await client.request(ApiKey.DescribeTransactions, 0, {
      transactionalIds: [transactionalId],
    })
    const added = await client.request(ApiKey.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions: [0] }],
    })
    assert.equal(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE)
    // A transactional Produce names its transactional id (Kafka refuses it without one).
    const inTxnAnswer = await client.request(ApiKey.Produce, 9, {
      transactionalId,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [
        { name: topic, partitionData: [{ index: 0, records: batch(producerId, producerEpoch, 0, true) }] },
      ],
    })
    assert.equal(inTxnAnswer.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    // Item 1: an idempotent, non-transactional batch of the same producer into the partition where its
    // transaction is open; and into a partition outside the transaction.
    const plainInTxnPartition = await producePartition(
      client,
      topic,
      0,
      batch(producerId, producerEpoch, 1, false),
    )
    const plainOtherPartition = await producePartition(
      client,
      topic,
      1,
      batch(producerId, producerEpoch, 0, false),
    )
    const during = await client.request(ApiKey.DescribeTransactions, 0, {
      transactionalIds: [transactionalId],
    })
    const end = await client.request(ApiKey.EndTxn, 3, {
      transactionalId,
      producerId,
      producerEpoch,
      committed: true,
    })
    assert.equal(end.errorCode, ErrorCode.NONE)
    // Item 5: what DescribeTransactions says once the transaction is complete (markers are written
    // asynchronously by Kafka: wait until the state is CompleteCommit).
    let after: any
    for (let i = 0; i < 100; i++) {
      after = await client.request(ApiKey.DescribeTransactions, 0, { transactionalIds: [transactionalId] })
      if (after.transactionStates[0].transactionState === 'CompleteCommit') break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // Item 2: the coordinator epoch the commit marker carries.
    const fetched = await fetchPartition(client, topic, 0)
    const markers = decodeAll(fetched.batches)
      .filter((b) => b.isControl)
      .map((b) => parseControlRecord(b.records[0]))
    // ListTransactions' duration filter (KIP-994) on a completed transaction that started over 1 ms ago.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const longRunning = await client.request(ApiKey.ListTransactions, 1, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: 1,
    })
    // A new InitProducerId after the completed transaction (a producer restarting).
    const reinit = await client.request(ApiKey.InitProducerId, 4, {
      transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    })
    assert.equal(reinit.errorCode, ErrorCode.NONE)
    const reinitDescribed = await client.request(ApiKey.DescribeTransactions, 0, {
      transactionalIds: [transactionalId],
    })
    const result = {
      emptyState: empty.transactionStates[0].transactionState,
      emptyStartTimeMs: Number(empty.transactionStates[0].transactionStartTimeMs),
      plainInTxnPartition: plainInTxnPartition.errorCode,
      plainOtherPartition: plainOtherPartition.errorCode,
      duringStartTimeMs: Number(during.transactionStates[0].transactionStartTimeMs),
      afterState: after.transactionStates[0].transactionState,
      afterStartTimeMs: Number(after.transactionStates[0].transactionStartTimeMs),
      afterTopics: after.transactionStates[0].topics,
      afterListedByDuration: longRunning.transactionStates.some(
        (t: any) => t.transactionalId === transactionalId,
      ),
      reinitState: reinitDescribed.transactionStates[0].transactionState,
      reinitStartTimeMs: Number(reinitDescribed.transactionStates[0].transactionStartTimeMs),
      markers,
    }
    console.log(JSON.stringify(result))
    // What Kafka 4.4 answers (proven with --target kafka): the plain batch is refused only where the
    // transaction is open; a completed transaction keeps its start time (and is "long-running" for the
    // duration filter) until the next InitProducerId empties it.
    assert.equal(result.emptyState, 'Empty')
    assert.equal(result.emptyStartTimeMs, -1)
    assert.equal(result.plainInTxnPartition, ErrorCode.INVALID_TXN_STATE)
    assert.equal(result.plainOtherPartition, ErrorCode.NONE)
    assert.ok(result.duringStartTimeMs > 0)
    assert.equal(result.afterState, 'CompleteCommit')
    assert.equal(result.afterStartTimeMs, result.duringStartTimeMs)
    assert.deepEqual(result.afterTopics, [])
    assert.equal(result.afterListedByDuration, true)
    assert.equal(result.reinitState, 'Empty')
    assert.equal(result.reinitStartTimeMs, -1)
    assert.equal(markers.length, 1)
    assert.equal(markers[0].type, 1)
  } finally {
    await client.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
