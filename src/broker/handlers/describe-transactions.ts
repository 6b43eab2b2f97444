// DescribeTransactions: the coordinator's state of each transactional id asked for (kafka-transactions.sh
// describe); an unknown id gets TRANSACTIONAL_ID_NOT_FOUND.
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const describeTransactions = defineHandler({
  request: DescribeTransactionsRequest,
  response: DescribeTransactionsResponse,
  versions: { min: 0, max: 0 },
  handle(request, context) {
    const transactionStates = context.broker.transactions.describe(request.transactionalIds).map((d) => ({
      errorCode: d.errorCode,
      transactionalId: d.transactionalId,
      transactionState: d.state,
      transactionTimeoutMs: d.timeoutMs,
      transactionStartTimeMs: d.startTimeMs,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      topics: d.topics,
    }))
    return { throttleTimeMs: 0, transactionStates }
  },
})
