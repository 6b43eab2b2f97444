// InitProducerId: for an idempotent producer a fresh producer id with epoch 0, or, when a producer asks
// to bump its epoch after an error (KIP-360), the same id with the next epoch; for a transactional id the
// transaction coordinator answers (epoch bump, fencing, abort of an ongoing transaction).
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
      // Two-phase commit (KIP-939) is not offered, as with Kafka's transaction.two.phase.commit.enable=false.
      if (request.enable2Pc || request.keepPreparedTxn) {
        return {
          throttleTimeMs: 0,
          errorCode: request.enable2Pc
            ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
            : ErrorCode.INVALID_REQUEST,
          producerId: -1,
          producerEpoch: -1,
        }
      }
      const answer = await broker.transactions.initProducerId({
        transactionalId: request.transactionalId,
        transactionTimeoutMs: request.transactionTimeoutMs,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
      })
      return { throttleTimeMs: 0, ...answer }
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
