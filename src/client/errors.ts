// The SDK's errors: a Kafka error code from a response becomes a KafkaError carrying Kafka's name for it
// and whether retrying can help; misuse of the SDK raises a ClientError with a stable code.
import { BrookError } from '../core/index.js'
import { AbortError, ConnectionError, RequestTimeoutError } from '../network/index.js'
import { ErrorCode, errorName, retriable } from '../protocol/index.js'

/** An error code in a broker's response, e.g. `error.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION'`. */
export class KafkaError extends BrookError {
  /** Kafka's numeric error code. */
  readonly errorCode: number
  /** Kafka's name for the code (Errors enum), such as NOT_LEADER_OR_FOLLOWER. */
  readonly kafkaName: string
  /** True when the same request may succeed later (Kafka's RetriableException). */
  readonly retriable: boolean
  constructor(errorCode: number, context?: string, brokerMessage?: string | null) {
    const name = errorName(errorCode)
    super(
      'BROOK_ERR_KAFKA',
      `${name}${context ? ` (${context})` : ''}${brokerMessage ? `: ${brokerMessage}` : ''}`,
    )
    this.name = 'KafkaError'
    this.errorCode = errorCode
    this.kafkaName = name
    this.retriable = retriable.has(errorCode)
  }
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

/** Misuse of the SDK: a closed client, a consumer iterated twice, a value the serialiser cannot encode. */
export class ClientError extends BrookError {
  readonly retriable = false
  constructor(
    code:
      | 'BROOK_ERR_CLOSED'
      | 'BROOK_ERR_ALREADY_ITERATING'
      | 'BROOK_ERR_SERIALIZE'
      | 'BROOK_ERR_DESERIALIZE'
      | 'BROOK_ERR_INVALID_ARGUMENT'
      | 'BROOK_ERR_NOT_ASSIGNED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
    this.name = 'ClientError'
  }
}

/** Throws a KafkaError for a non-zero code. */
export function check(errorCode: number, context?: string, brokerMessage?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, context, brokerMessage)
}

/** True for errors after which the same operation may be tried again. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof AbortError) return false
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError) return true
  return error instanceof KafkaError && error.retriable
}

export { AbortError, ConnectionError, RequestTimeoutError }
