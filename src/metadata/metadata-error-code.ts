// The few Kafka error codes the metadata layer answers with, taken from src/protocol's full table.
import { ErrorCode } from '../protocol/index.js'

/** Kafka error codes returned by TopicRegistry and config validation. */
export const MetadataErrorCode = {
  NONE: ErrorCode.NONE,
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  INVALID_TOPIC_EXCEPTION: ErrorCode.INVALID_TOPIC_EXCEPTION,
  TOPIC_ALREADY_EXISTS: ErrorCode.TOPIC_ALREADY_EXISTS,
  INVALID_PARTITIONS: ErrorCode.INVALID_PARTITIONS,
  INVALID_REPLICATION_FACTOR: ErrorCode.INVALID_REPLICATION_FACTOR,
  INVALID_CONFIG: ErrorCode.INVALID_CONFIG,
  INVALID_REQUEST: ErrorCode.INVALID_REQUEST,
  UNKNOWN_TOPIC_ID: ErrorCode.UNKNOWN_TOPIC_ID,
  POLICY_VIOLATION: ErrorCode.POLICY_VIOLATION,
} as const

/** One of the codes in MetadataErrorCode. */
export type MetadataErrorCodeValue = (typeof MetadataErrorCode)[keyof typeof MetadataErrorCode]

/** A refusal answered to the client: a Kafka error code and a message for the response's ErrorMessage. */
export interface MetadataFailure {
  readonly ok: false
  readonly errorCode: MetadataErrorCodeValue
  readonly errorMessage: string
}

/** Builds a MetadataFailure. */
export function failure(errorCode: MetadataErrorCodeValue, errorMessage: string): MetadataFailure {
  return { ok: false, errorCode, errorMessage }
}
