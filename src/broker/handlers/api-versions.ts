// ApiVersions: the versions of every API this broker implements, read from the handler table.
import { ApiVersionsRequest, ApiVersionsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

const softwareNamePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export const apiVersions = defineHandler({
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  versions: { min: 0, max: 4 },
  handle(request, context) {
    const apiKeys = context.broker.advertised()
    if (context.header.apiVersion >= 3) {
      // Kafka validates the client's self-description and answers INVALID_REQUEST when it is malformed.
      const valid =
        softwareNamePattern.test(request.clientSoftwareName) &&
        softwareNamePattern.test(request.clientSoftwareVersion)
      if (!valid) return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys }
      context.session.clientSoftwareName = request.clientSoftwareName
      context.session.clientSoftwareVersion = request.clientSoftwareVersion
    }
    return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 }
  },
})
