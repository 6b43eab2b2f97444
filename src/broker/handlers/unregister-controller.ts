// UnregisterController (Admin.unregisterController, Kafka 4.4): the only controller is this node. Another
// id is CONTROLLER_ID_NOT_REGISTERED with Kafka's message; this node, the one voter of its own metadata,
// cannot unregister itself while it serves: INVALID_REQUEST.
import { ErrorCode, UnregisterControllerRequest, UnregisterControllerResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const unregisterController = defineHandler({
  request: UnregisterControllerRequest,
  response: UnregisterControllerResponse,
  versions: { min: 0, max: 0 },
  handle(request, context) {
    if (request.controllerId !== context.broker.config.nodeId)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CONTROLLER_ID_NOT_REGISTERED,
        errorMessage: `Controller ID ${request.controllerId} is not currently registered.`,
      }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Controller ${request.controllerId} is the only controller of this single-node cluster and cannot be unregistered.`,
    }
  },
})
