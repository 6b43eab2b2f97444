// The few Kafka error codes the metadata layer answers with. Values are Kafka's (Errors.java); kept
// local so metadata does not wait on src/protocol, which owns the full table.

/** Kafka error codes returned by TopicRegistry and config validation. */
export const MetadataErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNKNOWN_TOPIC_ID: 100,
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
