// ApiVersions: the versions of every API this broker implements, read from the handler table, and from
// v3 the supported and finalized features (broker/features.ts) as tagged fields; from v5 the client's
// expected cluster and node are checked.
import { ApiVersionsRequest, ApiVersionsResponse, ErrorCode } from '../../protocol/index.js'
import { FINALIZED_FEATURES_EPOCH, features } from '../features.js'
import { defineHandler } from '../handler.js'

const softwareNamePattern = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export const apiVersions = defineHandler({
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  versions: { min: 0, max: 5 },
  handle(request, context) {
    const version = context.header.apiVersion
    if (version >= 5) {
      // v5: a client names the cluster and node it means to reach, both or neither (Kafka 4.4 answers
      // INVALID_REQUEST otherwise); another cluster or node makes it bootstrap again (REBOOTSTRAP_REQUIRED).
      const { clusterId, nodeId } = request
      if ((clusterId === null) !== (nodeId === -1)) return refused(ErrorCode.INVALID_REQUEST)
      if (
        clusterId !== null &&
        (clusterId !== context.broker.clusterId || nodeId !== context.broker.config.nodeId)
      )
        return refused(ErrorCode.REBOOTSTRAP_REQUIRED)
    }
    const apiKeys = context.broker.advertised()
    if (version >= 3) {
      // Kafka validates the client's self-description and answers INVALID_REQUEST when it is malformed.
      const valid =
        softwareNamePattern.test(request.clientSoftwareName) &&
        softwareNamePattern.test(request.clientSoftwareVersion)
      if (!valid) return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys }
      context.session.clientSoftwareName = request.clientSoftwareName
      context.session.clientSoftwareVersion = request.clientSoftwareVersion
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys,
      throttleTimeMs: 0,
      ...featureFields(version),
    }
  },
})

/** An answer refusing the request, as Kafka's: no APIs, no features. */
function refused(errorCode: number) {
  return { errorCode, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1 }
}

/** The features of an answer at `version` (v3+). */
function featureFields(version: number) {
  if (version < 3) return {}
  return {
    // Before v4 a feature whose minimum is 0 broke older Java clients: Kafka leaves such features out
    // (KAFKA-17011, KAFKA-17492).
    supportedFeatures: features
      .filter((entry) => version >= 4 || entry.minVersion > 0)
      .map((entry) => ({ name: entry.name, minVersion: entry.minVersion, maxVersion: entry.maxVersion })),
    finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
    // A feature finalized at level 0 is listed by Kafka as not finalized at all.
    finalizedFeatures: features
      .filter((entry) => entry.finalizedLevel > 0)
      .map((entry) => ({
        name: entry.name,
        minVersionLevel: entry.finalizedLevel,
        maxVersionLevel: entry.finalizedLevel,
      })),
  }
}
