// FindCoordinator: this single node coordinates every group and share group (clients ask with key type 0),
// every transactional id (type 1) and every well-formed share-partition key (type 2, which only brokers
// send). v4+ answers a batch of keys.
import { ErrorCode, FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** A base64url topic id of 16 bytes, as Kafka writes Uuids (22 characters, optionally padded). */
const TOPIC_ID = /^[A-Za-z0-9_-]{22}(==)?$/
/** An int32 as Java's Integer.parseInt reads it. */
const INT32 = /^[+-]?\d{1,10}$/

/**
 * Whether `key` is a share-partition key, "groupId:topicId:partition" (KIP-932), checked as Kafka 4.4
 * does: read from the end (a group id may hold ':'), trailing empty parts ignored (Java's split), a
 * non-empty group id, a topic id that decodes to 16 bytes and an int32 partition.
 */
function isSharePartitionKey(key: string): boolean {
  const parts = key.split(':')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  if (parts.length < 3) return false
  const partition = parts[parts.length - 1]
  const value = Number(partition)
  return (
    parts.slice(0, -2).join(':') !== '' &&
    TOPIC_ID.test(parts[parts.length - 2]) &&
    INT32.test(partition) &&
    value >= -(2 ** 31) &&
    value < 2 ** 31
  )
}

/** Key types of FindCoordinator. */
const KeyType = { Group: 0, Transaction: 1, Share: 2 } as const

export const findCoordinator = defineHandler({
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  versions: { min: 0, max: 6 },
  handle(request, context) {
    const version = context.header.apiVersion
    const { config, advertisedPort } = context.broker
    const keyType = version >= 1 ? request.keyType : KeyType.Group
    const answer = (key: string) => {
      let errorCode: number = ErrorCode.NONE
      let errorMessage: string | null = null
      if (keyType === KeyType.Transaction && key === '') {
        errorCode = ErrorCode.INVALID_REQUEST
        errorMessage = 'A transactional id must not be empty.'
      } else if (keyType === KeyType.Share && version < 6) {
        errorCode = ErrorCode.INVALID_REQUEST
        errorMessage = 'Share coordinators need FindCoordinator v6 or later.'
      } else if (keyType === KeyType.Share && !isSharePartitionKey(key)) {
        errorCode = ErrorCode.INVALID_REQUEST
        errorMessage = `Share coordinator key ${JSON.stringify(key)} is not "groupId:topicId:partition".`
      } else if (keyType !== KeyType.Group && keyType !== KeyType.Share && keyType !== KeyType.Transaction) {
        errorCode = ErrorCode.INVALID_REQUEST
        errorMessage = `Unknown coordinator type ${keyType}.`
      }
      if (errorCode !== ErrorCode.NONE)
        return { key, errorCode, errorMessage, nodeId: -1, host: '', port: -1 }
      if (keyType === KeyType.Group) context.broker.groups.requestOffsetsTopic()
      return {
        key,
        errorCode,
        errorMessage,
        nodeId: config.nodeId,
        host: config.advertisedHost,
        port: advertisedPort,
      }
    }
    if (version < 4) {
      const { errorCode, errorMessage, nodeId, host, port } = answer(request.key)
      return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port }
    }
    return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map(answer) }
  },
})
