// AddOffsetsToTxn: a transactional producer adds a consumer group to its transaction, so that the
// group's offsets (TxnOffsetCommit) commit or abort with it.
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const addOffsetsToTxn = defineHandler({
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
  versions: { min: 0, max: 4 },
  async handle(request, context) {
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID }
    const errorCode = await context.broker.transactions.addOffsets({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      groupId: request.groupId,
    })
    return { throttleTimeMs: 0, errorCode }
  },
})
