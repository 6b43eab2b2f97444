// Invariant checks for our own code. A failed assertion is a bug in Brook, never a client mistake:
// client mistakes are answered with Kafka error codes instead.
import { AssertionError } from './errors.js'

/** Throws an AssertionError with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}
