// DescribeCluster: the cluster id, this node as the only broker and as the controller. Brook serves
// broker endpoints only; a request for controller endpoints gets Kafka's endpoint-type errors. v2
// (KIP-1073) may ask for fenced brokers too: the one node is never fenced, so the answer is the same.
import { DescribeClusterRequest, DescribeClusterResponse, ErrorCode } from '../../protocol/index.js'
import { AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations } from '../authorized-operations.js'
import { defineHandler } from '../handler.js'

/** Kafka's EndpointType numbers (KIP-919). */
export const EndpointType = { UNKNOWN: 0, BROKER: 1, CONTROLLER: 2 } as const

const endpointTypeNames: Record<number, string> = { 1: 'BROKER', 2: 'CONTROLLER' }

/** DescribeCluster v0-2. */
export const describeCluster = defineHandler({
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  versions: { min: 0, max: 2 },
  handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    const requested = request.endpointType
    if (requested !== EndpointType.BROKER) {
      // v0 has no endpoint type errors, so Kafka answers INVALID_REQUEST there.
      const known = requested === EndpointType.CONTROLLER
      const errorCode =
        version === 0
          ? ErrorCode.INVALID_REQUEST
          : known
            ? ErrorCode.MISMATCHED_ENDPOINT_TYPE
            : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE
      const errorMessage = known
        ? `The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type ${endpointTypeNames[requested]}`
        : `Unsupported endpoint type ${requested}`
      return {
        throttleTimeMs: 0,
        errorCode,
        errorMessage,
        endpointType: EndpointType.BROKER,
        clusterId: '',
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      }
    }
    const nodeId = broker.config.nodeId
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: EndpointType.BROKER,
      clusterId: broker.clusterId,
      controllerId: nodeId,
      brokers: [
        {
          brokerId: nodeId,
          host: broker.config.advertisedHost,
          port: broker.advertisedPort,
          rack: null,
          isFenced: false,
        },
      ],
      clusterAuthorizedOperations: authorizedOperations(
        'cluster',
        request.includeClusterAuthorizedOperations,
      ),
    }
  },
})
