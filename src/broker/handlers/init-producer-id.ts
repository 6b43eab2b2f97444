// InitProducerId for idempotent producers: a fresh producer id with epoch 0, or, when a producer asks to
// bump its epoch after an error (KIP-360), the same id with the next epoch. Transactions are not
// supported yet and get a clear error.
import { ErrorCode, InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

const EPOCH_MAX = 32767

export const initProducerId = defineHandler({
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  versions: { min: 0, max: 5 },
  async handle(request, context) {
    const { broker } = context
    if (request.transactionalId !== null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1,
        producerEpoch: -1,
      }
    }
    if (request.producerId >= 0 && request.producerEpoch >= 0 && request.producerEpoch < EPOCH_MAX - 1) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch + 1,
      }
    }
    const producerId = await broker.producerIds.allocate()
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
  },
})
