// UnregisterBroker (Admin.unregisterBroker): the only registered broker is this one. Another id is
// BROKER_ID_NOT_REGISTERED with Kafka's message; this node cannot unregister itself while it serves
// (Kafka would drop the registration of a live broker, which then registers again): INVALID_REQUEST.
import { ErrorCode, UnregisterBrokerRequest, UnregisterBrokerResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const unregisterBroker = defineHandler({
  request: UnregisterBrokerRequest,
  response: UnregisterBrokerResponse,
  versions: { min: 0, max: 0 },
  handle(request, context) {
    if (request.brokerId !== context.broker.config.nodeId)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
        errorMessage: `Broker ID ${request.brokerId} is not currently registered`,
      }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Broker ${request.brokerId} is the only broker of this single-node cluster and cannot be unregistered.`,
    }
  },
})
