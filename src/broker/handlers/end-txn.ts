// EndTxn: commit or abort a producer's transaction. v5 is transaction version 2 (KIP-890): the epoch is
// bumped by every EndTxn and the answer carries the producer id and epoch to use next.
import { EndTxnRequest, EndTxnResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const endTxn = defineHandler({
  request: EndTxnRequest,
  response: EndTxnResponse,
  versions: { min: 0, max: 5 },
  async handle(request, context) {
    const answer = await context.broker.transactions.endTxn({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      commit: request.committed,
      transactionVersion2: context.header.apiVersion >= 5,
    })
    return { throttleTimeMs: 0, ...answer }
  },
})
