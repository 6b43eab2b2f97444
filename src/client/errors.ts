// The SDK's errors: a Kafka error code from a response becomes a KafkaError carrying Kafka's name for it
// and whether retrying can help; misuse of the SDK raises a ClientError with a stable code.
import {
  AlreadyIteratingError,
  ClientError,
  ClosedError,
  DeserializeError,
  InvalidArgumentError,
  KafkaError,
  NotAssignedError,
  SerializeError,
} from '../core/index.js'
import { AbortError, ConnectionError, RequestTimeoutError } from '../network/index.js'
import { ErrorCode, errorName, retriable } from '../protocol/index.js'

/** A KafkaError for a broker's error code, with Kafka's name for it and whether retrying can help. */
export function kafkaError(errorCode: number, context?: string, brokerMessage?: string | null): KafkaError {
  const name = errorName(errorCode)
  return new KafkaError(
    `${name}${context ? ` (${context})` : ''}${brokerMessage ? `: ${brokerMessage}` : ''}`,
    {
      errorCode,
      kafkaName: name,
      retriable: retriable.has(errorCode),
    },
  )
}

/** Codes a client answers by refreshing metadata before retrying. */
export const staleMetadataCodes: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
])

/** Throws a KafkaError for a non-zero code. */
export function check(errorCode: number, context?: string, brokerMessage?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw kafkaError(errorCode, context, brokerMessage)
}

/** True for errors after which the same operation may be tried again. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof AbortError) return false
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError) return true
  return error instanceof KafkaError && error.retriable
}

export {
  AbortError,
  AlreadyIteratingError,
  ClientError,
  ClosedError,
  ConnectionError,
  DeserializeError,
  InvalidArgumentError,
  KafkaError,
  NotAssignedError,
  RequestTimeoutError,
  SerializeError,
}
