// Invariant checks for our own code. A failed assertion is a bug in Brook, never a client mistake:
// client mistakes are answered with Kafka error codes instead.

/** Thrown when one of Brook's own invariants does not hold. */
export class AssertionError extends Error {
  readonly code = 'BROOK_ERR_ASSERTION'
}

/** Throws an AssertionError with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}
