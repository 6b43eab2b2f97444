// AddPartitionsToTxn: v0-3 from transactional producers (one transaction), v4+ a batch of transactions
// with a verify-only flag (sent by brokers; v5 marks transaction version 2). Unknown topics or partitions
// get UNKNOWN_TOPIC_OR_PARTITION and the others of that transaction OPERATION_NOT_ATTEMPTED, nothing added.
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, ErrorCode } from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

interface TopicResult {
  name: string
  resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[]
}

async function addToTransaction(
  broker: BrokerContext,
  txn: {
    transactionalId: string
    producerId: number
    producerEpoch: number
    verifyOnly: boolean
    topics: readonly { name: string; partitions: readonly number[] }[]
  },
  transactionVersion2: boolean,
): Promise<TopicResult[]> {
  const exists = (topic: string, partition: number) => {
    const meta = broker.topics.topic(topic)
    return meta !== undefined && partition >= 0 && partition < meta.partitionCount
  }
  const unknown = txn.topics.some((t) => t.partitions.some((p) => !exists(t.name, p)))
  let code: number = ErrorCode.NONE
  if (!unknown) {
    code = await broker.transactions.addPartitions({
      transactionalId: txn.transactionalId,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      partitions: txn.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
      verifyOnly: txn.verifyOnly,
      transactionVersion2,
    })
  }
  return txn.topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((partitionIndex) => ({
      partitionIndex,
      partitionErrorCode: !unknown
        ? code
        : exists(t.name, partitionIndex)
          ? ErrorCode.OPERATION_NOT_ATTEMPTED
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  }))
}

export const addPartitionsToTxn = defineHandler({
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  versions: { min: 0, max: 5 },
  async handle(request, context) {
    const version = context.header.apiVersion
    if (version < 4) {
      const results = await addToTransaction(
        context.broker,
        {
          transactionalId: request.v3AndBelowTransactionalId,
          producerId: request.v3AndBelowProducerId,
          producerEpoch: request.v3AndBelowProducerEpoch,
          verifyOnly: false,
          topics: request.v3AndBelowTopics,
        },
        false,
      )
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results }
    }
    const resultsByTransaction = []
    for (const txn of request.transactions) {
      const topicResults = await addToTransaction(context.broker, txn, version >= 5)
      resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction }
  },
})
