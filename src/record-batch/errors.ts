// Shorthands for the errors record-batch raises when bytes from a client or a log do not form valid records,
// or a codec cannot run. The classes live in core's error catalogue; the produce validator maps them to
// Kafka error codes.
import { InvalidRecordError } from '../core/index.js'

/** Shorthand for the most common error: malformed record bytes. */
export function invalidRecord(message: string): InvalidRecordError {
  return new InvalidRecordError(message)
}
